/**
 * `harness report [DIR]`: statistics, leaderboard, CSVs and plots from a cell store
 * (DIR defaults to results/). See docs/statistics.md.
 */
import type { Command } from 'commander';
import { MAX_RESAMPLES } from '../../src/stats/bootstrap.js';
import { parseInteger } from '../parse.js';
import { collect, loadPlugins } from '../../workers/plugins.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('Write DIR/LEADERBOARD.md, DIR/summary.csv (+ cells.csv, pairwise.csv) and DIR/plots/*.svg from DIR/cells/*.json')
    .argument('[dir]', 'results directory holding cells/', 'results')
    .option('--resamples <n>', 'bootstrap resamples per interval', '2000')
    .option('--no-plots', 'skip rendering SVG plots')
    .option('--plugin <file>', "load a plugin's bounds and tasks, so the report knows their names and flags (repeatable)", collect)
    .option('--with <dir>', "a companion store whose cells join the field table only, e.g. results/bmi for BMI's suite (repeatable)", collect)
    .action(async (dir: string, opts: { resamples: string; plots: boolean; plugin?: string[]; with?: string[] }) => {
      const resamples = parseInteger('--resamples', opts.resamples, 100, MAX_RESAMPLES);
      await loadPlugins(opts.plugin);
      // vega loads only when a report is written (keeps every other command's start-up light).
      const { writeReport } = await import('../report.js');
      const r = await writeReport(dir, { resamples, plots: opts.plots, with: opts.with });
      process.stdout.write(
        `report: ${r.cells} cell(s) in ${r.contexts} context(s)${r.ganRuns ? `, ${r.ganRuns} GAN run(s)` : ''}${r.bmi.results ? `, ${r.bmi.results} BMI result(s) on ${r.bmi.tasks} task(s)` : ''}` +
        `${r.skipped.length ? `, ${r.skipped.length} file(s) skipped` : ''}; wrote ${dir}/LEADERBOARD.md, summary.csv, cells.csv, pairwise.csv and ${r.plots.length} plot(s)\n`,
      );
    });
}

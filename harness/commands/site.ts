/**
 * `harness site [DIR] --out SITE`: the static results site (leaderboard with filters and sorting,
 * interactive charts, per-cell drill-downs, reproduction claims) and the in-browser playground,
 * from a cell store. `--serve` then serves SITE on 127.0.0.1 (the pages fetch files, so they need
 * an http origin, not file://).
 */
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';
import { parseInteger } from '../parse.js';
import { MAX_RESAMPLES } from '../../src/stats/bootstrap.js';
import { collect } from '../../workers/plugins.js';

export function register(program: Command): void {
  program
    .command('site')
    .description('Write a static results site (SITE/index.html, playground.html, plots, cells, assets) from DIR/cells/*.json')
    .argument('[dir]', 'results directory holding cells/', 'results')
    .option('--out <site>', 'output directory (new, empty, or a site written before)', 'site')
    .option('--resamples <n>', 'bootstrap resamples per interval', '2000')
    .option('--no-svg', 'skip rendering the SVG copies of the figures')
    .option('--with <dir>', "a companion store whose cells join the field table only, e.g. results/field and results/bmi (repeatable; must exist)", collect)
    .option('--serve', 'after writing, serve SITE on 127.0.0.1 until interrupted')
    .option('--port <n>', 'port for --serve (0: any free port)', '8080')
    .action(async (dir: string, opts: { out: string; resamples: string; svg: boolean; with?: string[]; serve?: boolean; port: string }) => {
      const resamples = parseInteger('--resamples', opts.resamples, 100, MAX_RESAMPLES);
      const port = parseInteger('--port', opts.port, 0, 65535);
      // vega loads only when a site is written (keeps every other command's start-up light).
      const { writeSite } = await import('../site.js');
      const s = await writeSite(dir, opts.out, { resamples, svg: opts.svg, with: opts.with });
      const f = s.data.field;
      const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
      process.stdout.write(`site: ${s.cells} cell(s) in ${s.contexts} context(s), ${s.plots} figure(s)` +
        `${f ? `, field table of ${f.rows.length} estimator(s) on ${f.suites.length} suite(s)` : ''}; wrote ${s.files.length} file(s) to ${opts.out} ` +
        `(first load: index ${kb(s.indexBytes)}, playground ${kb(s.playgroundBytes)})\n`);
      if (opts.serve) {
        const { serveStatic } = await import('../serve.js');
        const srv = await serveStatic(opts.out, port).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`--port ${port}: cannot listen on 127.0.0.1 (${err.code ?? err.message})`);
        });
        process.stdout.write(`serving ${opts.out} at ${srv.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((done) => process.once('SIGINT', () => { void srv.close().then(done); }));
      }
    });
}

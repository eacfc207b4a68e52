/**
 * `harness merge DIR… --out DIR`: union of cell stores (e.g. one per shard), each file verified,
 * then the summary / report of the merged store. Exit 2 on bad input (destination untouched).
 */
import type { Command } from 'commander';
import { checkOutputDir } from '../output.js';
import { UsageError } from '../../src/errors.js';

export function register(program: Command): void {
  program.command('merge')
    .description('merge cell stores (e.g. from sharded sweeps) into one and rebuild the summary / report')
    .argument('<dirs...>', 'cell stores to merge (each holds cells/)')
    .requiredOption('--out <dir>', 'destination store')
    .option('--json', 'print one JSON object instead of the summary')
    .action(async (dirs: string[], flags: { out: string; json?: boolean }) => {
      if (dirs.length === 0) throw new UsageError('merge: give at least one directory');
      checkOutputDir('--out', flags.out);
      const [{ mergeStores }, { finishStore }] = await Promise.all([import('../sweep/merge.js'), import('../sweep/report.js')]);
      const m = await mergeStores(dirs, flags.out);
      for (const c of m.corrupt) process.stderr.write(`warning: ${c}\n`);
      const f = await finishStore(flags.out);
      for (const w of f.warnings) process.stderr.write(`warning: ${w}\n`);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...m, summaryFile: f.summaryFile, report: f.report }) + '\n');
      } else {
        process.stderr.write(`merge: ${m.copied} cell(s) copied, ${m.alreadyThere} already in ${flags.out}, ${m.corrupt.length} corrupt left out, ${m.failuresCopied} failure record(s) carried over\n`);
        process.stdout.write(f.summary);
      }
    });
}

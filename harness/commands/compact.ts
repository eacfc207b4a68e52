/**
 * `harness compact DIR…`: convert cell stores of plain cells (`cells/<hash>.json`) to the compact
 * format the sweep now writes (`<hash>.json.br`; harness/sweep/compact.ts), in place, once.
 * Nothing is re-run, no address changes, and the report reads the same before and after.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';

const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;

export function register(program: Command): void {
  program.command('compact')
    .description('convert cell stores to compact cells (brotli, trajectories at drawing precision); nothing is re-run, the report reads the same')
    .argument('<dirs...>', 'cell stores (each holds cells/)')
    .action(async (dirs: string[]) => {
      for (const d of dirs) if (!existsSync(d)) throw new UsageError(`compact: ${d}: no such directory`);
      const { compactStore } = await import('../sweep/compactStore.js');
      for (const d of dirs) {
        const r = await compactStore(d);
        process.stdout.write(`${d}: ${r.compacted} compacted, ${r.already} already compact, ${r.leftAlone.length} left alone; cell files ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)}\n`);
        if (r.keptWhole) process.stdout.write(`${d}: ${r.keptWhole} cell(s) keep their trajectory or samples whole (trimming would have moved a statistic)\n`);
        for (const u of r.leftAlone) process.stderr.write(`harness: warning: ${d}/${u}; left alone\n`);
      }
    });
}

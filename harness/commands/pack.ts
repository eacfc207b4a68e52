/**
 * `harness pack DIR…`: fold a finished store's cells into one pack (harness/sweep/pack.ts).
 * Nothing is re-run, no address changes, and the report reads the same before and after.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';

const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;

export function register(program: Command): void {
  program.command('pack')
    .description("fold a store's cells (loose files and earlier packs) into one brotli pack, cells/pack-<id>.jsonl.br; nothing is re-run, the report reads the same")
    .argument('<dirs...>', 'cell stores (each holds cells/)')
    .action(async (dirs: string[]) => {
      for (const d of dirs) if (!existsSync(d)) throw new UsageError(`pack: ${d}: no such directory`);
      const { packStore } = await import('../sweep/pack.js');
      for (const d of dirs) {
        const r = await packStore(d);
        if (r.pack === null) process.stdout.write(`${d}: no cell to pack\n`);
        else process.stdout.write(`${d}: ${r.cells} cell(s) in cells/${r.pack} (${r.fromLoose} from loose files, ${r.fromPacks} from packs), ${r.leftAlone.length} file(s) left alone; cell files ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)}\n`);
        for (const u of r.leftAlone) process.stderr.write(`harness: warning: ${d}/${u}; left alone\n`);
      }
    });
}

/**
 * `harness readdress DIR…`: move cell stores written by v0.1.0 (whose addresses hashed the
 * package version) to the current addresses, once, without re-running anything.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';

export function register(program: Command): void {
  program.command('readdress')
    .description('move cells of a v0.1.0 store to the current addresses (spec + numerics version); nothing is re-run')
    .argument('<dirs...>', 'cell stores (each holds cells/)')
    .action(async (dirs: string[]) => {
      for (const d of dirs) if (!existsSync(d)) throw new UsageError(`readdress: ${d}: no such directory`);
      const { readdressStore } = await import('../sweep/readdress.js');
      for (const d of dirs) {
        const r = await readdressStore(d);
        process.stdout.write(`${d}: ${r.moved} moved, ${r.current} already current, ${r.duplicates} duplicate(s) dropped, ${r.unrecognised.length} unrecognised left alone\n`);
        for (const u of r.unrecognised) process.stderr.write(`harness: warning: ${d}/${u}: not a cell of either address scheme; left alone\n`);
      }
    });
}

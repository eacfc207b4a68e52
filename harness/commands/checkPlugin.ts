/**
 * `harness check-plugin FILE…`: load each plugin (a bad file is bad input: one line, exit 2) and
 * run src/plugins/check.ts on each of its bounds and tasks. Prints one line per check (ok/FAIL
 * and a detail) and exits 0 when every check passes, 5 when any fails.
 */
import type { Command } from 'commander';
import { checkBound, checkTask, type CheckResult } from '../../src/plugins/check.js';
import { EXIT } from '../exit.js';
import { loadPlugin } from '../../workers/plugins.js';

export function register(program: Command): void {
  program.command('check-plugin')
    .description("check a plugin's bounds (shape, purity, gradient vs finite differences, no-information value) and tasks (shape, determinism, seeding, true MI)")
    .argument('<files...>', 'plugin modules (ES modules whose default export is { bounds?, tasks? })')
    .option('--json', 'one JSON object per check')
    .action(async (files: string[], flags: { json?: boolean }) => {
      const results: CheckResult[] = [];
      for (const file of files) {
        const p = await loadPlugin(file);
        for (const b of p.bounds) results.push(...checkBound(b));
        for (const t of p.tasks) results.push(...checkTask(t));
      }
      for (const r of results) {
        process.stdout.write(flags.json
          ? JSON.stringify(r) + '\n'
          : `${r.skipped ? 'skip' : r.ok ? 'ok  ' : 'FAIL'}  ${r.subject}: ${r.check}${r.detail ? ` — ${r.detail}` : ''}\n`);
      }
      const failed = results.filter((r) => !r.ok);
      if (!flags.json) process.stdout.write(`${results.length - failed.length} of ${results.length} checks passed${failed.length ? `; failing: ${[...new Set(failed.map((r) => r.subject))].join(', ')}` : ''}\n`);
      if (failed.length) process.exitCode = EXIT.checkFailed;
    });
}

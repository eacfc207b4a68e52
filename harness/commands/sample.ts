/**
 * `harness sample --task ID --n N --seed S [--format csv|json] [--out FILE]`: draw N pairs from a
 * task's sampler with the seed's data stream (the stream a cell at that seed uses), so samples can
 * be checked or fed to other tools (BMI's Python estimators read CSV). Columns x1..x{dimX},
 * y1..y{dimY} with a header; values are the raw samples (not standardised), in JavaScript's
 * shortest round-trip form, so parsing them back gives the same doubles. For N = 5 000 these are
 * exactly the points the finite-sample protocol draws (then standardises) at that seed.
 * Staircase tasks take --mi (one level) and the built-in ones (gaussian, cubic, asinh, half-cube,
 * student-t) --dim.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';
import { dataStream } from '../../src/rng.js';
import { drawFromTask } from '../../src/tasks/draw.js';
import { builtinStaircase, getTask, isBuiltinStaircase, knownTaskIds, PAPER_DEFAULT_DIM } from '../../src/tasks/registry.js';
import { parseChoice, parseInteger, parseNumber } from '../parse.js';
import { collect, loadPlugins } from '../../workers/plugins.js';

interface SampleFlags { task?: string; n?: string; seed: string; format: string; out?: string; mi?: string; dim?: string; plugin?: string[] }

/** Rows → CSV with a header; numbers as JavaScript prints them (shortest round-trip form). */
export function toCsv(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dimX: number, dimY: number): string {
  const head = [...Array.from({ length: dimX }, (_, k) => `x${k + 1}`), ...Array.from({ length: dimY }, (_, k) => `y${k + 1}`)];
  const lines = [head.join(',')];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let k = 0; k < dimX; k++) row.push(String(x[i * dimX + k]));
    for (let k = 0; k < dimY; k++) row.push(String(y[i * dimY + k]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program.command('sample')
    .description('draw N pairs from a task (CSV or JSON), with the data stream a cell at that seed uses')
    .option('--task <id>', 'task id (see `harness tasks`)')
    .option('--n <N>', 'number of pairs')
    .option('--seed <S>', 'seed of the data stream', '0')
    .option('--format <fmt>', 'csv | json', 'csv')
    .option('--out <file>', 'write to FILE instead of stdout')
    .option('--mi <I>', 'staircase tasks: the true MI of the sample, nats')
    .option('--dim <D>', `staircase tasks: the dimension d (default ${PAPER_DEFAULT_DIM})`)
    .option('--plugin <file>', 'load tasks from a plugin module (repeatable)', collect)
    .action(async (f: SampleFlags) => {
      await loadPlugins(f.plugin);
      if (f.task === undefined) throw new UsageError('--task: required (see `harness tasks`)');
      if (f.n === undefined) throw new UsageError('--n: required');
      const id = parseChoice('--task', f.task, knownTaskIds());
      const n = parseInteger('--n', f.n, 1);
      if (n > 10_000_000) throw new UsageError(`--n: at most 10000000 pairs, got ${n}`);
      const seed = parseInteger('--seed', f.seed, 0);
      if (seed > 0xffffffff) throw new UsageError(`--seed: must be at most ${0xffffffff}`);
      const format = parseChoice('--format', f.format, ['csv', 'json'] as const);
      let task = getTask(id)!.task;
      let mi = task.trueMi ?? NaN;
      if (isBuiltinStaircase(id)) {
        if (f.mi === undefined) throw new UsageError(`--mi: required for the staircase task '${id}' (the sample's true MI, nats)`);
        mi = parseNumber('--mi', f.mi);
        if (!(mi >= 0) || !Number.isFinite(mi)) throw new UsageError(`--mi: must be a finite number >= 0, got ${f.mi}`);
        task = builtinStaircase(id, f.dim === undefined ? PAPER_DEFAULT_DIM : parseInteger('--dim', f.dim, 1));
      } else {
        if (f.dim !== undefined) throw new UsageError(`--dim: task '${id}' fixes its dimensions (${task.dimX} × ${task.dimY})`);
        if (f.mi !== undefined && task.trueMi !== undefined) throw new UsageError(`--mi: task '${id}' has a fixed true MI (${task.trueMi} nats)`);
        if (task.trueMi === undefined) {
          if (f.mi === undefined) throw new UsageError(`--mi: required for the staircase task '${id}'`);
          mi = parseNumber('--mi', f.mi);
        }
      }
      const s = drawFromTask(task, dataStream(seed), n, mi);
      const text = format === 'csv'
        ? toCsv(s.x, s.y, n, task.dimX, task.dimY)
        : JSON.stringify({ task: id, seed, n, dimX: task.dimX, dimY: task.dimY, trueMi: mi, x: rows(s.x, n, task.dimX), y: rows(s.y, n, task.dimY) }) + '\n';
      if (f.out) {
        try { writeFileSync(f.out, text); } catch (err) {
          throw new UsageError(`--out: cannot write '${f.out}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
      } else process.stdout.write(text);
    });
}

function rows(a: ArrayLike<number>, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => a[i * d + k]));
}

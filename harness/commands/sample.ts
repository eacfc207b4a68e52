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
import { once } from 'node:events';
import type { Command } from 'commander';
import { UsageError } from '../../src/errors.js';
import { dataStream } from '../../src/rng.js';
import { drawFromTask, MAX_SAMPLE_VALUES } from '../../src/tasks/draw.js';
import { builtinStaircase, getTask, isBuiltinStaircase, knownTaskIds, PAPER_DEFAULT_DIM } from '../../src/tasks/registry.js';
import { parseChoice, parseInteger, parseNumber } from '../parse.js';
import { collect, loadPlugins } from '../../workers/plugins.js';
import { checkOutputFile, writeOutputFile } from '../output.js';

interface SampleFlags { task?: string; n?: string; seed: string; format: string; out?: string; mi?: string; dim?: string; plugin?: string[] }

/** Rows per chunk of output text: no chunk comes near V8's limit on one string's length. */
const ROWS_PER_CHUNK = 10_000;

/** Rows → CSV with a header; numbers as JavaScript prints them (shortest round-trip form). */
export function toCsv(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dimX: number, dimY: number): string {
  return [...csvChunks(x, y, n, dimX, dimY)].join('');
}

/** toCsv's text, a chunk of rows at a time. */
export function* csvChunks(x: ArrayLike<number>, y: ArrayLike<number>, n: number, dimX: number, dimY: number): Generator<string> {
  const head = [...Array.from({ length: dimX }, (_, k) => `x${k + 1}`), ...Array.from({ length: dimY }, (_, k) => `y${k + 1}`)];
  yield head.join(',') + '\n';
  for (let start = 0; start < n; start += ROWS_PER_CHUNK) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(n, start + ROWS_PER_CHUNK); i++) {
      const row: string[] = [];
      for (let k = 0; k < dimX; k++) row.push(String(x[i * dimX + k]));
      for (let k = 0; k < dimY; k++) row.push(String(y[i * dimY + k]));
      lines.push(row.join(','));
    }
    yield lines.join('\n') + '\n';
  }
}

/** JSON.stringify({ ...header, x: rows, y: rows }) + '\n', byte for byte, a chunk of rows at a time. */
function* jsonChunks(header: Record<string, unknown>, x: ArrayLike<number>, y: ArrayLike<number>, n: number, dimX: number, dimY: number): Generator<string> {
  const matrix = function* (a: ArrayLike<number>, d: number): Generator<string> {
    for (let start = 0; start < n; start += ROWS_PER_CHUNK) {
      const rows: string[] = [];
      for (let i = start; i < Math.min(n, start + ROWS_PER_CHUNK); i++) rows.push(JSON.stringify(Array.from({ length: d }, (_, k) => a[i * d + k])));
      yield (start > 0 ? ',' : '') + rows.join(',');
    }
  };
  yield JSON.stringify(header).slice(0, -1) + ',"x":[';
  yield* matrix(x, dimX);
  yield '],"y":[';
  yield* matrix(y, dimY);
  yield ']}\n';
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
      const seed = parseInteger('--seed', f.seed, 0, 0xffffffff);
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
      const values = n * (task.dimX + task.dimY);
      if (values > MAX_SAMPLE_VALUES) {
        throw new UsageError(`--n ${n}${f.dim !== undefined ? ` --dim ${task.dimX}` : ''}: ${n} pairs × ${task.dimX + task.dimY} values (dim_x ${task.dimX} + dim_y ${task.dimY}) = ${values.toExponential(2)} values, more than the ${MAX_SAMPLE_VALUES} one sample holds; lower --n${isBuiltinStaircase(id) ? ' or --dim' : ''}`);
      }
      if (f.out !== undefined) checkOutputFile('--out', f.out);
      const s = drawFromTask(task, dataStream(seed), n, mi);
      const chunks = format === 'csv'
        ? csvChunks(s.x, s.y, n, task.dimX, task.dimY)
        : jsonChunks({ task: id, seed, n, dimX: task.dimX, dimY: task.dimY, trueMi: mi }, s.x, s.y, n, task.dimX, task.dimY);
      if (f.out !== undefined) writeOutputFile('--out', f.out, Buffer.concat([...chunks].map((c) => Buffer.from(c))));
      else {
        // `harness sample … | head`: a reader that has seen enough ends the sample quietly.
        process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err; });
        for (const c of chunks) if (!process.stdout.write(c)) await once(process.stdout, 'drain');
      }
    });
}

/**
 * What the CLI fuzz (test/cli-fuzz.test.ts) and a scan of every flag at huge values found, each
 * kept as a fixed case: before its fix every line below ended in a RangeError or an out-of-memory
 * kill (exit 1, 134 or a signal), ran for hours, or silently did the wrong thing (a 700 h timeout
 * fired after 1 ms; `--out ''` wrote into the working directory). Now each is one line on stderr
 * naming the flag, exit 2, with nothing written. Also: `harness sample`, which now writes its text
 * a chunk of rows at a time, prints byte for byte what one JSON.stringify / join printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, why } from './cli-helpers.js';
import { getTask, paperTask } from '../src/tasks/registry.js';
import { drawFromTask } from '../src/tasks/draw.js';
import { dataStream } from '../src/rng.js';

const TINY = ['--steps-per-level', '4', '--mi', '2', '--dim', '2', '--hidden', '4', '--embed', '4', '--batch-size', '4'];

const CASES: [string[], RegExp][] = [
  [['sweep', '--preset', 'smoke', '--seeds', '1e9', '--dry-run'], /--seeds: 1000000000 seeds; a sweep plans at most 100000 jobs/],
  [['sweep', '--preset', 'smoke', '--seeds', '0..99999999', '--dry-run'], /--seeds/],
  [['sweep', '--preset', 'smoke', '--dry-run', '--timeout', '700h'], /--timeout: at most 596h/],
  [['sweep', '--preset', 'smoke', '--dry-run', '--workers', '100000'], /--workers: at most \d+ \(4 per core/],
  [['sweep', '--preset', 'smoke', '--dry-run', '--retries', '9007199254740993'], /--retries: must be at most 9007199254740991/],
  [['sweep', '--preset', 'smoke', '--dry-run', '--out', ''], /--out: an empty path/],
  [['report', 'no-such-store', '--resamples', '1e9'], /--resamples: must be at most 100000/],
  [['report', 'no-such-store', '--resamples', '4294967296'], /--resamples: must be at most 100000/],
  [['site', 'no-such-store', '--resamples', '1e15'], /--resamples: must be at most 100000/],
  [['site', 'no-such-store', '--port', '70000'], /--port: must be at most 65535/],
  [['sample', '--task', 'gaussian', '--n', '3', '--mi', '1', '--dim', '1e9'], /--n 3 --dim 1000000000: .* more than the 20000000 one sample holds; lower --n or --dim/],
  [['sample', '--task', 'gaussian', '--n', '10000000', '--mi', '1'], /--n 10000000: 10000000 pairs × 40 values/],
  [['sample', '--task', 'bmi:binormal', '--n', '3', '--seed', '4294967296'], /--seed: must be at most 4294967295/],
  [['sample', '--task', 'bmi:binormal', '--n', '3', '--out', ''], /--out: an empty path/],
  [['run', '--estimator', 'nwj', '--task', 'bmi:binormal', '--steps-per-level', '4', '--sample-size', '1e9'], /finiteSample\.size: a sample of 1000000000 pairs × 2 values .*--sample-size/],
  [['run', '--estimator', 'nwj', '--engine', 'tfjs', ...TINY, '--hidden', '30000'], /--hidden 30000: the separable critic has 1\.80e\+9 parameters/],
  [['run', '--estimator', 'nwj', '--engine', 'tfjs', ...TINY, '--batch-size', '100000'], /--batch-size 100000: .* the largest batch size that fits is/],
  [['run', '--estimator', 'nwj', ...TINY, '--out', ''], /--out: an empty path/],
  [['gan', '--variant', 'smile', '--batch-size', '100000'], /--batch-size: must be at most 4096/],
  [['gan', '--variant', 'mine', '--setup', 'v1', '--batch-size', '1e15'], /--batch-size: must be at most 4096/],
  [['gan', '--variant', 'smile', '--steps', '1e9'], /--steps: must be at most 100000000/],
  [['gan', '--variant', 'vanilla', '--steps', '2', '--out', ''], /--out: an empty path/],
  [['bench', '--engine', 'wasm', '--steps', '100000'], /--steps: at most 2000 timed steps per case/],
  [['bench', '--engine', 'wasm', '--gpu-batch', 'abc'], /--gpu-batch/],
];

test('limits found by the fuzz: one line, exit 2, before any work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-limits-'));
  try {
    for (const [args, message] of CASES) {
      const r = await cli(args, { cwd: dir });
      const shown = `harness ${args.join(' ')}`;
      assert.equal(r.code, 2, `${shown}: ${why(r)}`);
      assert.equal(r.stderr.replace(/\n$/, '').split('\n').length, 1, `${shown}: not one line:\n${r.stderr}`);
      assert.match(r.stderr, message, shown);
      assert.equal(r.stdout, '', `${shown} printed: ${r.stdout.slice(0, 200)}`);
    }
    assert.deepEqual(readdirSync(dir), [], 'a refused command wrote into the working directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('merge --out \'\' is refused and writes nothing into the working directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-limits-merge-'));
  try {
    const store = join(dir, 'store');
    const s = await cli(['sweep', '--preset', 'smoke', '--estimators', 'nwj', '--seeds', '1', '--steps-per-level', '4', '--mi', '2', '--dim', '2',
      '--hidden', '4', '--embed', '4', '--workers', '1', '--no-gpu', '--shard', 'off', '--out', store]);
    assert.equal(s.code, 0, why(s));
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    const r = await cli(['merge', store, '--out', ''], { cwd });
    assert.equal(r.code, 2, why(r));
    assert.match(r.stderr, /^harness: --out: an empty path; name a file or directory\n$/);
    assert.deepEqual(readdirSync(cwd), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('harness sample writes a chunk of rows at a time, byte for byte the text of one JSON.stringify / join (CSV, JSON, --out)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-sample-chunks-'));
  try {
    // More rows than one chunk (10 000), and a count that is not a multiple of it.
    for (const [id, n, extra, task, mi] of [
      ['bmi:swissroll-2x1', 25_003, [], getTask('bmi:swissroll-2x1')!.task, NaN],
      ['gaussian', 20_001, ['--mi', '2', '--dim', '3'], paperTask('gaussian', 3), 2],
    ] as const) {
      const s = drawFromTask(task, dataStream(3), n, mi);
      const rows = (a: ArrayLike<number>, d: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => a[i * d + k]));
      const rx = rows(s.x, task.dimX), ry = rows(s.y, task.dimY);
      const head = [...rx[0].map((_, k) => `x${k + 1}`), ...ry[0].map((_, k) => `y${k + 1}`)].join(',');
      const csv = [head, ...rx.map((r, i) => [...r, ...ry[i]].map(String).join(','))].join('\n') + '\n';
      const json = JSON.stringify({ task: id, seed: 3, n, dimX: task.dimX, dimY: task.dimY, trueMi: task.trueMi ?? mi, x: rx, y: ry }) + '\n';
      const base = ['sample', '--task', id, '--n', String(n), '--seed', '3', ...extra];
      const c = await cli(base);
      assert.equal(c.code, 0, why(c));
      assert.ok(c.stdout === csv, `${id}: CSV differs`);
      const j = await cli([...base, '--format', 'json']);
      assert.equal(j.code, 0, why(j));
      assert.ok(j.stdout === json, `${id}: JSON differs`);
      const out = join(dir, `${id.replace(':', '-')}.csv`);
      const f = await cli([...base, '--out', out]);
      assert.equal(f.code, 0, why(f));
      assert.ok(existsSync(out) && readFileSync(out, 'utf8') === csv, `${id}: --out differs`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

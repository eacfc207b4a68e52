/**
 * The task commands: `harness tasks [--json]`, `harness sample`, and `harness run` on BMI tasks
 * (the stream protocol and BMI's finite-sample protocol). Bad input: one line, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTask } from '../src/tasks/registry.js';
import { dataStream } from '../src/rng.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('harness tasks --json: one row per task with id, dimX, dimY, trueMi, family, description', () => {
  const r = harness(['tasks', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { id: string; dimX: number | string; dimY: number | string; trueMi: number | number[]; family: string; description: string }[];
  assert.ok(rows.length >= 42);
  for (const row of rows) for (const k of ['id', 'dimX', 'dimY', 'trueMi', 'family', 'description']) assert.ok(k in row, `${row.id} ${k}`);
  const bin = rows.find((t) => t.id === 'bmi:binormal')!;
  assert.deepEqual([bin.dimX, bin.dimY, bin.family], [1, 1, 'one-dimensional']);
  assert.equal((bin.trueMi as number).toFixed(4), '0.4133');
  assert.deepEqual(rows.find((t) => t.id === 'gaussian')!.trueMi, [2, 4, 6, 8, 10]);
  const table = harness(['tasks']);
  assert.equal(table.code, 0);
  assert.match(table.stdout.split('\n')[0], /^id\s+dimX\s+dimY\s+true MI \(nats\)\s+family\s+description$/);
  assert.match(table.stdout, /bmi:spiral-multinormal-2pair-5x5\s+5\s+5\s+1\.0217\s+transformed/);
});

test('harness sample: CSV with a header x1..x{dimX}, y1..y{dimY}; JSON; --out; the seed\'s data stream', () => {
  const csv = harness(['sample', '--task', 'bmi:swissroll-2x1', '--n', '5', '--seed', '3']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'x1,x2,y1');
  assert.equal(lines.length, 6);
  const want = getTask('bmi:swissroll-2x1')!.task.sample(5, dataStream(3), { mi: 0, batchRho: 0 });
  lines.slice(1).forEach((l, i) => assert.deepEqual(l.split(',').map(Number), [want.x[2 * i], want.x[2 * i + 1], want.y[i]]));
  assert.equal(harness(['sample', '--task', 'bmi:swissroll-2x1', '--n', '5', '--seed', '3']).stdout, csv.stdout);
  const json = JSON.parse(harness(['sample', '--task', 'bmi:swissroll-2x1', '--n', '5', '--seed', '3', '--format', 'json']).stdout);
  assert.deepEqual(json.x[0], [want.x[0], want.x[1]]);
  assert.equal(json.dimX, 2);
  const dir = mkdtempSync(join(tmpdir(), 'mi-sample-'));
  const out = join(dir, 's.csv');
  const w = harness(['sample', '--task', 'gaussian', '--mi', '2', '--dim', '3', '--n', '4', '--out', out]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, '');
  assert.equal(readFileSync(out, 'utf8').split('\n')[0], 'x1,x2,x3,y1,y2,y3');
});

test('bad input to tasks/sample: one line, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-sample-bad-'));
  const out = join(dir, 'x.csv');
  const cases: [string[], RegExp][] = [
    [['sample', '--task', 'bmi:nope', '--n', '3'], /--task/],
    [['sample', '--n', '3'], /--task/],
    [['sample', '--task', 'bmi:binormal'], /--n/],
    [['sample', '--task', 'bmi:binormal', '--n', '0'], /--n/],
    [['sample', '--task', 'bmi:binormal', '--n', '3', '--format', 'xml'], /--format/],
    [['sample', '--task', 'bmi:binormal', '--n', '3', '--dim', '2'], /--dim/],
    [['sample', '--task', 'gaussian', '--n', '3'], /--mi/],
    [['sample', '--task', 'bmi:binormal', '--n', '3', '--out', join(dir, 'no', 'such', 'dir.csv')], /--out/],
  ];
  for (const [args, pattern] of cases) {
    const r = harness([...args, ...(args.includes('--out') ? [] : ['--out', out])]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(existsSync(out), false);
  }
});

test('harness run --task bmi:binormal --estimator infonce: trueMi 0.4133 nats and a mean near it', () => {
  const r = harness(['run', '--task', 'bmi:binormal', '--estimator', 'infonce', '--steps-per-level', '2000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.task, 'bmi:binormal');
  assert.equal(o.dim, 1);
  assert.equal(o.levels.length, 1);
  assert.equal(o.levels[0].trueMi, -0.5 * Math.log(1 - 0.75 ** 2));
  assert.equal(o.levels[0].trueMi.toFixed(4), '0.4133');
  // InfoNCE at n = 64 has little bias at 0.41 nats (its ceiling is log 64 = 4.16); the window's
  // mean over 1 000 steps has a standard error of about 0.01.
  assert.ok(Math.abs(o.levels[0].mean - 0.4133) < 0.05, `mean ${o.levels[0].mean}`);
  const table = harness(['run', '--task', 'bmi:binormal', '--estimator', 'infonce', '--steps-per-level', '40', '--hidden', '16', '--embed', '4']);
  assert.match(table.stdout, /bmi:binormal/);
  assert.match(table.stdout, /\n0\.413 /);
});

test('harness run --sample-size: BMI\'s finite-sample protocol (train split, held-out evaluations, best reported)', () => {
  const args = ['run', '--task', 'bmi:multinormal-2pair-2x2', '--estimator', 'smile', '--critic', 'joint', '--hidden', '16', '--batch-size', '32',
    '--steps-per-level', '300', '--sample-size', '1000', '--eval-every', '50', '--json'];
  const r = harness(args);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.deepEqual([o.heldOut.trainSize, o.heldOut.testSize], [500, 500]);
  assert.ok(o.heldOut.evals.length >= 3 && o.heldOut.evals.length <= 6);
  assert.equal(o.heldOut.estimate, Math.max(...o.heldOut.evals.map((e: { estimate: number }) => e.estimate)));
  assert.ok(o.heldOut.steps % 50 === 0 && o.heldOut.steps <= 300);
  const again = JSON.parse(harness(args).stdout);
  assert.deepEqual(again.heldOut, o.heldOut);
});

test('bad input to run on fixed tasks: one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--task', 'bmi:binormal', '--dim', '5'], /--dim: task 'bmi:binormal' has dim_x = 1/],
    [['--task', 'bmi:binormal', '--mi', '1'], /--mi: task 'bmi:binormal' has a fixed true MI/],
    [['--task', 'bmi:binormal', '--batch-rho', '0.2'], /--batch-rho/],
    [['--task', 'bmi:nope'], /--task/],
    [['--task', 'bmi:binormal', '--test-share', '0.3'], /--sample-size/],
    [['--task', 'bmi:binormal', '--sample-size', '100', '--batch-size', '64'], /finiteSample\.size/],
    [['--task', 'bmi:binormal', '--sample-size', '1000', '--test-share', '1'], /--test-share/],
  ];
  for (const [args, pattern] of cases) {
    const r = harness(['run', '--estimator', 'nwj', '--steps-per-level', '4', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});

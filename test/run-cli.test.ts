/**
 * `harness run`: the CLI contract (bad input → one line, exit 2, nothing written; determinism)
 * and a short training run that must land near the true MI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--critic', 'separable', '--task', 'gaussian', '--mi', '2,4', '--steps-per-level', '20', '--hidden', '16', '--embed', '8', '--dim', '4', '--batch-size', '8'];

test('bad input: one line naming the flag, exit 2, nothing written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-run-'));
  const out = join(dir, 'out.json');
  const cases: [string[], RegExp][] = [
    [['--estimator', 'nope'], /--estimator/],
    [['--estimator', 'nwj', '--critic', 'deep'], /--critic/],
    [['--estimator', 'nwj', '--task', 'quartic'], /--task/],
    [['--estimator', 'nwj', '--seed', 'abc'], /--seed/],
    [['--estimator', 'nwj', '--batch-rho', '1'], /--batch-rho/],
    [['--estimator', 'nwj', '--batch-rho', '-0.1'], /--batch-rho/],
    [['--estimator', 'nwj', '--mi', '2,-4'], /--mi/],
    [['--estimator', 'nwj', '--mi', '2,x'], /--mi/],
    [['--estimator', 'nwj', '--batch-size', '1'], /--batch-size/],
    [['--estimator', 'nwj', '--dim', '0'], /--dim/],
    [['--estimator', 'smile', '--tau', 'big'], /--tau/],
    [['--estimator', 'nwj', '--backend', 'tensorflow'], /--backend tensorflow/],
    [['--estimator', 'nwj', '--engine', 'cuda'], /--engine/],
    [['--critic', 'joint'], /--estimator/],
  ];
  for (const [args, pattern] of cases) {
    const r = harness(['run', ...TINY, ...args, '--out', out]);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], pattern);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(out), false, `nothing written for ${args.join(' ')}`);
  }
});

test('determinism: the same command twice gives identical --json output (timing fields aside)', () => {
  for (const estimator of ['mine', 'mice', 'smile']) {
    const args = ['run', '--estimator', estimator, ...TINY, '--batch-rho', 'random', '--seed', '3', '--json'];
    const a = harness(args), b = harness(args);
    assert.equal(a.code, 0, a.stderr);
    const strip = (s: string) => { const o = JSON.parse(s); delete o.msPerStep; delete o.wallMs; return o; };
    const ja = strip(a.stdout), jb = strip(b.stdout);
    assert.deepEqual(ja, jb);
    for (const key of ['estimator', 'critic', 'task', 'seed', 'engine', 'backend', 'steps', 'levels', 'trajectory']) assert.ok(key in ja, key);
    assert.equal(ja.steps, 40);
    assert.equal(ja.levels.length, 2);
    for (const l of ja.levels) for (const k of ['trueMi', 'mean', 'bias', 'variance', 'mse']) assert.ok(k in l, k);
    assert.notEqual(ja.backend, 'auto');
  }
});

test('--out writes the full result; different seeds give different trajectories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-run-'));
  const out = join(dir, 'r.json');
  const a = harness(['run', '--estimator', 'nwj', ...TINY, '--seed', '1', '--json', '--out', out]);
  assert.equal(a.code, 0, a.stderr);
  const full = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(full.spec.estimator, 'nwj');
  const b = harness(['run', '--estimator', 'nwj', ...TINY, '--seed', '2', '--json']);
  assert.notDeepEqual(JSON.parse(a.stdout).trajectory.estimate, JSON.parse(b.stdout).trajectory.estimate);
});

test('spectral norm: on by default for mice only; --spectral-norm / --no-spectral-norm override', () => {
  const sn = (args: string[]) => {
    const r = harness(['run', ...TINY, '--mi', '2', '--steps-per-level', '2', '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).spectralNorm;
  };
  assert.equal(sn(['--estimator', 'mice']), true);
  assert.equal(sn(['--estimator', 'nwj']), false);
  assert.equal(sn(['--estimator', 'nwj', '--spectral-norm']), true);
  assert.equal(sn(['--estimator', 'mice', '--no-spectral-norm']), false);
});

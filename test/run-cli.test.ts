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
    // Sizes no run can hold (issue 10): refused before training, naming the flag and the memory.
    [['--estimator', 'nwj', '--critic', 'joint', '--batch-size', '4096', '--hidden', '256', '--dim', '20'], /^harness: --batch-size 4096: .*needs 32 GiB of WebAssembly memory/],
    [['--estimator', 'nwj', '--batch-size', '30000', '--hidden', '256', '--embed', '32', '--dim', '20'], /^harness: --batch-size 30000: .*GiB/],
    [['--estimator', 'nwj', '--dim', '1e9'], /^harness: --dim 1000000000: .*parameters/],
    [['--estimator', 'nwj', '--hidden', '1000000'], /^harness: --hidden 1000000: .*parameters/],
    [['--estimator', 'nwj', '--embed', '1e9'], /^harness: --embed 1000000000: .*parameters/],
    [['--estimator', 'nwj', '--steps-per-level', '1e12'], /^harness: --steps-per-level 1000000000000: .*steps/],
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

test('output paths are checked before training: one line naming --out, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-run-out-'));
  const cases: [string, RegExp][] = [
    [join(dir, 'no', 'such', 'dir', 'out.json'), /^harness: --out .*: the directory .* does not exist$/],
    [dir, /^harness: --out .*: is a directory/],
  ];
  for (const [out, pattern] of cases) {
    const t0 = Date.now();
    // A run long enough that reaching training would show (200 000 steps), refused at once.
    const r = harness(['run', '--estimator', 'nwj', ...TINY, '--steps-per-level', '100000', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), pattern);
    assert.ok(Date.now() - t0 < 30_000, 'refused before training');
  }
});

test('a full disk while writing --out: one line, exit 2 (/dev/full answers every write with ENOSPC)', { skip: existsSync('/dev/full') ? false : 'no /dev/full here' }, () => {
  const r = harness(['run', '--estimator', 'nwj', ...TINY, '--out', '/dev/full']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), /^harness: --out \/dev\/full: could not write: no space left on the device \(ENOSPC\)/);
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

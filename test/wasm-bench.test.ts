/**
 * `harness bench` contract (never its timings): --json prints { results: [{ engine, backend,
 * critic, msPerStep, gflops }] } with one row per critic × wasm build (plus the 2-thread row),
 * GFLOP/s consistent with the stated FLOP count, and a bad flag exits 2 naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_SHAPE, flopsPerStep } from '../bench/step.js';
import { summariseRatios, type Ratio } from '../harness/commands/bench.js';

const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

test('bench FLOP counts: separable 60.0 MFLOP, joint 1.62 GFLOP at n=64, d=20, h=256, e=32', () => {
  assert.equal(flopsPerStep('separable'), 2 * (2 * 64 * (20 * 256 + 256 * 256 + 256 * 32) * 2 + 2 * 64 * (256 * 256 + 256 * 32)) + 6 * 64 * 64 * 32);
  assert.ok(Math.abs(flopsPerStep('separable') / 1e6 - 60.0) < 0.1);
  assert.ok(Math.abs(flopsPerStep('joint') / 1e9 - 1.62) < 0.005);
});

test('harness bench --json: one row per critic × wasm build, numbers finite', () => {
  const r = spawnSync(process.execPath, [cli, 'bench', '--engine', 'wasm', '--critic', 'separable', '--steps', '3', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { results: { engine: string; backend: string; critic: string; msPerStep: number; gflops: number; threads: number }[] };
  assert.ok(out.results.length >= 1);
  const backends = out.results.map((x) => `${x.backend}/${x.threads}`);
  assert.ok(backends.includes('wasm-simd/1'), backends.join(', '));
  for (const x of out.results) {
    assert.equal(x.engine, 'wasm');
    assert.equal(x.critic, 'separable');
    assert.ok(x.msPerStep > 0 && Number.isFinite(x.msPerStep));
    assert.ok(Math.abs(x.gflops - flopsPerStep('separable') / (x.msPerStep * 1e6)) < 1e-9 * x.gflops);
  }
});

test('harness bench --batch-size 16,48 --json: one row per n × critic × build, each with batchSize and threads', () => {
  const r = spawnSync(process.execPath, [cli, 'bench', '--engine', 'wasm', '--critic', 'both', '--batch-size', '16,48', '--steps', '2', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { results: { critic: 'joint' | 'separable'; batchSize: number; threads: number; msPerStep: number; gflops: number }[]; machine: { loadavg: number[]; loadavgEnd: number[] } };
  for (const n of [16, 48]) {
    for (const c of ['separable', 'joint'] as const) {
      const rows = out.results.filter((x) => x.batchSize === n && x.critic === c);
      assert.ok(rows.length >= 1, `${c} n=${n}`);
      for (const x of rows) {
        assert.ok(x.threads === 1 || x.threads === 2);
        assert.ok(Math.abs(x.gflops - flopsPerStep(c, { ...BENCH_SHAPE, n }) / (x.msPerStep * 1e6)) < 1e-9 * x.gflops);
      }
    }
  }
  assert.equal(out.machine.loadavg.length, 3);
  assert.equal(out.machine.loadavgEnd.length, 3);
});

test('harness bench: a bad flag exits 2 naming it', () => {
  for (const args of [['--batch-size', '64,x'], ['--batch-size', '1'], ['--critic', 'joint', '--batch-size', '4096']]) {
    const b = spawnSync(process.execPath, [cli, 'bench', '--engine', 'wasm', ...args], { encoding: 'utf8' });
    assert.equal(b.status, 2, `${args.join(' ')}: ${b.stderr}`);
    assert.match(b.stderr, /--batch-size/);
    assert.equal(b.stderr.trim().split('\n').length, 1);
  }
  // A size the engine cannot hold is named once: "harness: --batch-size 4096: … needs 32 GiB …".
  const big = spawnSync(process.execPath, [cli, 'bench', '--engine', 'wasm', '--critic', 'joint', '--batch-size', '4096'], { encoding: 'utf8' });
  assert.match(big.stderr, /^harness: --batch-size 4096: .*32 GiB/);
  const r = spawnSync(process.execPath, [cli, 'bench', '--critic', 'bogus'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--critic/);
  for (const steps of ['0', '1e12']) {
    const s = spawnSync(process.execPath, [cli, 'bench', '--steps', steps], { encoding: 'utf8' });
    assert.equal(s.status, 2, `--steps ${steps}: ${s.stderr}`);
    assert.match(s.stderr, /^harness: --steps/);
  }
});

test('harness bench --rounds 2: every case measured once per round, each row numbered', () => {
  const r = spawnSync(process.execPath, [cli, 'bench', '--engine', 'wasm', '--critic', 'separable', '--batch-size', '16', '--steps', '2', '--rounds', '2', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { results: { backend: string; threads: number; boundPrecision: string; round: number }[] };
  const cases = new Set(out.results.map((x) => `${x.backend}/${x.threads}/${x.boundPrecision}`));
  assert.ok(cases.size >= 1);
  for (const round of [1, 2]) {
    const rows = out.results.filter((x) => x.round === round);
    assert.deepEqual(new Set(rows.map((x) => `${x.backend}/${x.threads}/${x.boundPrecision}`)), cases, `round ${round}`);
    assert.equal(rows.length, cases.size);
  }
  assert.equal(out.results.length, 2 * cases.size);
  for (const bad of ['0', 'x', '1000']) {
    const b = spawnSync(process.execPath, [cli, 'bench', '--rounds', bad], { encoding: 'utf8' });
    assert.equal(b.status, 2, `--rounds ${bad}: ${b.stderr}`);
    assert.match(b.stderr, /^harness: --rounds/);
    assert.equal(b.stderr.trim().split('\n').length, 1);
  }
});

test('ratios over rounds: median, minimum and maximum per case, cases kept apart', () => {
  const q = (backend: string, batchSize: number, ratio: number, round: number): Ratio => ({
    engine: 'wasm', backend, threads: 1, critic: 'separable', batchSize, boundPrecision: 'float64', ratio, round,
  });
  const s = summariseRatios([q('a', 64, 1.2, 1), q('b', 64, 0.5, 1), q('a', 64, 0.9, 2), q('b', 64, 0.7, 2), q('a', 64, 1.0, 3), q('a', 256, 2, 1)]);
  assert.deepEqual(s.map((x) => [x.backend, x.batchSize, x.rounds, x.median, x.min, x.max]), [
    ['a', 64, 3, 1.0, 0.9, 1.2],
    ['b', 64, 2, 0.6, 0.5, 0.7],
    ['a', 256, 1, 2, 2, 2],
  ]);
});

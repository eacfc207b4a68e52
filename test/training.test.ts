/**
 * Training behaviour: a short run at the paper's settings lands near the true MI, and the
 * per-level statistics and divergence handling of the shared loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCell } from '../src/engine/run.js';
import { levelStats } from '../src/engine/levelStats.js';
import { summarise, trainLoop } from '../src/engine/train.js';
import type { CellSpec } from '../src/types.js';
import type { CriticRuntime } from '../src/engine/types.js';

const base: CellSpec = {
  estimator: 'smile', boundOptions: { tau: 1 }, critic: 'separable', spectralNorm: false,
  task: 'gaussian', mi: [2], stepsPerLevel: 1500, batchSize: 64, dim: 20, batchRho: 0, seed: 0,
  hidden: 256, embed: 32, lr: 5e-4, engine: 'auto', backend: 'auto',
};

test('SMILE(τ=1), Gaussian, 2 nats, paper architecture: lands near 2 nats within 1 500 steps', async () => {
  // Tolerance ±0.35 nats on the mean of steps 750–1500. SMILE(τ=1) is not a bound: at 2 nats
  // its clip costs little and it sits slightly above the truth (Song & Ermon 2020, Fig. 2;
  // measured here: 2.13 at seed 0). The window's own standard error is ~0.01 (variance ≈ 0.06
  // over ~750 autocorrelated steps), and seed-to-seed spread of the window mean is ~0.1, so 0.35
  // is > 3 spreads while a critic that has not learned (≤ 1.2 nats at this point) fails it.
  for (const seed of [0, 1]) {
    const r = await runCell({ ...base, seed });
    assert.equal(r.levels.length, 1);
    const m = r.levels[0].mean;
    assert.ok(Math.abs(m - 2) < 0.35, `seed ${seed}: mean ${m} on ${r.engine}/${r.backend}`);
    assert.equal(r.levels[0].nonFinite, 0);
  }
});

test('level statistics: last-half window, bias, population variance, MSE = bias² + variance, violations', () => {
  // Two levels of 4 steps; windows are steps [2, 4) and [6, 8).
  const est = [9, 9, 1, 3, 9, 9, 4, NaN];
  const [a, b] = levelStats(est, [2, 4], 4);
  assert.deepEqual(a.window, [2, 4]);
  assert.equal(a.mean, 2); assert.equal(a.bias, 0); assert.equal(a.variance, 1); assert.equal(a.mse, 1);
  assert.equal(a.violations, 0.5);
  assert.equal(b.mean, 4); assert.equal(b.nonFinite, 1); assert.equal(b.violations, 0); assert.equal(b.mse, 0);
});

test('divergence is a result: non-finite scores stop training and leave NaN estimates', () => {
  let calls = 0;
  const n = 4;
  const runtime: CriticRuntime = {
    engine: 'wasm', backend: 'fake',
    scores: () => { calls++; const s = new Float32Array(n * n).fill(calls > 3 ? NaN : 0.5); for (let i = 0; i < n; i++) s[i * n + i] = 1; return s; },
    step: () => {}, params: () => new Float32Array(0), spectralU: () => [], dispose: () => {},
  };
  const spec: CellSpec = { ...base, estimator: 'nwj', boundOptions: {}, mi: [2, 4], stepsPerLevel: 4, batchSize: n, dim: 2 };
  const out = trainLoop(spec, runtime);
  assert.equal(out.divergedAt, 3);
  assert.ok(Number.isFinite(out.estimates[2]));
  assert.ok(Number.isNaN(out.estimates[3]) && Number.isNaN(out.estimates[7]));
  const r = summarise(spec, runtime, out);
  assert.equal(r.levels[1].nonFinite, 2);
  assert.ok(Number.isNaN(r.levels[1].mean));
});

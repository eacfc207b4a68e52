/**
 * The WebGPU engine against the wasm engine, on a software adapter (SwiftShader; ./webgpu-env.ts):
 *
 *  - one step, every estimator, both critics (MICE with spectral norm on the last layer, and on
 *    every layer): scores, gradient and the parameters after Adam agree to float32 rounding.
 *    Tolerances, and why: scores ≤ 2e-6·(1 + max|S|) and gradients ≤ 2e-5·max|∂| + 1e-9 — the
 *    same float32 products summed in another order (tiles of 4 and 16 on the GPU, 4×8 SIMD tiles
 *    with fused multiply-adds on the CPU) differ by a few ulps of the sums' magnitudes; measured
 *    ≤ 2e-7 and ≤ 4e-8 relative. Parameters after the step: Adam's first step moves each
 *    weight by lr·g/(|g| + ε); each engine must equal that float64 step from its own gradient to
 *    1e-7, and the engines each other to lr·min(2, ε·δ/(|g| + ε)²) beyond it — a gradient
 *    difference δ moves the step by that much, which is large only for |g| near ε (seen: DV's
 *    tiny gradients moved a weight by 1.2e-6).
 *  - 200 training steps (staircase 2 → 4, 100 steps each) through the two loops (trainLoop on
 *    wasm, trainBatch on WebGPU), one estimator of each bound family, both critics: the bounds of
 *    test/wasm-vs-tfjs.test.ts, relative to 1 + |I_t|: ≤ 1e-5 at step 0, ≤ 2e-3 over the first 50
 *    steps, ≤ 5e-2 over all 200 (training amplifies rounding differences; a wrong kernel shows
 *    at step 0–10 as an O(1e-2…1) difference).
 *  - a batch of K cells (different estimators, seeds, tasks, ρ_batch, learning rates) equals the
 *    same cells trained one at a time, bit for bit; the same seed twice gives identical results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testGpu } from './webgpu-env.js';
import { criticLayout, initParams, initSpectralU, type SpectralNormLayers } from '../src/critics/layout.js';
import { dataStream, initStream } from '../src/rng.js';
import { wasmEngine } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM, type CriticRuntime } from '../src/engine/types.js';
import { trainLoop, updateFromScores } from '../src/engine/train.js';
import { trainBatch, WebGpuBatch } from '../src/engine/webgpu/index.js';
import { getBound } from '../src/bounds/index.js';
import { drawBatch } from '../src/tasks/draw.js';
import { ESTIMATORS, type CellResult, type CellSpec, type CriticKind, type EstimatorName } from '../src/types.js';
import { maxAbs, maxDiff } from './array-helpers.js';

const gpu = await testGpu('webgpu-engine');
const skip = gpu.skip ? `SKIPPED: ${gpu.skip}` : false;

function spec(over: Partial<CellSpec>): CellSpec {
  const estimator = (over.estimator ?? 'nwj') as EstimatorName;
  return {
    estimator, boundOptions: estimator === 'smile' ? { tau: 1 } : estimator === 'alpha-infonce' ? { alpha: 0.5 } : {},
    critic: 'separable', spectralNorm: estimator === 'mice', task: 'gaussian', mi: [2, 4], stepsPerLevel: 100,
    batchSize: 16, dim: 20, batchRho: 0, seed: 7, hidden: 32, embed: 8, lr: 5e-4, engine: 'webgpu', backend: 'auto',
    ...over,
  };
}

function layoutOf(s: CellSpec) {
  return criticLayout(s.critic, s.dim, s.hidden, s.embed, s.spectralNorm, s.dimY ?? s.dim, (s.spectralNormLayers ?? 'last') as SpectralNormLayers);
}

const oneStepCases: { critic: CriticKind; estimator: EstimatorName; sn?: 'all' }[] = [];
for (const critic of ['separable', 'joint'] as CriticKind[]) {
  for (const estimator of ESTIMATORS) oneStepCases.push({ critic, estimator });
  oneStepCases.push({ critic, estimator: 'mice', sn: 'all' });
}

for (const c of oneStepCases) {
  test(`one step: webgpu = wasm to float32 rounding (${c.critic}, ${c.estimator}${c.sn ? ', sn=all' : ''})`, { skip }, async () => {
    const s = spec({ critic: c.critic, estimator: c.estimator, ...(c.sn ? { spectralNormLayers: c.sn } : {}) });
    const layout = layoutOf(s);
    const rng = initStream(s.seed, s.critic, s.dim, s.hidden, s.embed);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const wasm = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us });
    const batch = new WebGpuBatch(gpu.handle!.device, layout, s.batchSize, [{ params, spectralU: us, adam: DEFAULT_ADAM }]);
    try {
      const n = s.batchSize;
      const b = drawBatch(s, dataStream(s.seed), n, 2);
      const bound = getBound(s.estimator);
      const sw = Float32Array.from(wasm.scores(b.x, b.y, n));
      const sg = Float32Array.from(await batch.scores(b.x, b.y));
      assert.ok(maxDiff(sg, sw) <= 2e-6 * (1 + maxAbs(sw)), `scores differ by ${maxDiff(sg, sw)} (max |S| ${maxAbs(sw)})`);
      const ow = updateFromScores(wasm, bound, sw, n, s.boundOptions, undefined, undefined)!;
      let dLoss = new Float32Array(0);
      const sink = { step: (d: Float32Array) => { dLoss = Float32Array.from(d.subarray(0, n * n)); } } as unknown as CriticRuntime;
      const og = updateFromScores(sink, bound, sg, n, s.boundOptions, undefined, undefined)!;
      batch.step(dLoss);
      assert.ok(Math.abs(og.estimate - ow.estimate) <= 1e-5 * (1 + Math.abs(ow.estimate)), `estimate ${og.estimate} vs ${ow.estimate}`);
      const gw = (wasm as unknown as { gradient(): Float32Array }).gradient();
      const [gg] = await batch.gradient();
      assert.ok(maxAbs(gw) > 0, 'the wasm gradient is zero: the case tests nothing');
      assert.ok(maxDiff(gg, gw) <= 2e-5 * maxAbs(gw) + 1e-9, `gradients differ by ${maxDiff(gg, gw)} (max |g| ${maxAbs(gw)})`);
      // Adam's first step is p − lr·g/(|g| + ε) (m̂ = g, v̂ = g²): check each engine's Adam against
      // that float64 step from its own gradient, then the engines against each other within what
      // the gradient difference δ can move a weight: lr·min(2, ε·δ/(|g| + ε)²) — large only where
      // |g| is near ε, where the step is ill-conditioned on any engine.
      const [pg] = await batch.params();
      const pw = wasm.params();
      const { lr, eps } = DEFAULT_ADAM;
      const delta = 2e-5 * maxAbs(gw) + 1e-9;
      for (let i = 0; i < pg.length; i++) {
        const fromG = (g: number) => params[i] - (lr * g) / (Math.abs(g) + eps);
        assert.ok(Math.abs(pg[i] - fromG(gg[i])) <= 1e-7 + 1e-6 * Math.abs(params[i]), `webgpu Adam at ${i}: ${pg[i]} vs ${fromG(gg[i])}`);
        assert.ok(Math.abs(pw[i] - fromG(gw[i])) <= 1e-7 + 1e-6 * Math.abs(params[i]), `wasm Adam at ${i}: ${pw[i]} vs ${fromG(gw[i])}`);
        const g = Math.abs(gw[i]);
        const tol = 1e-7 + 1e-6 * Math.abs(params[i]) + lr * Math.min(2, (eps * delta) / ((g + eps) * (g + eps)));
        assert.ok(Math.abs(pg[i] - pw[i]) <= tol, `parameters after Adam differ at ${i} by ${Math.abs(pg[i] - pw[i])} > ${tol}`);
      }
      if (s.spectralNorm) {
        const [ug] = await batch.spectralU();
        const uw = wasm.spectralU();
        assert.equal(ug.length, uw.length);
        ug.forEach((u, i) => assert.ok(maxDiff(u, uw[i]) <= 1e-5, `power-iteration vector ${i} differs by ${maxDiff(u, uw[i])}`));
      }
    } finally {
      wasm.dispose();
      batch.dispose();
    }
  });
}

/** One estimator per bound family: f-divergence (NWJ), DV with spectral norm and a blocked partition (MICE), contrastive (InfoNCE), f-GAN (JS). */
const FAMILIES: EstimatorName[] = ['nwj', 'mice', 'infonce', 'js'];

for (const critic of ['separable', 'joint'] as CriticKind[]) {
  for (const estimator of FAMILIES) {
    test(`200 steps: webgpu and wasm estimates agree (${critic}, ${estimator})`, { skip }, async () => {
      const s = spec({ critic, estimator });
      const layout = layoutOf(s);
      const rng = initStream(s.seed, s.critic, s.dim, s.hidden, s.embed);
      const params = initParams(layout, rng);
      const wasm = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng) });
      let a: Float64Array;
      try { a = trainLoop({ ...s, engine: 'wasm' }, wasm).estimates; } finally { wasm.dispose(); }
      const [r] = await trainBatch(gpu.handle!, [s]);
      const b = r.trajectory.estimate;
      assert.equal(r.trajectory.stride, 1);
      assert.equal(b.length, a.length);
      const rel = (t: number) => Math.abs(a[t] - b[t]) / (1 + Math.abs(a[t]));
      assert.ok(rel(0) <= 1e-5, `step 0: wasm ${a[0]}, webgpu ${b[0]}`);
      for (let t = 0; t < a.length; t++) {
        assert.ok(Number.isFinite(a[t]) && Number.isFinite(b[t]), `step ${t}: wasm ${a[t]}, webgpu ${b[t]}`);
        const tol = t < 50 ? 2e-3 : 5e-2;
        assert.ok(rel(t) <= tol, `step ${t}: wasm ${a[t]}, webgpu ${b[t]} (relative difference ${rel(t)} > ${tol})`);
      }
      assert.equal(r.engine, 'webgpu');
      assert.equal(r.gpu?.batch, 1);
      assert.equal(r.gpu?.adapter, gpu.handle!.info.description);
    });
  }
}

/** A CellResult without its timing fields (the only ones that may differ between runs). */
function numbers(r: CellResult) {
  const { wallMs: _w, msPerStep: _m, gpu, ...rest } = r;
  return { ...rest, gpu: { ...gpu, batchWallMs: 0, batch: 0 } };
}

const mixed: CellSpec[] = [
  spec({ estimator: 'nwj', seed: 1, stepsPerLevel: 20 }),
  spec({ estimator: 'mice', seed: 2, task: 'cubic', stepsPerLevel: 20 }),
  spec({ estimator: 'smile', seed: 1, batchRho: 0.3, lr: 1e-3, stepsPerLevel: 20 }),
  spec({ estimator: 'mine', seed: 3, batchRho: 'random', stepsPerLevel: 20 }),
];

test('a batch of K = 4 cells equals the same cells trained one at a time, bit for bit', { skip }, async () => {
  // mice's spectral norm gives the batch a different shape: it trains in a batch of its own.
  const sn = mixed.filter((s) => s.spectralNorm), plain = mixed.filter((s) => !s.spectralNorm);
  const together = [...(await trainBatch(gpu.handle!, plain)), ...(await trainBatch(gpu.handle!, sn))];
  const alone: CellResult[] = [];
  for (const s of [...plain, ...sn]) alone.push(...(await trainBatch(gpu.handle!, [s])));
  assert.equal(together[0].gpu?.batch, plain.length);
  together.forEach((r, i) => assert.deepEqual(numbers(r), numbers(alone[i]), `cell ${i} (${r.estimator})`));
});

test('a batch of K = 3 critics: every parameter after 5 steps equals the single-cell run, bit for bit', { skip }, async () => {
  const s = spec({ critic: 'joint' });
  const layout = layoutOf(s);
  const cells = [11, 12, 13].map((seed, z) => {
    const rng = initStream(seed, s.critic, s.dim, s.hidden, s.embed);
    return { params: initParams(layout, rng), spectralU: initSpectralU(layout, rng), adam: { ...DEFAULT_ADAM, lr: 5e-4 * (z + 1) } };
  });
  const n = s.batchSize;
  const run = async (cs: typeof cells, seeds: number[]) => {
    const batch = new WebGpuBatch(gpu.handle!.device, layout, n, cs);
    const streams = seeds.map((seed) => dataStream(seed));
    try {
      for (let t = 0; t < 5; t++) {
        const rows = streams.map((r) => drawBatch(s, r, n, 2));
        const x = new Float32Array(cs.length * n * s.dim), y = new Float32Array(cs.length * n * s.dim);
        rows.forEach((b, z) => { x.set(b.x, z * n * s.dim); y.set(b.y, z * n * s.dim); });
        const S = await batch.scores(x, y);
        const dLoss = new Float32Array(S.length);
        for (let i = 0; i < S.length; i++) dLoss[i] = Math.tanh(S[i]) / (n * n);
        batch.step(dLoss);
      }
      return await batch.params();
    } finally { batch.dispose(); }
  };
  const together = await run(cells, [11, 12, 13]);
  for (let z = 0; z < 3; z++) {
    const [alone] = await run([cells[z]], [11 + z]);
    assert.ok(together[z].every((v, i) => Object.is(v, alone[i])), `cell ${z}: parameters differ (max ${maxDiff(together[z], alone)})`);
  }
});

test('same seed, same result: two runs of a batch are identical', { skip }, async () => {
  const specs = mixed.filter((s) => !s.spectralNorm).map((s) => ({ ...s, critic: 'joint' as const }));
  const a = await trainBatch(gpu.handle!, specs);
  const b = await trainBatch(gpu.handle!, specs);
  a.forEach((r, i) => assert.deepEqual(numbers(r), numbers(b[i])));
});

test('webgpu refuses what it cannot train, with a usage error', { skip }, async () => {
  await assert.rejects(trainBatch(gpu.handle!, [spec({ finiteSample: { size: 200, testShare: 0.5, evalEvery: 10 } })]), /finite-sample protocol.*--engine wasm/);
  await assert.rejects(trainBatch(gpu.handle!, [spec({}), spec({ batchSize: 32 })]), /different shapes/);
});

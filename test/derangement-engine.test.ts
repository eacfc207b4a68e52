/**
 * Negatives by derangement on the engines (src/engine/wasm/runtime.ts, src/engine/train.ts):
 *
 *  - cost: the wasm joint critic evaluates 2n pairs given σ and n² without (pairsEvaluated); the
 *    separable critic n² either way;
 *  - value: the 2n scores, the gradient of a step and the parameters after Adam equal those of the
 *    all-pairs forward/backward whose dLoss/dS is zero off the deranged entries (float32 rounding:
 *    the same products on 2n rather than n² rows, summed in another order);
 *  - training: trainLoop (and the finite-sample protocol) with σ on the 2n-pair path against the
 *    same loop on a runtime that scores all n² pairs and lets the bound read the deranged
 *    entries; tfjs (all pairs, reading the entries) against wasm; WebGPU likewise where a
 *    software adapter exists. Tolerances as test/wasm-vs-tfjs.test.ts (relative to 1 + |I_t|):
 *    1e-5 at step 0, 2e-3 thereafter over these short runs; measured for the 2n-pair path against
 *    all pairs (fdime:kl, 30 steps): identical at step 0, ≤ 5e-9 after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng, initStream } from '../src/rng.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM, type CriticRuntime, type Engine } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import { trainFiniteSample } from '../src/engine/finiteSample.js';
import { trainBatch } from '../src/engine/webgpu/index.js';
import { drawDerangement } from '../src/bounds/derangement.js';
import { loadTfjsForTests } from './tfjs-engine.js';
import { testGpu } from './webgpu-env.js';
import type { CellSpec, CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';

const variants = (await bestVariant()) === 'relaxed' ? ['simd', 'relaxed'] as const : ['simd'] as const;

async function pair(kind: CriticKind, d: number, h: number, e: number, sn: boolean, variant: 'simd' | 'relaxed', seed = 1) {
  const layout = criticLayout(kind, d, h, e, sn);
  const rng = new Rng(['der-engine', kind, d, h, String(sn), seed]);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const make = async () => await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us, variant }) as WasmCriticRuntime;
  return { all: await make(), der: await make(), rng, params };
}

for (const variant of variants) {
  for (const c of [{ n: 12, d: 3, h: 8, sn: false }, { n: 20, d: 5, h: 36, sn: true }, { n: 2, d: 2, h: 4, sn: false }]) {
    test(`wasm joint critic: 2n pairs given σ, the same scores, gradient and step as all n² (${variant}, n=${c.n}, h=${c.h}, sn=${c.sn})`, async () => {
      const { all, der, rng } = await pair('joint', c.d, c.h, 1, c.sn, variant);
      try {
        const n = c.n;
        for (let step = 0; step < 3; step++) {
          const x = normals(rng, n * c.d), y = normals(rng, n * c.d);
          const sigma = drawDerangement(rng, n);
          const sa = Float32Array.from(all.scores(x, y, n));
          assert.equal(all.pairsEvaluated, n * n);
          const sd = Float32Array.from(der.scores(x, y, n, sigma));
          assert.equal(der.pairsEvaluated, 2 * n);
          const pick = (s: Float32Array) => Array.from({ length: 2 * n }, (_, r) => (r < n ? s[r * n + r] : s[(r - n) * n + sigma[r - n]]));
          const tol = 2e-6 * (1 + maxAbs(sa));
          assert.ok(maxDiff(pick(sd), pick(sa)) <= tol, `step ${step}: scores differ by ${maxDiff(pick(sd), pick(sa))}`);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
            if (j !== i && j !== sigma[i]) assert.ok(Number.isNaN(sd[i * n + j]), `entry (${i}, ${j}) was not evaluated, so NaN`);
          }
          const dLoss = new Float32Array(n * n);
          for (let i = 0; i < n; i++) { dLoss[i * n + i] = rng.normal() * 0.1; dLoss[i * n + sigma[i]] = rng.normal() * 0.1; }
          all.step(dLoss);
          der.step(dLoss);
          const ga = all.gradient(), gd = der.gradient();
          assert.ok(maxAbs(ga) > 1e-4, 'the gradient is not trivially zero');
          assert.ok(maxDiff(gd, ga) <= 1e-5 * maxAbs(ga) + 1e-9, `step ${step}: gradients differ by ${maxDiff(gd, ga)} (max ${maxAbs(ga)})`);
          // Adam moves each weight by about lr·sign(g): equal wherever the gradients are not tiny.
          assert.ok(maxDiff(der.params(), all.params()) <= 2e-6, `step ${step}: parameters differ by ${maxDiff(der.params(), all.params())}`);
          if (c.sn) all.spectralU().forEach((u, k) => assert.ok(maxDiff(u, der.spectralU()[k]) <= 1e-6));
        }
      } finally {
        all.dispose(); der.dispose();
      }
    });
  }
}

test('wasm separable critic: scores every pair either way (pairsEvaluated n²), the same bits', async () => {
  const { all, der, rng } = await pair('separable', 4, 12, 6, false, 'simd');
  try {
    const n = 9;
    const x = normals(rng, n * 4), y = normals(rng, n * 4);
    const sigma = drawDerangement(rng, n);
    const sa = Float32Array.from(all.scores(x, y, n));
    const sd = Float32Array.from(der.scores(x, y, n, sigma));
    assert.equal(der.pairsEvaluated, n * n);
    assert.deepEqual(sd, sa);
  } finally {
    all.dispose(); der.dispose();
  }
});

test('wasm: a σ that is not a derangement is refused', async () => {
  const { der, all } = await pair('joint', 2, 4, 1, false, 'simd');
  try {
    const x = new Float32Array(8);
    assert.throws(() => der.scores(x, x, 4, Int32Array.from([1, 0, 2, 3])), RangeError);
    assert.throws(() => der.scores(x, x, 4, Int32Array.from([1, 0])), RangeError);
  } finally {
    all.dispose(); der.dispose();
  }
});

function spec(over: Partial<CellSpec>): CellSpec {
  return {
    estimator: 'fdime', boundOptions: { fdimeF: 'kl' }, critic: 'joint', spectralNorm: false, task: 'gaussian', mi: [2, 4],
    stepsPerLevel: 15, batchSize: 16, dim: 5, batchRho: 0, seed: 4, hidden: 16, embed: 8, lr: 1e-3, engine: 'wasm', backend: 'wasm',
    negatives: 'derangement', ...over,
  };
}

async function runtimeFor(s: CellSpec, engine: Engine = wasmEngine, backend = 'wasm'): Promise<CriticRuntime> {
  const layout = criticLayout(s.critic, s.dim, s.hidden, s.embed, s.spectralNorm);
  const rng = initStream(s.seed, s.critic, s.dim, s.hidden, s.embed);
  return engine.create(layout, initParams(layout, rng), { adam: { ...DEFAULT_ADAM, lr: s.lr }, backend: backend as never, spectralU: initSpectralU(layout, rng), variant: 'simd' });
}

/** A runtime that scores all n² pairs whatever σ it is given (as tfjs and WebGPU do), counting them. */
function allPairs(rt: CriticRuntime): CriticRuntime & { counted: number[] } {
  const counted: number[] = [];
  return {
    engine: rt.engine, backend: rt.backend, counted,
    scores: (x, y, n) => { const s = rt.scores(x, y, n); counted.push(rt.pairsEvaluated ?? NaN); return s; },
    step: (d) => rt.step(d), params: () => rt.params(), spectralU: () => rt.spectralU(), dispose: () => rt.dispose(),
  };
}

function assertTrajectoriesClose(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length);
  for (let t = 0; t < a.length; t++) {
    assert.ok(Number.isFinite(a[t]) && Number.isFinite(b[t]), `${what}: step ${t} not finite`);
    const tol = (t === 0 ? 1e-5 : 2e-3) * (1 + Math.abs(b[t]));
    assert.ok(Math.abs(a[t] - b[t]) <= tol, `${what}: step ${t}: ${a[t]} vs ${b[t]}`);
  }
}

for (const over of [{}, { boundOptions: { fdimeF: 'gan' as const } }, { boundOptions: { fdimeF: 'hd' as const } }, { estimator: 'nwj', boundOptions: {} }, { estimator: 'smile', boundOptions: { tau: 1 } }, { estimator: 'mine', boundOptions: { emaRate: 0.01 } }] as Partial<CellSpec>[]) {
  const s = spec(over);
  test(`trainLoop, joint critic, ${s.estimator}${s.boundOptions.fdimeF ? `:${s.boundOptions.fdimeF}` : ''}: 2n pairs per step = all n² pairs read at σ`, async () => {
    const der = await runtimeFor(s);
    const all = allPairs(await runtimeFor(s));
    try {
      const a = trainLoop(s, der).estimates;
      assert.equal(der.pairsEvaluated, 2 * s.batchSize);
      const b = trainLoop(s, all).estimates;
      assert.ok(all.counted.length === a.length && all.counted.every((c) => c === s.batchSize ** 2));
      assertTrajectoriesClose(a, b, 'derangement path vs all pairs');
      // The option does something: all n(n − 1) negatives give another trajectory.
      const plain = { ...s };
      delete plain.negatives;
      const rt = await runtimeFor(plain);
      try {
        const c = trainLoop(plain, rt).estimates;
        assert.ok(c.some((v, t) => Math.abs(v - a[t]) > 1e-3), 'negatives by derangement changed nothing');
      } finally { rt.dispose(); }
    } finally {
      der.dispose(); all.dispose();
    }
  });
}

test('finite-sample protocol with negatives by derangement: the 2n-pair path equals all pairs (held-out evaluations too)', async () => {
  const s = spec({ mi: [2], stepsPerLevel: 40, finiteSample: { size: 96, testShare: 0.5, evalEvery: 10 } });
  const der = await runtimeFor(s);
  const all = allPairs(await runtimeFor(s));
  try {
    const a = trainFiniteSample(s, der), b = trainFiniteSample(s, all);
    assertTrajectoriesClose(a.estimates, b.estimates, 'training');
    assert.equal(a.heldOut!.evals.length, b.heldOut!.evals.length);
    assert.ok(a.heldOut!.evals.length >= 2);
    a.heldOut!.evals.forEach((e, k) => assert.ok(Math.abs(e.estimate - b.heldOut!.evals[k].estimate) <= 2e-3 * (1 + Math.abs(e.estimate)), `held-out ${k}`));
  } finally {
    der.dispose(); all.dispose();
  }
});

test('infonce with negatives by derangement is refused by the loop (UsageError), before any step', async () => {
  const s = spec({ estimator: 'infonce', boundOptions: {} });
  const rt = await runtimeFor(s);
  try {
    assert.throws(() => trainLoop(s, rt), /negatives=derangement: estimator 'infonce' cannot use it/);
  } finally { rt.dispose(); }
});

const { tfjs, backend: tfjsBackend, why } = await loadTfjsForTests();
for (const critic of ['joint', 'separable'] as CriticKind[]) {
  test(`tfjs (all pairs, reading σ's entries) = wasm with derangement (${critic})`, { skip: tfjs ? false : `SKIPPED: ${why}` }, async () => {
    const s = spec({ critic, stepsPerLevel: 10 });
    const w = await runtimeFor(s);
    const t = await runtimeFor(s, tfjs!, tfjsBackend);
    try {
      assertTrajectoriesClose(trainLoop(s, t).estimates, trainLoop(s, w).estimates, `tfjs vs wasm, ${critic}`);
      assert.equal(t.pairsEvaluated, s.batchSize ** 2);
      assert.equal(w.pairsEvaluated, critic === 'joint' ? 2 * s.batchSize : s.batchSize ** 2);
    } finally {
      w.dispose(); t.dispose();
    }
  });
}

const gpu = await testGpu('derangement-engine');
test('webgpu (all pairs, reading σ\'s entries) = wasm with derangement, joint and separable in one batch', { skip: gpu.skip ? `SKIPPED: ${gpu.skip}` : false }, async () => {
  for (const critic of ['joint', 'separable'] as CriticKind[]) {
    const specs = [spec({ critic, stepsPerLevel: 8, batchSize: 8, engine: 'webgpu' }), spec({ critic, stepsPerLevel: 8, batchSize: 8, engine: 'webgpu', estimator: 'nwj', boundOptions: {}, seed: 5 })];
    const results = await trainBatch(gpu.handle!, specs);
    for (const [z, s] of specs.entries()) {
      const rt = await runtimeFor(s);
      try {
        const want = trainLoop(s, rt).estimates;
        const got = Float64Array.from(results[z].trajectory.estimate);
        assert.equal(results[z].trajectory.stride, 1);
        assertTrajectoriesClose(got, want, `webgpu vs wasm, ${critic}, ${s.estimator}`);
      } finally { rt.dispose(); }
    }
  }
});

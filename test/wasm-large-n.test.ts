/**
 * The wasm engine at large batch sizes (issue 10): the checks of wasm-gradient, wasm-variants,
 * reference-fd and wasm-vs-tfjs, at n = 256 and 1 024 with the paper's layer sizes (d = 20,
 * h = 256, e = 32), where products run over several depth blocks (k = n > 256) and the bounds'
 * passes run on n² = 10⁶ scores.
 *  - both kernel builds against the float64 reference: scores 2e-5, gradient 1e-4 of the
 *    largest entry (separable, spectral norm on, n = 256 and 1 024);
 *  - the engine's own gradient against central finite differences of its own forward pass
 *    (float32, so ε is large and only parameters with a large gradient are checked; 2 % relative);
 *  - relaxed against plain SIMD on the joint critic at n = 256 (65 536 pairs, 256 depth blocks in
 *    ∂W2): scores 1e-5, gradient 1e-4 relative;
 *  - wasm against tfjs through the training loop, separable, n = 256 and 1 024, three steps of NWJ
 *    (relative to 1 + |I_t|: 1e-5 at step 0, 2e-3 after, as wasm-vs-tfjs).
 */
import { loadTfjsForTests } from './tfjs-engine.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU, type CriticLayout } from '../src/critics/layout.js';
import { Rng, initStream } from '../src/rng.js';
import { referenceGradient, referencePowerStep } from '../src/engine/reference.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM, type Engine } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import type { BackendChoice, CellSpec, CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';

const hasRelaxed = (await bestVariant()) === 'relaxed';
const variants: ('relaxed' | 'simd')[] = hasRelaxed ? ['relaxed', 'simd'] : ['simd'];

async function create(layout: CriticLayout, params: Float32Array, us: Float32Array[], variant: 'relaxed' | 'simd'): Promise<WasmCriticRuntime> {
  return await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us, variant }) as WasmCriticRuntime;
}

for (const n of [256, 1024]) {
  test(`separable n = ${n}: both builds match the float64 reference (scores, gradient)`, async () => {
    const layout = criticLayout('separable', 20, 256, 32, true);
    const rng = new Rng(['large-n', n]);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const x = normals(rng, n * 20), y = normals(rng, n * 20), r = normals(rng, n * n, 1 / n);
    const ref = referenceGradient(layout, params, x, y, n, r, referencePowerStep(layout, params, us));
    for (const variant of variants) {
      const rt = await create(layout, params, us, variant);
      try {
        const s = rt.scores(x, y, n);
        assert.ok(maxDiff(s, ref.scores) <= 2e-5 * Math.max(1, maxAbs(ref.scores)), `${variant}: scores differ by ${maxDiff(s, ref.scores)}`);
        rt.step(r);
        const g = rt.gradient();
        assert.ok(maxDiff(g, ref.grad) <= 1e-4 * maxAbs(ref.grad), `${variant}: gradient differs by ${maxDiff(g, ref.grad)} (largest ${maxAbs(ref.grad)})`);
      } finally {
        rt.dispose();
      }
    }
  });
}

test('separable n = 256: the wasm gradient matches central finite differences of the wasm forward pass', async () => {
  const n = 256;
  const layout = criticLayout('separable', 20, 256, 32, false);
  const rng = new Rng(['large-n-fd']);
  const params = initParams(layout, rng);
  const x = normals(rng, n * 20), y = normals(rng, n * 20), r = normals(rng, n * n, 1 / n);
  const variant = variants[0];
  const rt = await create(layout, params, [], variant);
  rt.scores(x, y, n);
  rt.step(r);
  const g = rt.gradient();
  rt.dispose();
  // L(θ) = Σ r ⊙ S(θ), in float64 from the engine's float32 scores.
  const loss = async (p: Float32Array): Promise<number> => {
    const q = await create(layout, p, [], variant);
    try {
      const s = q.scores(x, y, n);
      let l = 0;
      for (let i = 0; i < s.length; i++) l += r[i] * s[i];
      return l;
    } finally {
      q.dispose();
    }
  };
  // The 12 parameters with the largest gradient, each layer represented (largest per layer, then overall).
  const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
  const picks = new Set<number>();
  for (const tower of layout.towers) {
    for (const slot of tower) {
      const inLayer = order.find((i) => i >= slot.weight.offset && i < slot.weight.offset + slot.weight.size);
      if (inLayer !== undefined) picks.add(inLayer);
    }
  }
  for (const i of order) { if (picks.size >= 12) break; picks.add(i); }
  for (const i of picks) {
    const eps = 1e-2 * Math.max(1e-3, Math.abs(params[i]));
    const plus = Float32Array.from(params), minus = Float32Array.from(params);
    plus[i] += eps; minus[i] -= eps;
    const h = plus[i] - minus[i];
    const fd = ((await loss(plus)) - (await loss(minus))) / h;
    assert.ok(Math.abs(fd - g[i]) <= 0.02 * Math.abs(g[i]) + 1e-6, `parameter ${i}: finite difference ${fd}, gradient ${g[i]}`);
  }
});

test('joint n = 256 (65 536 pairs): relaxed and plain SIMD agree on one step', { skip: hasRelaxed ? false : 'relaxed SIMD is not available in this runtime' }, async () => {
  const n = 256;
  const layout = criticLayout('joint', 20, 256, 1, true);
  const rng = new Rng(['large-n-joint']);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const x = normals(rng, n * 20), y = normals(rng, n * 20), r = normals(rng, n * n, 1 / n);
  const out: { s: Float32Array; g: Float32Array }[] = [];
  for (const variant of ['relaxed', 'simd'] as const) {
    const rt = await create(layout, params, us, variant);
    try {
      const s = Float32Array.from(rt.scores(x, y, n));
      rt.step(r);
      out.push({ s, g: rt.gradient() });
    } finally {
      rt.dispose();
    }
  }
  const rel = (a: Float32Array, b: Float32Array): number => maxDiff(a, b) / Math.max(maxAbs(b), 1e-30);
  assert.ok(rel(out[0].s, out[1].s) < 1e-5, `scores: ${rel(out[0].s, out[1].s)}`);
  assert.ok(rel(out[0].g, out[1].g) < 1e-4, `gradient: ${rel(out[0].g, out[1].g)}`);
});

const { tfjs, backend: tfjsBackend, why } = await loadTfjsForTests();

for (const n of [256, 1024]) {
  test(`wasm and tfjs engines agree through the training loop at n = ${n} (separable, NWJ, 3 steps)`, { skip: tfjs ? false : why }, async () => {
    const kind: CriticKind = 'separable';
    const spec: CellSpec = {
      estimator: 'nwj', boundOptions: {}, critic: kind, spectralNorm: false, task: 'gaussian',
      mi: [2], stepsPerLevel: 3, batchSize: n, dim: 20, batchRho: 0, seed: 11,
      hidden: 256, embed: 32, lr: 5e-4, engine: 'wasm', backend: 'wasm',
    };
    const layout = criticLayout(kind, spec.dim, spec.hidden, spec.embed, false);
    const rng = initStream(spec.seed, kind, spec.dim, spec.hidden, spec.embed);
    const params = initParams(layout, rng);
    const runs: Float64Array[] = [];
    for (const [engine, backend] of [[wasmEngine, 'wasm'], [tfjs!, tfjsBackend]] as [Engine, BackendChoice][]) {
      const rt = await engine.create(layout, params, { adam: DEFAULT_ADAM, backend, spectralU: [] });
      try {
        runs.push(trainLoop(spec, rt).estimates);
      } finally {
        rt.dispose();
      }
    }
    const [a, b] = runs;
    for (let t = 0; t < a.length; t++) {
      const rel = Math.abs(a[t] - b[t]) / (1 + Math.abs(b[t]));
      assert.ok(rel <= (t === 0 ? 1e-5 : 2e-3), `step ${t}: wasm ${a[t]}, tfjs ${b[t]} (relative ${rel})`);
    }
  });
}

/**
 * The wasm engine against the float64 reference (src/engine/reference.ts, itself checked
 * against finite differences in reference-fd.test.ts): scores, the gradient of one step, the
 * power-iteration vector and the Adam update, both critics, with and without spectral norm,
 * both kernel builds. Shapes are chosen to hit the kernels' edge paths (sizes not multiples of
 * the 4×8 and 5×8 tiles) and, for the joint critic, several depth blocks (n² = 400 > 256 rows).
 * Tolerance: float32 kernels vs float64, relative to the largest entry: 2e-5 for scores,
 * 1e-4 for gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { referenceAdamInit, referenceAdamStep, referenceGradient, referencePowerStep } from '../src/engine/reference.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import type { CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';

interface Case { kind: CriticKind; n: number; d: number; h: number; e: number }

const CASES: Case[] = [
  { kind: 'separable', n: 7, d: 5, h: 12, e: 6 },
  { kind: 'separable', n: 64, d: 20, h: 40, e: 32 },
  { kind: 'joint', n: 5, d: 3, h: 8, e: 1 },
  { kind: 'joint', n: 20, d: 5, h: 36, e: 1 },
];

async function check(c: Case, spectralNorm: boolean, variant: 'relaxed' | 'simd'): Promise<void> {
  const label = `${c.kind} n=${c.n} h=${c.h} sn=${spectralNorm} ${variant}`;
  const layout = criticLayout(c.kind, c.d, c.h, c.e, spectralNorm);
  const rng = new Rng(['wasm-grad', c.kind, c.n, c.h, String(spectralNorm)]);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const x = normals(rng, c.n * c.d), y = normals(rng, c.n * c.d), r = normals(rng, c.n * c.n, 0.1);
  const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us, variant }) as WasmCriticRuntime;
  assert.equal(rt.backend, variant === 'relaxed' ? 'wasm-simd-relaxed' : 'wasm-simd');
  const s = rt.scores(x, y, c.n);
  const sn = spectralNorm ? referencePowerStep(layout, params, us) : undefined;
  const ref = referenceGradient(layout, params, x, y, c.n, r, sn);
  assert.ok(maxDiff(s, ref.scores) <= 2e-5 * Math.max(1, maxAbs(ref.scores)), `${label}: scores differ by ${maxDiff(s, ref.scores)}`);
  if (sn) {
    const u = rt.spectralU();
    sn.forEach((v, k) => assert.ok(maxDiff(u[k], v.u) < 1e-5, `${label}: u differs`));
  }
  rt.step(r);
  const g = rt.gradient();
  const scale = maxAbs(ref.grad);
  assert.ok(scale > 1e-3, `${label}: reference gradient is trivially small`);
  assert.ok(maxDiff(g, ref.grad) <= 1e-4 * scale, `${label}: gradient differs by ${maxDiff(g, ref.grad)} (scale ${scale})`);
  // Adam: the engine's update equals torch's formula applied to its own gradient (float64) …
  const p64 = Float64Array.from(params);
  referenceAdamStep(p64, g, referenceAdamInit(layout.size), DEFAULT_ADAM);
  const p = rt.params();
  assert.ok(maxDiff(p, p64) < 1e-6, `${label}: Adam update differs by ${maxDiff(p, p64)}`);
  // … and the reference's full step (gradient + Adam) wherever the gradient is not near zero
  // (step 1 moves each parameter by about lr·sign(g)).
  const q64 = Float64Array.from(params);
  referenceAdamStep(q64, ref.grad, referenceAdamInit(layout.size), DEFAULT_ADAM);
  for (let i = 0; i < layout.size; i++) {
    if (Math.abs(ref.grad[i]) < 1e-3 * scale) continue;
    assert.ok(Math.abs(p[i] - q64[i]) < 1e-6, `${label}: parameter ${i} after one step: ${p[i]} vs ${q64[i]}`);
  }
  rt.dispose();
}

const variants = async (): Promise<('relaxed' | 'simd')[]> => ((await bestVariant()) === 'relaxed' ? ['relaxed', 'simd'] : ['simd']);

for (const c of CASES) {
  for (const sn of [false, true]) {
    test(`wasm engine matches the float64 reference: ${c.kind} n=${c.n} d=${c.d} h=${c.h}${sn ? ' with spectral norm' : ''}`, async () => {
      for (const v of await variants()) await check(c, sn, v);
    });
  }
}

test('wasm engine is available for backend auto and wasm only', async () => {
  assert.equal(await wasmEngine.available('auto'), true);
  assert.equal(await wasmEngine.available('wasm'), true);
  assert.equal(await wasmEngine.available('cpu'), false);
  assert.equal(await wasmEngine.available('tensorflow'), false);
});

test('the batch size may change between calls (buffers grow; scores stay right)', async () => {
  for (const kind of ['separable', 'joint'] as CriticKind[]) {
    const layout = criticLayout(kind, 4, 8, 4, true);
    const rng = new Rng(['resize', kind]);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us }) as WasmCriticRuntime;
    const u = us.map((v) => Float64Array.from(v));
    for (const n of [5, 12, 3, 12]) {
      const x = normals(rng, n * 4), y = normals(rng, n * 4);
      const s = rt.scores(x, y, n);
      assert.equal(s.length, n * n);
      const sn = referencePowerStep(layout, params, u);
      sn.forEach((v, k) => u[k].set(v.u));
      const ref = referenceGradient(layout, params, x, y, n, new Float64Array(n * n), sn).scores;
      assert.ok(maxDiff(s, ref) <= 2e-5 * Math.max(1, maxAbs(ref)), `${kind} n=${n}`);
    }
    rt.dispose();
  }
});

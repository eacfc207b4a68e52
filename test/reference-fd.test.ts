/**
 * The float64 reference (src/engine/reference.ts) against central finite differences, both
 * critics, with and without spectral norm. The loss is L = Σ R ⊙ S for a fixed random R, with the
 * spectral vectors u, v held fixed at their values after this step's power iteration (so
 * σ(W) = uᵀWv, exactly what the analytic gradient (G − ⟨G, W_SN⟩ u vᵀ)/σ differentiates).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU, type CriticLayout } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { referenceGradient, referencePowerStep, referenceScores, referenceAdamInit, referenceAdamStep } from '../src/engine/reference.js';
import { spectralNormExact } from '../src/critics/spectralNorm.js';
import type { CriticKind } from '../src/types.js';
import { normals64 } from './array-helpers.js';

function fdCheck(kind: CriticKind, spectralNorm: boolean): void {
  const n = 4, d = 3;
  const layout: CriticLayout = criticLayout(kind, d, 6, 3, spectralNorm);
  const rng = new Rng(['fd', kind, String(spectralNorm)]);
  const params = Float64Array.from(initParams(layout, rng));
  const us = initSpectralU(layout, rng);
  const x = normals64(rng, n * d), y = normals64(rng, n * d), r = normals64(rng, n * n);
  const sn = spectralNorm ? referencePowerStep(layout, params, us) : undefined;
  const { grad } = referenceGradient(layout, params, x, y, n, r, sn);
  const loss = (p: Float64Array): number => {
    const s = referenceScores(layout, p, x, y, n, sn);
    let l = 0;
    for (let i = 0; i < n * n; i++) l += r[i] * s[i];
    return l;
  };
  const h = 1e-6;
  let worst = 0;
  for (let i = 0; i < layout.size; i++) {
    const p = Float64Array.from(params);
    p[i] = params[i] + h; const lp = loss(p);
    p[i] = params[i] - h; const lm = loss(p);
    const fd = (lp - lm) / (2 * h);
    const err = Math.abs(fd - grad[i]) / (1e-4 + Math.abs(grad[i]));
    worst = Math.max(worst, err);
  }
  assert.ok(worst < 1e-5, `${kind} sn=${spectralNorm}: worst relative FD error ${worst}`);
  // The gradient is not trivially zero.
  assert.ok(grad.some((g) => Math.abs(g) > 1e-3));
}

test('reference gradient matches finite differences: separable critic', () => fdCheck('separable', false));
test('reference gradient matches finite differences: separable critic with spectral norm', () => fdCheck('separable', true));
test('reference gradient matches finite differences: joint critic', () => fdCheck('joint', false));
test('reference gradient matches finite differences: joint critic with spectral norm', () => fdCheck('joint', true));

test('reference power step gives σ = ‖w‖ for the joint critic\'s 1×h last layer', () => {
  const layout = criticLayout('joint', 3, 8, 1, true);
  const rng = new Rng(['sigma']);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const [sn] = referencePowerStep(layout, params, us);
  const l2 = layout.towers[0][2].weight;
  const w = Array.from(params.subarray(l2.offset, l2.offset + l2.size));
  let sigma = 0;
  for (let j = 0; j < w.length; j++) sigma += sn.u[0] * w[j] * sn.v[j];
  assert.ok(Math.abs(sigma - spectralNormExact(w, 1, w.length)) < 1e-6);
  // The caller's u is not mutated.
  assert.equal(us[0].length, 1);
});

test('reference Adam matches the closed form of the first two steps', () => {
  const adam = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const p = Float64Array.from([1, 1]);
  const st = referenceAdamInit(2);
  referenceAdamStep(p, [2, -0.5], st, adam);
  // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g).
  assert.ok(Math.abs(p[0] - 0.9) < 1e-8 && Math.abs(p[1] - 1.1) < 1e-8);
  const p1 = p[1];
  referenceAdamStep(p, [2, 0.5], st, adam);
  const m = -0.9 * 0.1 * 0.5 + 0.1 * 0.5, v = 0.999 * 0.001 * 0.25 + 0.001 * 0.25;
  const expected = p1 - 0.1 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
  assert.ok(Math.abs(p[1] - expected) < 1e-12);
});

/**
 * The variational critic and the auxiliary networks (FLO's u, DoE's marginal) in the float64
 * reference (src/engine/reference.ts) against central finite differences, and their layouts
 * (src/critics/layout.ts): the auxiliary tensors come after the critic's, so a critic with an
 * auxiliary network starts from the same weights as the same seed's critic without one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { referenceAux, referenceGradient, referenceScores } from '../src/engine/reference.js';
import type { BoundAux, CriticKind } from '../src/types.js';
import { normals64 } from './array-helpers.js';

function fd(loss: (p: Float64Array) => number, params: Float64Array, analytic: Float64Array, what: string): void {
  const h = 1e-6;
  let worst = 0;
  for (let i = 0; i < params.length; i++) {
    const p = Float64Array.from(params);
    p[i] = params[i] + h; const lp = loss(p);
    p[i] = params[i] - h; const lm = loss(p);
    const g = (lp - lm) / (2 * h);
    worst = Math.max(worst, Math.abs(g - analytic[i]) / (1e-4 + Math.abs(analytic[i])));
  }
  assert.ok(worst < 1e-5, `${what}: worst relative FD error ${worst}`);
  assert.ok(analytic.some((g) => Math.abs(g) > 1e-3), `${what}: gradient trivially small`);
}

test('variational critic: S is log q(y_j | x_i) of the Gaussian the tower outputs; its gradient matches finite differences', () => {
  const n = 4, d = 3, dy = 2;
  const layout = criticLayout('variational', d, 6, 99, false, dy);
  assert.equal(layout.embed, 2 * dy, 'the tower outputs [μ, log σ²]');
  assert.equal(layout.towers.length, 1);
  assert.deepEqual(layout.towers[0].map((l) => l.weight.shape), [[6, d], [6, 6], [2 * dy, 6]]);
  const rng = new Rng(['fd-variational']);
  const params = Float64Array.from(initParams(layout, rng));
  const x = normals64(rng, n * d), y = normals64(rng, n * dy), r = normals64(rng, n * n);
  const s = referenceScores(layout, params, x, y, n);
  assert.equal(s.length, n * n);
  const { grad } = referenceGradient(layout, params, x, y, n, r);
  fd((p) => {
    const t = referenceScores(layout, p, x, y, n);
    let l = 0;
    for (let k = 0; k < n * n; k++) l += r[k] * t[k];
    return l;
  }, params, grad, 'variational');
  // Each row of exp(S) integrates to one over y: check the 1-D case by quadrature.
  const l1 = criticLayout('variational', 1, 5, 1, false, 1);
  const p1 = initParams(l1, new Rng(['fd-variational-1d']));
  const xs = Float64Array.from([0.3]);
  let mass = 0;
  const ys = Float64Array.from({ length: 4001 }, (_, k) => -20 + k * 0.01);
  for (const yv of ys) mass += Math.exp(referenceScores(l1, p1, xs, Float64Array.from([yv]), 1)[0]) * 0.01;
  assert.ok(Math.abs(mass - 1) < 1e-6, `∫ q(y|x) dy = ${mass}`);
  assert.ok(s.every(Number.isFinite));
});

for (const [kind, aux] of [['separable', 'u'], ['joint', 'u'], ['variational', 'marginal']] as [CriticKind, BoundAux][]) {
  test(`auxiliary network '${aux}' on the ${kind} critic: outputs and gradient against finite differences`, () => {
    const n = 5, d = 3, dy = 2, h = 6;
    const plain = criticLayout(kind, d, h, 3, false, dy);
    const layout = criticLayout(kind, d, h, 3, false, dy, 'last', aux);
    assert.equal(layout.aux?.kind, aux);
    assert.deepEqual(layout.towers, plain.towers, 'the critic\'s slots are unchanged');
    assert.ok(layout.size > plain.size);
    // Same seed: the critic's initial weights are those of the plain critic.
    const p0 = initParams(plain, new Rng(['fd-aux', kind])), p1 = initParams(layout, new Rng(['fd-aux', kind]));
    assert.deepEqual(p1.subarray(0, plain.size), p0);
    const rng = new Rng(['fd-aux-data', kind, aux]);
    const params = Float64Array.from(p1);
    if (aux === 'marginal') {
      // Starts at the standard normal; move it so that the gradient test is not at a special point.
      const a = layout.aux as { mean: { offset: number }; logVar: { offset: number } };
      for (let k = 0; k < dy; k++) { assert.equal(params[a.mean.offset + k], 0); assert.equal(params[a.logVar.offset + k], 0); }
      for (let k = 0; k < dy; k++) { params[a.mean.offset + k] = 0.4 * rng.normal(); params[a.logVar.offset + k] = 0.3 * rng.normal(); }
    }
    const x = normals64(rng, n * d), y = normals64(rng, n * dy), r = normals64(rng, n);
    const grad = new Float64Array(layout.size);
    const out = referenceAux(layout, params, x, y, n, r, grad);
    assert.equal(out.length, n);
    if (aux === 'marginal') {
      const a = layout.aux as { mean: { offset: number }; logVar: { offset: number } };
      for (let j = 0; j < n; j++) {
        let want = 0;
        for (let k = 0; k < dy; k++) {
          const m = params[a.mean.offset + k], sd = Math.exp(params[a.logVar.offset + k] / 2);
          want += Math.log(Math.exp(-0.5 * ((y[j * dy + k] - m) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI)));
        }
        assert.ok(Math.abs(out[j] - want) < 1e-12);
      }
    }
    // Only the auxiliary tensors get a gradient from dL/dAux.
    for (let i = 0; i < plain.size; i++) assert.equal(grad[i], 0);
    fd((p) => {
      const a = referenceAux(layout, p, x, y, n);
      let l = 0;
      for (let i = 0; i < n; i++) l += r[i] * a[i];
      return l;
    }, params, grad, `${kind}+${aux}`);
  });
}

test('u reads the positive pairs only: permuting y changes u, permuting the batch permutes u', () => {
  const n = 4, d = 2;
  const layout = criticLayout('separable', d, 8, 3, false, d, 'last', 'u');
  const rng = new Rng(['u-pairs']);
  const params = initParams(layout, rng);
  const x = normals64(rng, n * d), y = normals64(rng, n * d);
  const u = referenceAux(layout, params, x, y, n);
  const perm = [2, 0, 3, 1];
  const px = Float64Array.from(perm.flatMap((i) => [x[i * d], x[i * d + 1]]));
  const py = Float64Array.from(perm.flatMap((i) => [y[i * d], y[i * d + 1]]));
  const pu = referenceAux(layout, params, px, py, n);
  perm.forEach((i, k) => assert.ok(Math.abs(pu[k] - u[i]) < 1e-12));
  const shifted = referenceAux(layout, params, x, Float64Array.from(py), n);
  assert.ok(shifted.some((v, i) => Math.abs(v - u[i]) > 1e-6));
  assert.equal(initSpectralU(layout, rng).length, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/rng.js';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { powerIteration, spectralNormExact } from '../src/critics/spectralNorm.js';

test('layout sizes: joint 2d→h→h→1, separable two towers d→h→h→e', () => {
  const j = criticLayout('joint', 20, 256, 32, false);
  assert.equal(j.size, (40 * 256 + 256) + (256 * 256 + 256) + (256 + 1));
  const s = criticLayout('separable', 20, 256, 32, false);
  assert.equal(s.size, 2 * ((20 * 256 + 256) + (256 * 256 + 256) + (256 * 32 + 32)));
  assert.equal(j.towers[0][2].spectralNorm, false);
  assert.equal(criticLayout('separable', 3, 8, 4, true).towers.flat().filter((l) => l.spectralNorm).length, 2);
});

test('initialisation: U(−1/√fan_in, 1/√fan_in), deterministic per stream', () => {
  const l = criticLayout('joint', 5, 16, 4, true);
  const p = initParams(l, new Rng(['init', 1]));
  assert.deepEqual(p, initParams(l, new Rng(['init', 1])));
  for (const layer of l.towers.flat()) {
    for (const t of [layer.weight, layer.bias]) {
      const b = 1 / Math.sqrt(t.fanIn);
      for (let i = 0; i < t.size; i++) assert.ok(Math.abs(p[t.offset + i]) <= b);
    }
  }
  const u = initSpectralU(l, new Rng(['init', 1]));
  assert.equal(u.length, 1);
  assert.ok(Math.abs(Math.hypot(...u[0]) - 1) < 1e-6);
});

test('spectral norm: σ(W/σ̂) ≤ 1 after the power iteration has run, and σ̂ → σ_max', () => {
  const rng = new Rng(['sn-test']);
  for (const [out, inp] of [[1, 256], [32, 256], [7, 3]] as const) {
    const w = Float64Array.from({ length: out * inp }, () => rng.normal() * 0.3);
    const u = Float32Array.from({ length: out }, () => rng.normal());
    let sigma = 0;
    // A persistent u sharpens over training steps; 30 steps stand in for 30 training steps.
    for (let k = 0; k < 30; k++) sigma = powerIteration(w, out, inp, u).sigma;
    const exact = spectralNormExact(w, out, inp, 500);
    const normalised = w.map((v) => v / sigma);
    const sn = spectralNormExact(normalised, out, inp, 500);
    assert.ok(sn <= 1 + 1e-3, `σ(W_SN) = ${sn} for ${out}×${inp}`);
    assert.ok(Math.abs(sigma - exact) / exact < 1e-3);
    if (out === 1) {
      // For a 256→1 layer σ is ‖w‖₂ after a single step.
      const u1 = new Float32Array([1]);
      assert.ok(Math.abs(powerIteration(w, 1, inp, u1).sigma - Math.hypot(...w)) < 1e-9 * Math.hypot(...w));
    }
  }
});

/**
 * The MI term's gradient on the generator in the 'grid' setup (paper eq. 21, −β·I(G(Z, C); C)),
 * with the categorical code (one-hot over 25 values, InfoGAN style) and the continuous one: the
 * generator's parameter gradient of −β·objective, computed by the engine's backward passes
 * (bound → dObjective/dS → critic → x̃ → generator with batch norm), equals a central finite
 * difference of −β·objective in the generator's parameters; it is exactly zero at β = 0.
 * On the wasm engine (float32), on the largest entries of each layer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmGanEngine } from '../src/gan/wasm.js';
import { createGridGan, gridGeneratorMiGrad, gridGeneratorMiObjective, gridTrainStep, sampleLatent, type GanCode } from '../src/gan/loop.js';
import { GRID_SETUP, type GridSetup } from '../src/gan/setup.js';
import { Rng } from '../src/rng.js';
import type { BoundOptions } from '../src/types.js';

// With batch norm, initStd 0.5 rather than PacGAN's 0.02: batch norm divides by the spread of its
// inputs, so with tiny weights the objective bends on the scale of the weights themselves and a
// float32-sized finite-difference step no longer sees a straight line (the gradient is right either way).
const small: GridSetup = { ...GRID_SETUP, batchSize: 32, genHidden: 16, genLayers: 2, discHidden: 12, discLayers: 2, critHidden: 16, critEmbed: 8, steps: 1000, emaDecay: 0 };
const withBn: GridSetup = { ...small, genBatchNorm: true, initStd: 0.5 };

const cases: Array<[string, 'mice' | 'mine' | 'smile', GanCode, BoundOptions, GridSetup]> = [
  ['mice (DV, critic unblocked)', 'mice', 'categorical', {}, small],
  ['mice (DV, critic blocked: Algorithm 1)', 'mice', 'categorical', { miceBlockPartition: true }, small],
  ['mice (NWJ form, eq. 14)', 'mice', 'categorical', { miceForm: 'nwj' }, small],
  ['mine', 'mine', 'categorical', {}, small],
  ['smile (τ = 1)', 'smile', 'categorical', { tau: 1 }, small],
  ['mice (DV), continuous code', 'mice', 'continuous', {}, small],
  ['mice (DV), batch-normalised generator', 'mice', 'categorical', {}, withBn],
];

for (const [name, variant, code, boundOptions, setup] of cases) {
  test(`${code} code, ${name}: the generator's MI gradient equals the finite difference of −β·objective`, async () => {
    const engine = await createWasmGanEngine();
    assert.ok(engine);
    const beta = 0.7;
    const g = createGridGan(engine, setup, { variant, seed: 11, beta, code, boundOptions });
    for (let i = 0; i < 20; i++) gridTrainStep(g); // off the initialisation (and seeds MINE's average)
    g.critX!.refreshSpectralNorm();
    g.critC!.refreshSpectralNorm();
    const lat = sampleLatent(g, new Rng(['fd', code]), setup.batchSize);
    if (code === 'categorical') {
      // The code the critic sees is one-hot: one 1 per row, and it is also G's last 25 inputs.
      for (let i = 0; i < lat.n; i++) {
        const row = Array.from(lat.c.subarray(25 * i, 25 * i + 25));
        assert.equal(row.filter((v) => v === 1).length, 1);
        assert.equal(row.filter((v) => v === 0).length, 24);
        const w = setup.noiseDim + 25;
        assert.deepEqual(Array.from(lat.z.subarray(w * i + setup.noiseDim, w * (i + 1))), row);
      }
    }
    const grad = gridGeneratorMiGrad(g, lat);
    const p0 = g.gen.params();
    const f = (p: Float32Array) => { g.gen.setParams(p); return -beta * gridGeneratorMiObjective(g, lat); };
    let checked = 0;
    for (const layer of g.gen.def.layers) {
      // The largest few weight entries of the layer (and γ where present).
      const idx = Array.from({ length: layer.inp * layer.units }, (_, i) => layer.w + i)
        .sort((a, b) => Math.abs(grad[b]) - Math.abs(grad[a])).slice(0, 3);
      if (layer.gamma >= 0) idx.push(layer.gamma + Array.from({ length: layer.units }, (_, j) => j).sort((a, b) => Math.abs(grad[layer.gamma + b]) - Math.abs(grad[layer.gamma + a]))[0]);
      for (const i of idx) {
        // Two step sizes: a ReLU kink within the larger step bends the difference, float32
        // rounding blurs the smaller one; the gradient must match at one of them.
        const fds = [2e-3, 4e-4].map((h) => {
          const up = Float32Array.from(p0), dn = Float32Array.from(p0);
          up[i] += h; dn[i] -= h;
          return (f(up) - f(dn)) / (up[i] - dn[i]);
        });
        assert.ok(Math.abs(grad[i]) > 1e-6, `entry ${i}: gradient ${grad[i]} too small to test`);
        assert.ok(fds.some((fd) => Math.abs(fd - grad[i]) <= 0.03 * Math.abs(grad[i]) + 2e-5), `entry ${i}: analytic ${grad[i]}, finite differences ${fds.join(', ')}`);
        checked++;
      }
    }
    g.gen.setParams(p0);
    assert.ok(checked >= 9);
    engine.dispose();
  });
}

test('β = 0: the MI part of the generator gradient is exactly zero (the critic still trains)', async () => {
  const engine = await createWasmGanEngine();
  assert.ok(engine);
  const g = createGridGan(engine, small, { variant: 'mice', seed: 3, beta: 0, code: 'categorical' });
  const before = g.critX!.params();
  for (let i = 0; i < 3; i++) gridTrainStep(g);
  assert.notDeepEqual(g.critX!.params(), before);
  const lat = sampleLatent(g, new Rng(['fd0']), small.batchSize);
  assert.ok(gridGeneratorMiGrad(g, lat).every((v) => v === 0));
  engine.dispose();
});

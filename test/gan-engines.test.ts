/**
 * The two GAN engines (src/gan/wasm.ts on the project's kernels, src/gan/tfjsNets.ts on tfjs)
 * agree: layer by layer (batch norm, maxout, spectral norm; forward, parameter and input
 * gradients, Adam, EMA) and over a short training run of the 'grid' setup (losses, MI estimate
 * and generated samples step by step), as the critic engines do (test/wasm-vs-tfjs.test.ts).
 * Float32 on both sides with different summation orders, so agreement is to a relative
 * tolerance, not bitwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf } from '../src/engine/tfjs/backends.js';
import { createWasmGanEngine } from '../src/gan/wasm.js';
import { TfjsGanEngine } from '../src/gan/tfjsNets.js';
import type { GanEngine } from '../src/gan/engine.js';
import { discriminatorDef, generatorDef, initNet, initSpectralVector, towerDef, type GanNetDef } from '../src/gan/nets.js';
import { createGridGan, gridGenerate, gridTrainStep, sampleLatent } from '../src/gan/loop.js';
import { GRID_SETUP, type GridSetup } from '../src/gan/setup.js';
import { Rng } from '../src/rng.js';
import { normals } from './array-helpers.js';

async function engines(): Promise<[GanEngine, GanEngine]> {
  const wasm = await createWasmGanEngine();
  assert.ok(wasm, 'the wasm kernels must be built');
  const { tf, backend } = await initTf('cpu');
  return [wasm, new TfjsGanEngine(tf, backend)];
}

/** max |a − b| / (max |b| + floor): a relative error on the array's scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  assert.equal(a.length, b.length);
  let d = 0, s = floor;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return d / s;
}

const adam = { beta1: 0.8, beta2: 0.999, eps: 1e-8 };

const nets: Array<[string, () => GanNetDef, 'normal' | 'fanIn']> = [
  ['generator (BN + ReLU, odd widths)', () => generatorDef(27, 13, 3, true), 'normal'],
  ['discriminator (maxout, 5 pieces)', () => discriminatorDef(10, 2, 5), 'normal'],
  ['tower with a spectrally normalised last layer', () => towerDef(25, [12, 12], 8, true), 'fanIn'],
];

for (const [name, mk, initKind] of nets) {
  test(`engines agree on one network: ${name} (forward, ∂θ, ∂x, Adam, EMA)`, async () => {
    const [wasm, tfjs] = await engines();
    try {
      const def = mk();
      const rng = new Rng(['gan-engines', name]);
      const p = initNet(def, rng, initKind === 'normal' ? { kind: 'normal', std: 0.3 } : { kind: 'fanIn' });
      const u = initSpectralVector(def, rng);
      const opts = { adam, ema: !def.spectralNormLast, ...(u ? { spectralU: u } : {}) };
      const a = wasm.createNet(def, p, opts), b = tfjs.createNet(def, p, opts);
      const n = 37;
      for (let step = 0; step < 3; step++) {
        a.refreshSpectralNorm(); b.refreshSpectralNorm();
        const x = normals(rng, n * def.inp);
        const dOut = normals(rng, n * def.out, 0.1);
        const ya = Float32Array.from(a.forward(x, n)), yb = Float32Array.from(b.forward(x, n));
        assert.ok(relErr(ya, yb) < 1e-4, `forward ${relErr(ya, yb)}`);
        const dxa = a.backward(dOut, { params: true, input: true })!, dxb = b.backward(dOut, { params: true, input: true })!;
        assert.ok(relErr(dxa, dxb) < 1e-4, `∂x ${relErr(dxa, dxb)}`);
        assert.ok(relErr(a.grads(), b.grads()) < 1e-4, `∂θ ${relErr(a.grads(), b.grads())}`);
        a.adam(1e-2); b.adam(1e-2);
        assert.ok(relErr(a.params(), b.params()) < 1e-4, `Adam ${relErr(a.params(), b.params())}`);
        if (opts.ema) {
          a.updateEma(0.9); b.updateEma(0.9);
          const ea = Float32Array.from(a.forward(x, n, { ema: true })), eb = Float32Array.from(b.forward(x, n, { ema: true }));
          assert.ok(relErr(ea, eb) < 1e-4, `EMA forward ${relErr(ea, eb)}`);
        }
      }
    } finally { wasm.dispose(); tfjs.dispose(); }
  });
}

test('maxout and batch norm behave as defined (wasm engine against hand computation)', async () => {
  const [wasm, tfjs] = await engines();
  tfjs.dispose();
  // One maxout layer of 1 unit × 3 pieces on a 1-dimensional input, then a linear output.
  const def = discriminatorDef(1, 1, 3, 1);
  const p = new Float32Array(def.size);
  const l0 = def.layers[0], l1 = def.layers[1];
  p.set([1, -1, 0.5], l0.w); p.set([0, 0, 1], l0.b); // pieces: x, −x, x/2 + 1
  p[l1.w] = 2; p[l1.b] = 0.25;
  const net = wasm.createNet(def, p, { adam });
  const x = Float32Array.from([3, -3, 1]);
  const y = net.forward(x, 3);
  // max(3, −3, 2.5) = 3; max(−3, 3, −0.5) = 3; max(1, −1, 1.5) = 1.5; output 2h + 0.25.
  assert.deepEqual(Array.from(y), [6.25, 6.25, 3.25]);
  const dx = net.backward(Float32Array.from([1, 1, 1]), { params: true, input: true })!;
  // ∂y/∂x = 2·slope of the winning piece: 1, −1, 0.5.
  assert.deepEqual(Array.from(dx), [2, -2, 1]);
  // Batch norm (training mode): a one-hidden-layer generator against a float64 hand computation.
  const g = generatorDef(2, 4, 1, true);
  const pg = initNet(g, new Rng(['bn']), { kind: 'normal', std: 1 });
  const [h0, o] = g.layers;
  for (let j = 0; j < 4; j++) { pg[h0.gamma + j] = 0.5 + j; pg[h0.beta + j] = j - 1.5; }
  pg[o.b] = 0.1; pg[o.b + 1] = -0.2;
  const xs = Float32Array.from([1, 2, -1, 0.5, 3, -2, 0, 0, 2, 2, -0.5, 1]);
  const n = 6;
  const got = wasm.createNet(g, pg, { adam }).forward(xs, n);
  const expected: number[] = [];
  const hid: number[][] = [];
  for (let j = 0; j < 4; j++) {
    const z = Array.from({ length: n }, (_, r) => xs[2 * r] * pg[h0.w + j] + xs[2 * r + 1] * pg[h0.w + 4 + j]);
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    hid.push(z.map((v) => Math.max(0, pg[h0.gamma + j] * (v - mean) / Math.sqrt(variance + 1e-5) + pg[h0.beta + j])));
  }
  for (let r = 0; r < n; r++) for (let k = 0; k < 2; k++) {
    let s = pg[o.b + k];
    for (let j = 0; j < 4; j++) s += hid[j][r] * pg[o.w + j * 2 + k];
    expected.push(s);
  }
  assert.ok(relErr(got, expected) < 1e-5, `BN forward ${relErr(got, expected)}`);
  wasm.dispose();
});

const tiny: GridSetup = { ...GRID_SETUP, batchSize: 24, genHidden: 16, genLayers: 2, discHidden: 12, discLayers: 2, critHidden: 8, critEmbed: 4, steps: 12, emaDecay: 0.9 };

for (const [variant, code] of [['vanilla', 'categorical'], ['mice', 'categorical'], ['mine', 'continuous'], ['smile', 'categorical']] as const) {
  test(`engines agree on a short 'grid' run: ${variant}, ${code} code (losses, MI estimate, samples every step)`, async () => {
    const [wasm, tfjs] = await engines();
    try {
      const opts = { variant, seed: 5, beta: 0.5, code, ...(variant === 'smile' ? { boundOptions: { tau: 1 } } : {}) };
      const a = createGridGan(wasm, tiny, opts), b = createGridGan(tfjs, tiny, opts);
      const lat = sampleLatent(a, new Rng(['engines-eval']), 50);
      for (let s = 0; s < tiny.steps; s++) {
        const la = gridTrainStep(a), lb = gridTrainStep(b);
        assert.ok(Math.abs(la.lossD - lb.lossD) < 1e-3 * (1 + Math.abs(lb.lossD)), `step ${s} lossD ${la.lossD} vs ${lb.lossD}`);
        assert.ok(Math.abs(la.lossG - lb.lossG) < 1e-3 * (1 + Math.abs(lb.lossG)), `step ${s} lossG ${la.lossG} vs ${lb.lossG}`);
        if (variant === 'vanilla') assert.ok(Number.isNaN(la.mi) && Number.isNaN(lb.mi));
        else assert.ok(Math.abs(la.mi - lb.mi) < 1e-3 * (1 + Math.abs(lb.mi)), `step ${s} MI ${la.mi} vs ${lb.mi}`);
        const ga = gridGenerate(a, lat), gb = gridGenerate(b, lat);
        assert.ok(relErr(ga, gb) < 1e-3, `step ${s} samples ${relErr(ga, gb)}`);
      }
    } finally { wasm.dispose(); tfjs.dispose(); }
  });
}

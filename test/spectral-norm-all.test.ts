/**
 * MICE's sn=all reading (issue 9 item 4): every linear layer spectrally normalised (Miyato et
 * al. 2018), the reading the paper's Lemma 6 needs, beside eq. 13–14's last layer only.
 * Checked like the last-layer reading: the wasm engine against the float64 reference (scores,
 * gradient through every normalised layer, power-iteration vectors), wasm against tfjs over
 * training, σ(W/σ̂) ≤ 1 for every layer, and the CLI flags.
 */
import { loadTfjsForTests } from './tfjs-engine.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { spectralNormExact, powerIteration } from '../src/critics/spectralNorm.js';
import { Rng, initStream } from '../src/rng.js';
import { referenceGradient, referencePowerStep } from '../src/engine/reference.js';
import { wasmEngine, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM, type Engine } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import { buildCellSpec } from '../harness/spec.js';
import { parseVariant } from '../src/variant.js';
import type { BackendChoice, CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';


test('layout: sn=all normalises every linear layer of every tower; the default only the last', () => {
  for (const kind of ['separable', 'joint'] as CriticKind[]) {
    const all = criticLayout(kind, 5, 16, 4, true, 5, 'all').towers.flat();
    assert.ok(all.every((l) => l.spectralNorm));
    const last = criticLayout(kind, 5, 16, 4, true).towers.flat();
    assert.deepEqual(last.map((l) => l.spectralNorm), last.map((_, i) => i % 3 === 2));
    assert.ok(criticLayout(kind, 5, 16, 4, false, 5, 'all').towers.flat().every((l) => !l.spectralNorm), 'no spectral norm: the layer choice is moot');
  }
});

for (const c of [
  { kind: 'separable' as CriticKind, n: 9, d: 5, h: 12, e: 6 },
  { kind: 'joint' as CriticKind, n: 6, d: 3, h: 8, e: 1 },
]) {
  test(`wasm engine matches the float64 reference with every layer normalised: ${c.kind}`, async () => {
    const layout = criticLayout(c.kind, c.d, c.h, c.e, true, c.d, 'all');
    const rng = new Rng(['sn-all', c.kind]);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    assert.equal(us.length, layout.towers.flat().length);
    const x = normals(rng, c.n * c.d), y = normals(rng, c.n * c.d), r = normals(rng, c.n * c.n, 0.1);
    const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us }) as WasmCriticRuntime;
    const s = rt.scores(x, y, c.n);
    const sn = referencePowerStep(layout, params, us);
    const ref = referenceGradient(layout, params, x, y, c.n, r, sn);
    assert.ok(maxDiff(s, ref.scores) <= 2e-5 * Math.max(1, maxAbs(ref.scores)), `scores differ by ${maxDiff(s, ref.scores)}`);
    rt.spectralU().forEach((u, k) => assert.ok(maxDiff(u, sn[k].u) < 1e-5, `u[${k}] differs`));
    rt.step(r);
    const g = rt.gradient(), scale = maxAbs(ref.grad);
    assert.ok(maxDiff(g, ref.grad) <= 1e-4 * scale, `gradient differs by ${maxDiff(g, ref.grad)} (scale ${scale})`);
    // Every layer's weight gradient is non-trivial: the normalisation does not cut any layer off.
    for (const l of layout.towers.flat()) assert.ok(maxAbs(g.subarray(l.weight.offset, l.weight.offset + l.weight.size)) > 0, l.weight.name);
    rt.dispose();
  });
}

test('σ(W/σ̂) ≤ 1 (to power-iteration accuracy) for every layer once u has converged', () => {
  const layout = criticLayout('separable', 20, 64, 8, true, 20, 'all');
  const rng = new Rng(['sn-all-sigma']);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  let k = 0;
  for (const l of layout.towers.flat()) {
    const [out, inp] = l.weight.shape as [number, number];
    const w = params.subarray(l.weight.offset, l.weight.offset + l.weight.size);
    let sigma = 0;
    for (let it = 0; it < 100; it++) sigma = powerIteration(w, out, inp, us[k]).sigma;
    const normalised = Float64Array.from(w, (v) => v / sigma);
    assert.ok(spectralNormExact(normalised, out, inp) <= 1 + 1e-6, l.weight.name);
    k++;
  }
});

const { tfjs, backend, why } = await loadTfjsForTests();

for (const kind of ['separable', 'joint'] as CriticKind[]) {
  // Same tolerances as test/wasm-vs-tfjs.test.ts (which explains them), over 100 steps.
  test(`wasm and tfjs agree over 100 steps with every layer normalised: ${kind}, mice:block=off:sn=all`, { skip: tfjs ? false : why }, async () => {
    const spec = buildCellSpec({ ...parseVariant('mice:block=off:sn=all'), critic: kind, mi: [2, 4], stepsPerLevel: 50, batchSize: 16, dim: 20, hidden: 32, embed: 32, seed: 4 });
    const layout = criticLayout(kind, spec.dim, spec.hidden, spec.embed, true, spec.dim, 'all');
    const rng = initStream(spec.seed, kind, spec.dim, spec.hidden, spec.embed);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const runs: Float64Array[] = [];
    for (const [engine, b] of [[wasmEngine, 'wasm'], [tfjs!, backend]] as [Engine, BackendChoice][]) {
      const rt = await engine.create(layout, params, { adam: DEFAULT_ADAM, backend: b, spectralU: us });
      try { runs.push(trainLoop(spec, rt).estimates); } finally { rt.dispose(); }
    }
    const [a, b] = runs;
    for (let t = 0; t < a.length; t++) {
      const rel = Math.abs(a[t] - b[t]) / (1 + Math.abs(b[t]));
      const tol = t === 0 ? 1e-5 : t < 50 ? 2e-3 : 5e-2;
      assert.ok(Number.isFinite(a[t]) && rel <= tol, `step ${t}: wasm ${a[t]}, tfjs ${b[t]} (relative ${rel} > ${tol})`);
    }
  });
}

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [CLI, 'run', ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
const SHORT = ['--critic', 'separable', '--task', 'gaussian', '--seed', '0', '--mi', '2,4', '--steps-per-level', '30', '--json'];

test('harness run --spectral-norm-layers all: both MICE readings train and report; bad combinations exit 2', () => {
  for (const extra of [['--partition-grad'], []]) {
    const r = run(['--estimator', 'mice', ...extra, '--spectral-norm-layers', 'all', ...SHORT]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spectralNorm, true);
    assert.equal(j.spectralNormLayers, 'all');
    assert.equal(j.boundOptions.miceBlockPartition, extra.length === 0);
    assert.equal(j.levels.length, 2);
    assert.equal(j.trajectory.estimate.length, 60);
  }
  const last = JSON.parse(run(['--estimator', 'mice', ...SHORT]).stdout);
  assert.equal(last.spectralNormLayers, 'last');
  const bad = run(['--estimator', 'mice', '--spectral-norm-layers', 'all', '--no-spectral-norm', ...SHORT]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^harness: --spectral-norm-layers: /);
  const typo = run(['--estimator', 'mice', '--spectral-norm-layers', 'first', ...SHORT]);
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /--spectral-norm-layers/);
});

/**
 * Tasks whose x and y differ in dimension (d_x ≠ d_y, e.g. BMI's Swiss roll, 2 × 1) on every
 * engine: the float64 reference against central finite differences, the wasm engine against the
 * reference (scores, one step's gradient), and the wasm and tfjs engines against each other
 * over 100 training steps on bmi:swissroll-2x1, both critics. Tolerances as in
 * wasm-gradient.test.ts and wasm-vs-tfjs.test.ts (float32 kernels against float64).
 * Equal dimensions keep the layout and the initialisation stream they always had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng, initStream } from '../src/rng.js';
import { referenceGradient, referencePowerStep, referenceScores } from '../src/engine/reference.js';
import { wasmEngine, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { loadEngine } from '../src/engine/select.js';
import { DEFAULT_ADAM, type Engine } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import type { BackendChoice, CellSpec, CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';


test('layout: d_y joins only when it differs; joint fan-in d_x + d_y, separable towers d_x and d_y', () => {
  const eq = criticLayout('joint', 4, 8, 1, false);
  assert.deepEqual(criticLayout('joint', 4, 8, 1, false, 4), eq);
  assert.equal(eq.dimY, 4);
  const j = criticLayout('joint', 3, 8, 1, false, 5);
  assert.deepEqual(j.towers[0][0].weight.shape, [8, 8]);
  const s = criticLayout('separable', 3, 8, 4, false, 5);
  assert.deepEqual(s.towers[0][0].weight.shape, [8, 3]);
  assert.deepEqual(s.towers[1][0].weight.shape, [8, 5]);
  // The initialisation stream of an equal-dimension critic is the one it always was.
  assert.deepEqual(initStream(1, 'joint', 4, 8, 1, 4).normal(), new Rng(['init', 1, 'joint', 4, 8, 1]).normal());
  assert.notEqual(initStream(1, 'joint', 4, 8, 1, 5).normal(), initStream(1, 'joint', 4, 8, 1, 4).normal());
});

test('reference: gradient = central finite differences of ⟨S, R⟩ with d_x ≠ d_y (both critics, spectral norm on)', () => {
  for (const kind of ['joint', 'separable'] as CriticKind[]) {
    for (const [dx, dy] of [[3, 1], [2, 4]]) {
      const layout = criticLayout(kind, dx, 5, 3, true, dy);
      const rng = new Rng(['dims-fd', kind, dx, dy]);
      const params = Float64Array.from(initParams(layout, rng));
      const us = initSpectralU(layout, rng);
      const n = 4;
      const x = normals(rng, n * dx), y = normals(rng, n * dy), r = normals(rng, n * n);
      const sn = referencePowerStep(layout, params, us);
      const f = (p: Float64Array) => { const s = referenceScores(layout, p, x, y, n, sn); let v = 0; for (let k = 0; k < s.length; k++) v += s[k] * r[k]; return v; };
      const { grad } = referenceGradient(layout, params, x, y, n, r, sn);
      const h = 1e-6;
      for (let i = 0; i < layout.size; i += 3) {
        const p = Float64Array.from(params);
        p[i] += h; const up = f(p);
        p[i] -= 2 * h; const down = f(p);
        const fd = (up - down) / (2 * h);
        assert.ok(Math.abs(grad[i] - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `${kind} ${dx}×${dy} param ${i}: ${grad[i]} vs ${fd}`);
      }
    }
  }
});

test('wasm engine = float64 reference with d_x ≠ d_y: scores and one step\'s gradient, both critics', async () => {
  const cases: { kind: CriticKind; n: number; dx: number; dy: number; h: number; e: number }[] = [
    { kind: 'separable', n: 9, dx: 2, dy: 1, h: 12, e: 6 },
    { kind: 'separable', n: 16, dx: 5, dy: 3, h: 20, e: 8 },
    { kind: 'joint', n: 6, dx: 2, dy: 1, h: 8, e: 1 },
    { kind: 'joint', n: 17, dx: 3, dy: 7, h: 12, e: 1 },
  ];
  for (const c of cases) for (const sn of [false, true]) {
    const label = `${c.kind} ${c.dx}×${c.dy} sn=${sn}`;
    const layout = criticLayout(c.kind, c.dx, c.h, c.e, sn, c.dy);
    const rng = new Rng(['dims-wasm', label]);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const x = normals(rng, c.n * c.dx), y = normals(rng, c.n * c.dy), r = normals(rng, c.n * c.n, 0.1);
    const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us }) as WasmCriticRuntime;
    try {
      const s = rt.scores(x, y, c.n);
      const ref = referenceGradient(layout, params, x, y, c.n, r, sn ? referencePowerStep(layout, params, us) : undefined);
      assert.ok(maxDiff(s, ref.scores) <= 2e-5 * Math.max(1, maxAbs(ref.scores)), `${label}: scores differ by ${maxDiff(s, ref.scores)}`);
      rt.step(r);
      const scale = maxAbs(ref.grad);
      assert.ok(maxDiff(rt.gradient(), ref.grad) <= 1e-4 * scale, `${label}: gradient differs by ${maxDiff(rt.gradient(), ref.grad)} (scale ${scale})`);
      assert.throws(() => rt.scores(x.subarray(0, c.n * c.dx - 1), y, c.n), RangeError);
    } finally {
      rt.dispose();
    }
  }
});

let tfjs: Engine | null = null;
let tfjsBackend: BackendChoice = 'cpu';
try {
  tfjs = await loadEngine('tfjs');
  if (await tfjs.available('wasm')) tfjsBackend = 'wasm';
  else if (!(await tfjs.available('cpu'))) tfjs = null;
} catch { tfjs = null; }

for (const kind of ['separable', 'joint'] as CriticKind[]) {
  test(`wasm and tfjs engines train alike on bmi:swissroll-2x1 (2 × 1), ${kind} critic, 100 steps`, { skip: tfjs ? false : 'the tfjs engine has no backend here' }, async () => {
    const spec: CellSpec = {
      estimator: 'smile', boundOptions: { tau: 1 }, critic: kind, spectralNorm: false, task: 'bmi:swissroll-2x1',
      mi: [-0.5 * Math.log(1 - 0.75 ** 2)], stepsPerLevel: 100, batchSize: 16, dim: 2, dimY: 1, batchRho: 0, seed: 3,
      hidden: 32, embed: 8, lr: 5e-4, engine: 'wasm', backend: 'wasm',
    };
    const layout = criticLayout(kind, 2, spec.hidden, spec.embed, false, 1);
    const params = initParams(layout, initStream(spec.seed, kind, 2, spec.hidden, spec.embed, 1));
    const runs: Float64Array[] = [];
    for (const [engine, backend] of [[wasmEngine, 'wasm'], [tfjs!, tfjsBackend]] as [Engine, BackendChoice][]) {
      const rt = await engine.create(layout, params, { adam: DEFAULT_ADAM, backend, spectralU: [] });
      try { runs.push(trainLoop(spec, rt).estimates); } finally { rt.dispose(); }
    }
    const [a, b] = runs;
    for (let t = 0; t < a.length; t++) {
      const tol = (t === 0 ? 1e-5 : t < 50 ? 2e-3 : 5e-2) * (1 + Math.abs(a[t]));
      assert.ok(Math.abs(a[t] - b[t]) <= tol, `${kind} step ${t}: wasm ${a[t]} tfjs ${b[t]}`);
    }
  });
}

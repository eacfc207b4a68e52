/**
 * The strongest correctness check (ARCHITECTURE §4): the wasm and tfjs engines, started from
 * identical weights and power-iteration vectors and fed identical batches through the shared
 * training loop, give the same estimates for 200 steps (staircase MI 2 → 4, 100 steps each),
 * for every bound and both critics (MICE with spectral norm on the last layer).
 *
 * Size: n = 16, d = 20, h = 32, e = 32 (small so tfjs keeps the file well under a minute; the
 * engines' agreement at the paper's size is covered by wasm-gradient/wasm-variants against the
 * float64 reference). tfjs runs on its wasm backend when present, else cpu.
 *
 * Tolerance, relative to 1 + |I_t|: ≤ 1e-5 at step 0 (same weights: forward passes agree to
 * float32 rounding), ≤ 2e-3 over the first 50 steps, ≤ 5e-2 over all 200. Training amplifies
 * rounding differences roughly exponentially (Adam moves noise-dominated parameters by ±lr), so
 * the bound widens with steps; measured here: ≤ 9e-9 at step 0, ≤ 1e-6 by step 50, ≤ 9e-4 by step
 * 200. A wrong kernel or gradient shows at step 0–10 as an O(1e-2…1) difference.
 */
import { loadTfjsForTests } from './tfjs-engine.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { initStream } from '../src/rng.js';
import { wasmEngine } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM, type Engine } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import { ESTIMATORS, type BackendChoice, type CellSpec, type CriticKind, type EstimatorName } from '../src/types.js';

const { tfjs, backend: tfjsBackend, why } = await loadTfjsForTests();

async function trajectories(kind: CriticKind, estimator: EstimatorName): Promise<Float64Array[]> {
  const spec: CellSpec = {
    estimator, boundOptions: {}, critic: kind, spectralNorm: estimator === 'mice', task: 'gaussian',
    mi: [2, 4], stepsPerLevel: 100, batchSize: 16, dim: 20, batchRho: 0, seed: 7,
    hidden: 32, embed: 32, lr: 5e-4, engine: 'wasm', backend: 'wasm',
  };
  const layout = criticLayout(kind, spec.dim, spec.hidden, spec.embed, spec.spectralNorm);
  const rng = initStream(spec.seed, kind, spec.dim, spec.hidden, spec.embed);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const out: Float64Array[] = [];
  for (const [engine, backend] of [[wasmEngine, 'wasm'], [tfjs!, tfjsBackend]] as [Engine, BackendChoice][]) {
    const rt = await engine.create(layout, params, { adam: DEFAULT_ADAM, backend, spectralU: us });
    try {
      out.push(trainLoop(spec, rt).estimates);
    } finally {
      rt.dispose();
    }
  }
  return out;
}

for (const kind of ['separable', 'joint'] as CriticKind[]) {
  for (const estimator of ESTIMATORS) {
    test(`wasm and tfjs engines give the same estimates over 200 steps: ${kind}, ${estimator}`, { skip: tfjs ? false : why }, async () => {
      const [a, b] = await trajectories(kind, estimator);
      const rel = (t: number): number => Math.abs(a[t] - b[t]) / (1 + Math.abs(b[t]));
      for (let t = 0; t < a.length; t++) {
        assert.ok(Number.isFinite(a[t]) && Number.isFinite(b[t]), `step ${t}: wasm ${a[t]}, tfjs ${b[t]}`);
      }
      assert.ok(rel(0) <= 1e-5, `step 0: wasm ${a[0]}, tfjs ${b[0]}`);
      for (let t = 0; t < a.length; t++) {
        const tol = t < 50 ? 2e-3 : 5e-2;
        assert.ok(rel(t) <= tol, `step ${t}: wasm ${a[t]}, tfjs ${b[t]} (relative difference ${rel(t)} > ${tol})`);
      }
    });
  }
}

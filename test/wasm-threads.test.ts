/**
 * The optional 2-thread split (src/engine/wasm/threads.ts) computes exactly what one thread
 * computes: each element of every product is the same sequence of operations whichever thread
 * owns it, so scores, gradients and parameters after 5 steps are bitwise equal, at the paper's
 * size (n = 64, d = 20, h = 256, e = 32, spectral norm on), both critics. By default only the
 * joint critic's big products are split; the last cases split every product (splitMin = 0),
 * by rows (n = 64) and by columns (n = 8: fewer than 16 rows).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { wasmEngine, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import type { CriticKind } from '../src/types.js';

const CASES: { kind: CriticKind; n: number; splitMin?: number }[] = [
  { kind: 'separable', n: 64 }, { kind: 'joint', n: 64 },
  { kind: 'separable', n: 64, splitMin: 0 }, { kind: 'separable', n: 8, splitMin: 0 }, { kind: 'joint', n: 8, splitMin: 0 },
];

for (const { kind, n, splitMin } of CASES) {
  test(`2 threads give bitwise the same steps as 1: ${kind}, n=${n}${splitMin === undefined ? '' : `, every product split`}`, async () => {
    const layout = criticLayout(kind, 20, 256, 32, true);
    const rng = new Rng(['threads', kind]);
    const params = initParams(layout, rng);
    const us = initSpectralU(layout, rng);
    const batches = Array.from({ length: 5 }, () => ({
      x: Float32Array.from({ length: n * 20 }, () => rng.normal()),
      y: Float32Array.from({ length: n * 20 }, () => rng.normal()),
      r: Float32Array.from({ length: n * n }, () => 0.01 * rng.normal()),
    }));
    const runs: { scores: Float32Array[]; grad: Float32Array; params: Float32Array }[] = [];
    for (const threads of [1, 2]) {
      const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us, threads }) as WasmCriticRuntime;
      assert.equal(rt.threads, threads);
      if (splitMin !== undefined) rt.splitMin = splitMin;
      const scores: Float32Array[] = [];
      for (const b of batches) { scores.push(Float32Array.from(rt.scores(b.x, b.y, n))); rt.step(b.r); }
      runs.push({ scores, grad: rt.gradient(), params: rt.params() });
      rt.dispose();
    }
    runs[1].scores.forEach((s, t) => assert.deepEqual(s, runs[0].scores[t], `scores at step ${t}`));
    assert.deepEqual(runs[1].grad, runs[0].grad);
    assert.deepEqual(runs[1].params, runs[0].params);
  });
}

test('threads other than 1 or 2 are a usage error', async () => {
  const layout = criticLayout('separable', 4, 8, 4, false);
  const params = initParams(layout, new Rng(['t']));
  await assert.rejects(wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [], threads: 3 }), /threads must be 1 or 2/);
});

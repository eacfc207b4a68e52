/**
 * Memory stays flat over 10 000 training steps: the wasm engine allocates nothing per step (its
 * WebAssembly memory must not change size at all after the first step) and the process's RSS,
 * sampled every 500 steps through the shared training loop (separable critic, n = 32, d = 20,
 * h = 128, e = 32, NWJ), grows by at most 8 MB between step 1 000 and the end. The bound leaves
 * room for the garbage collector's own heap sizing (the loop's bound and sampler allocate small
 * arrays every step; measured here: 58.0 → 58.1 MB); a per-step leak of even one 16 KB activation buffer would add 144 MB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { initStream } from '../src/rng.js';
import { wasmEngine, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { trainLoop } from '../src/engine/train.js';
import type { CellSpec } from '../src/types.js';

test('wasm engine: memory flat over 10 000 steps (RSS growth ≤ 8 MB, wasm memory constant)', async () => {
  const spec: CellSpec = {
    estimator: 'nwj', boundOptions: {}, critic: 'separable', spectralNorm: true, task: 'gaussian',
    mi: [2, 4], stepsPerLevel: 5000, batchSize: 32, dim: 20, batchRho: 0, seed: 1,
    hidden: 128, embed: 32, lr: 5e-4, engine: 'wasm', backend: 'wasm',
  };
  const layout = criticLayout(spec.critic, spec.dim, spec.hidden, spec.embed, spec.spectralNorm);
  const rng = initStream(spec.seed, spec.critic, spec.dim, spec.hidden, spec.embed);
  const rt = await wasmEngine.create(layout, initParams(layout, rng), {
    adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng),
  }) as WasmCriticRuntime;
  const rss: number[] = [];
  const wasmBytes: number[] = [];
  const out = trainLoop(spec, rt, {
    progressEvery: 500,
    onProgress: (p) => {
      if (p.step >= 1000) { rss.push(process.memoryUsage.rss()); wasmBytes.push(rt.memoryBytes()); }
    },
  });
  rt.dispose();
  assert.equal(out.divergedAt, null);
  assert.equal(out.estimates.length, 10000);
  assert.ok(rss.length >= 18, `sampled ${rss.length} times`);
  assert.ok(wasmBytes.every((b) => b === wasmBytes[0]), `wasm memory changed: ${wasmBytes.join(', ')}`);
  const growth = Math.max(...rss) - rss[0];
  assert.ok(growth <= 8 * 2 ** 20, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MB: ${rss.map((r) => (r / 2 ** 20).toFixed(0)).join(' ')}`);
});

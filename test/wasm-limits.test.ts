/**
 * Memory limits of the wasm engine (src/engine/limits.ts): the estimate follows the runtime's
 * allocations, a batch size the 4 GiB WebAssembly memory cannot hold is refused with a
 * UsageError naming --batch-size (never a RangeError from Memory.grow()), and the runtime stays
 * usable after refusing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { wasmEngine, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { UsageError } from '../src/errors.js';
import { WASM_MAX_BYTES, passesMemoryNeed, wasmMemoryNeed, wasmMemoryProblem } from '../src/engine/limits.js';
import { passesBufferBytes } from '../src/bounds/passes.js';
import type { CriticKind } from '../src/types.js';

async function runtime(kind: CriticKind, h: number): Promise<WasmCriticRuntime> {
  const layout = criticLayout(kind, 20, h, 32, kind === 'separable');
  const rng = new Rng(['limits', kind]);
  return await wasmEngine.create(layout, initParams(layout, rng), {
    adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng), variant: 'simd',
  }) as WasmCriticRuntime;
}

for (const [kind, n] of [['separable', 256], ['joint', 64]] as [CriticKind, number][]) {
  test(`the memory estimate covers what the runtime allocates: ${kind}, n = ${n}`, async () => {
    const rt = await runtime(kind, 256);
    try {
      const x = new Float32Array(n * 20).fill(0.1);
      rt.scores(x, x, n);
      const need = wasmMemoryNeed(criticLayout(kind, 20, 256, 32, kind === 'separable'), n);
      const used = rt.memoryBytes();
      // The memory grows in 64 KiB pages from the module's own data; the estimate adds 4 MiB of headroom.
      assert.ok(used <= need.total, `used ${used} ≤ estimate ${need.total}`);
      assert.ok(used >= need.total - 5 * 2 ** 20, `estimate ${need.total} within 5 MiB of ${used}`);
    } finally {
      rt.dispose();
    }
  });
}

test('joint critic at n = 4 096: refused with a UsageError naming --batch-size and the memory, runtime unharmed', async () => {
  const layout = criticLayout('joint', 20, 256, 32, false);
  assert.ok(wasmMemoryNeed(layout, 4096).total > WASM_MAX_BYTES);
  assert.match(wasmMemoryProblem(layout, 4096) ?? '', /^--batch-size 4096: .* 32 GiB .* the largest batch size that fits is 14\d\d$/);
  assert.equal(wasmMemoryProblem(layout, 1024), null);
  const rt = await runtime('joint', 256);
  try {
    const x = new Float32Array(4096 * 20);
    assert.throws(() => rt.scores(x, x, 4096), (err: unknown) => err instanceof UsageError && /--batch-size 4096/.test(err.message));
    const before = rt.memoryBytes();
    const s = rt.scores(x, x, 16);
    assert.equal(s.length, 256);
    assert.ok(rt.memoryBytes() >= before);
  } finally {
    rt.dispose();
  }
});

test('the bound passes\' memory: the estimate is their buffers\' layout (24·n² bytes and rows), and a batch size beyond it is refused naming --batch-size', () => {
  for (const n of [2, 64, 1000, 1024, 4096]) {
    const bytes = passesBufferBytes(n);
    assert.ok(bytes >= 24 * n * n && bytes <= 24 * n * n + 24 * n + 8 * 64, `n = ${n}: ${bytes} bytes`);
    assert.equal(passesMemoryNeed(n) - bytes, 4 * 2 ** 20);
  }
  // The passes, not the engine, are the limit for a separable critic between ~13 400 and ~23 000.
  const layout = criticLayout('separable', 20, 256, 32, false);
  const n = 15_000;
  assert.ok(wasmMemoryNeed(layout, n).total <= WASM_MAX_BYTES, 'the engine itself would fit');
  const msg = wasmMemoryProblem(layout, n) ?? '';
  const fits = Number(/the largest batch size that fits is (\d+)$/.exec(msg)?.[1]);
  assert.match(msg, /^--batch-size 15000: the bound's n×n buffers .* need 5\.03 GiB, more than the 4\.00 GiB/);
  assert.ok(passesMemoryNeed(fits) <= WASM_MAX_BYTES && passesMemoryNeed(fits + 1) > WASM_MAX_BYTES, `largest n ${fits}`);
  assert.equal(wasmMemoryProblem(layout, fits), null);
});

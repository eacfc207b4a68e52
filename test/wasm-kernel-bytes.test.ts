/**
 * The kernel loader's browser path: bytes handed in with provideKernelBytes (as the playground's
 * worker does after fetching the .wasm files) train the same cell, to the bit, as the generated
 * kernels.mjs that Node loads by default; builds left out count as not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildCellSpec } from '../harness/spec.js';
import { bestVariant, provideKernelBytes, kernelModule, type KernelBuild } from '../src/engine/wasm/kernels.js';
import { wasmEngine } from '../src/engine/wasm/index.js';
import { trainCell } from '../src/engine/cell.js';

const bytesOf = (b: KernelBuild) => new Uint8Array(readFileSync(new URL(`../kernels/kernels-${b}.wasm`, import.meta.url)));

test('kernels passed in as bytes train the same cell as the generated module', async () => {
  const spec = buildCellSpec({ estimator: 'smile', boundOptions: { tau: 1 }, mi: [2, 4], stepsPerLevel: 30, engine: 'wasm' });
  const before = await trainCell(wasmEngine, spec);
  const variant = await bestVariant();
  assert.ok(variant);
  provideKernelBytes({ [variant]: bytesOf(variant) });
  const after = await trainCell(wasmEngine, spec);
  assert.equal(after.backend, before.backend);
  assert.deepEqual(after.levels, before.levels);
  assert.deepEqual(after.trajectory, before.trajectory);
});

test('a build left out of the bytes counts as not built', async () => {
  provideKernelBytes({ simd: bytesOf('simd') });
  assert.equal(await kernelModule('relaxed'), null);
  assert.equal(await bestVariant(), 'simd');
  provideKernelBytes({});
  assert.equal(await bestVariant(), null);
  assert.equal(await wasmEngine.available('auto'), false);
});

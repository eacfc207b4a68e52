/** `harness bench --engine webgpu`: rows per K beside the wasm rows; bad --gpu-batch and a missing adapter are one line, exit 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from './cli-helpers.js';
import { softwareIcd } from './webgpu-env.js';

const icd = softwareIcd();

test('bench --engine webgpu --gpu-batch 1,2: ms per step per cell for each K, beside wasm', { skip: icd ? false : 'SKIPPED: no software Vulkan driver (chromium)' }, async () => {
  const r = await cli(['bench', '--engine', 'webgpu', '--critic', 'separable', '--batch-size', '16', '--gpu-batch', '1,2', '--steps', '2', '--json'], { env: { VK_ICD_FILENAMES: icd! } });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { results: { engine: string }[]; webgpu: { k: number; msPerStepPerCell: number; gflops: number; fallback: boolean; steps: number }[] };
  assert.deepEqual(out.webgpu.map((g) => g.k), [1, 2]);
  for (const g of out.webgpu) {
    assert.ok(g.msPerStepPerCell > 0 && Number.isFinite(g.msPerStepPerCell));
    assert.ok(g.gflops > 0);
    assert.equal(g.fallback, true);
    assert.equal(g.steps, 2);
  }
  assert.ok(out.results.some((x) => x.engine === 'wasm'), 'the wasm baseline is measured in the same run');
});

test('bench --engine webgpu: bad --gpu-batch and no adapter are one line, exit 2', async () => {
  for (const k of ['0', '1.5', 'x', '1e9']) {
    const r = await cli(['bench', '--engine', 'webgpu', '--gpu-batch', k]);
    assert.equal(r.code, 2, `${k}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--gpu-batch/);
  }
  const r = await cli(['bench', '--engine', 'webgpu', '--critic', 'separable', '--steps', '2'], { env: { VK_ICD_FILENAMES: '/nonexistent/icd.json' } });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--engine webgpu: not available/);
});

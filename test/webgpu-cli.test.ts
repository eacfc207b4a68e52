/**
 * `harness run --engine webgpu` on the software adapter, as a user runs it in a container or CI
 * (XDG_RUNTIME_DIR unset): the table and nothing else — no native window-system warnings from
 * Dawn's Vulkan code on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, why } from './cli-helpers.js';
import { gpuEnv, softwareIcd } from './webgpu-env.js';

test('harness run --engine webgpu with XDG_RUNTIME_DIR unset: the table on stdout, stderr empty', async (t) => {
  if (!softwareIcd()) {
    process.stderr.write(`\n${'!'.repeat(78)}\n!! WEBGPU TESTS SKIPPED (webgpu-cli): no software Vulkan driver\n${'!'.repeat(78)}\n\n`);
    t.skip('no software Vulkan driver');
    return;
  }
  const saved = process.env.XDG_RUNTIME_DIR;
  delete process.env.XDG_RUNTIME_DIR;
  try {
    const r = await cli(['run', '--engine', 'webgpu', '--estimator', 'nwj', '--steps-per-level', '2', '--batch-size', '8', '--hidden', '16', '--embed', '4', '--dim', '2'], { env: gpuEnv() });
    assert.equal(r.code, 0, why(r));
    assert.match(r.stdout, /webgpu\/webgpu \(SwiftShader/);
    assert.equal(r.stderr, '', 'nothing on stderr');
  } finally {
    if (saved !== undefined) process.env.XDG_RUNTIME_DIR = saved;
  }
});

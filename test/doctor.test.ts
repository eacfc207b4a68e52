/** `harness doctor`: every engine listed with a reason; the WebGPU line follows the driver it is given. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from './cli-helpers.js';
import { softwareIcd } from './webgpu-env.js';

interface Doctor { checks: { engine: string; variant: string; available: boolean; why: string }[]; auto: { cell: string; sweep: string } }

async function doctor(env: Record<string, string>): Promise<Doctor> {
  const r = await cli(['doctor', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'driver noise stays in the probe process');
  return JSON.parse(r.stdout) as Doctor;
}

test('doctor lists wasm variants, tfjs backends and WebGPU, each with why', async () => {
  const d = await doctor({ VK_ICD_FILENAMES: '/nonexistent/icd.json' });
  const names = d.checks.map((c) => `${c.engine} ${c.variant}`);
  for (const n of ['wasm relaxed', 'wasm simd', 'tfjs tensorflow-gpu', 'tfjs tensorflow', 'tfjs wasm', 'tfjs cpu', 'webgpu dawn']) assert.ok(names.includes(n), `${n} in ${names}`);
  for (const c of d.checks) assert.ok(c.why.length > 10, `${c.engine} ${c.variant} says why`);
  const gpu = d.checks.find((c) => c.engine === 'webgpu')!;
  assert.equal(gpu.available, false);
  assert.match(gpu.why, /no WebGPU adapter|not installed|failed/);
  const cuda = d.checks.find((c) => c.variant === 'tensorflow-gpu')!;
  if (!cuda.available) assert.match(cuda.why, /libtensorflow/);
  assert.match(d.auto.cell, /wasm|tfjs/);
});

test('doctor on a software Vulkan: the adapter is named, and auto does not take it', { skip: softwareIcd() ? false : 'SKIPPED: no software Vulkan driver (chromium)' }, async () => {
  const d = await doctor({ VK_ICD_FILENAMES: softwareIcd()! });
  const gpu = d.checks.find((c) => c.engine === 'webgpu')!;
  assert.equal(gpu.available, true, gpu.why);
  assert.match(gpu.why, /software adapter only .*SwiftShader|software adapter only/);
  assert.doesNotMatch(d.auto.sweep, /WebGPU lane/);
});

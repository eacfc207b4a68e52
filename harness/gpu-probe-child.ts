/**
 * Child-process half of ./gpu-probe.ts: asks Dawn for an adapter and prints one JSON line.
 * Run as its own process because Dawn and the Vulkan loader write native warnings straight to
 * fd 2 ("vkCreateInstance: Found no drivers!"), which no in-process code can silence.
 */
import { acquireGpu, releaseGpu } from '../src/engine/webgpu/gpu.js';

const probe = await acquireGpu(true);
const out = probe.ok
  ? { ok: true, info: probe.handle.info, limits: { maxStorageBufferBindingSize: probe.handle.device.limits.maxStorageBufferBindingSize } }
  : { ok: false, why: probe.why, ...(probe.info ? { info: probe.info } : {}) };
process.stdout.write(JSON.stringify(out) + '\n');
await releaseGpu();

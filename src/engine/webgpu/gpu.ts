/**
 * Finding a WebGPU device: in Node through the `webgpu` package (Google's Dawn, prebuilt inside
 * the npm package; an optional dependency), in a browser through navigator.gpu. Dawn on Linux
 * drives Vulkan: an NVIDIA/AMD/Intel driver where there is one, or a software Vulkan
 * (SwiftShader, which Debian's chromium ships, or Mesa's lavapipe) when VK_ICD_FILENAMES points
 * at it. A software adapter (`info.isFallbackAdapter`, or a CPU device type) is never taken
 * unless asked for: it is for tests, far slower than the wasm engine.
 *
 * The GPU object and its device are kept for the life of the process (Dawn's start-up costs
 * ~0.1–1 s and a second instance would hold a second driver); releaseGpu() drops them so Node
 * can exit.
 */

export interface AdapterInfo {
  /** The adapter's own description, e.g. 'SwiftShader driver 5.0.0' or 'NVIDIA H100 80GB HBM3'. */
  description: string;
  vendor: string;
  architecture: string;
  /** A software rasteriser (SwiftShader, lavapipe, WARP). */
  fallback: boolean;
}

export interface GpuHandle {
  device: GPUDevice;
  info: AdapterInfo;
}

export type GpuProbe = { ok: true; handle: GpuHandle } | { ok: false; why: string; info?: AdapterInfo };

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|warp|software|basic render/i;

export function describeAdapter(adapter: GPUAdapter): AdapterInfo {
  const i = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean; description?: string };
  const a = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const description = i.description || [i.vendor, i.architecture, i.device].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = i.isFallbackAdapter === true || a.isFallbackAdapter === true
    || SOFTWARE.test(`${description} ${i.vendor} ${i.architecture} ${i.device}`);
  return { description, vendor: i.vendor ?? '', architecture: i.architecture ?? '', fallback };
}

let gpuObject: GPU | null = null;
let cached: Promise<GpuProbe> | null = null;
let cachedSoftware = false;

/** navigator.gpu in a browser, else Dawn from the `webgpu` package, else null with the reason. */
async function gpuEntry(): Promise<{ gpu: GPU } | { why: string }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu };
  if (typeof process === 'undefined' || !process.versions?.node) return { why: 'this browser has no navigator.gpu' };
  if (gpuObject) return { gpu: gpuObject };
  try {
    // A variable specifier keeps bundlers (the browser playground) from pulling Dawn in.
    const name = 'webgpu';
    const mod = (await import(name)) as { create(flags: string[]): GPU };
    gpuObject = mod.create([]);
    return { gpu: gpuObject };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { why: /Cannot find (package|module)/.test(msg) ? "the optional 'webgpu' package is not installed (npm install webgpu)" : `the 'webgpu' package failed to load: ${msg}` };
  }
}

/**
 * A device, or why there is none. allowSoftware: take a software adapter (tests, `--engine
 * webgpu` asked for explicitly); otherwise a software adapter is reported and refused. The
 * device asks for the adapter's largest storage buffers (the batched cells' activations).
 */
export function acquireGpu(allowSoftware: boolean): Promise<GpuProbe> {
  if (cached && cachedSoftware === allowSoftware) return cached;
  cachedSoftware = allowSoftware;
  cached = (async (): Promise<GpuProbe> => {
    const entry = await gpuEntry();
    if ('why' in entry) return { ok: false, why: entry.why };
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await entry.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (err) {
      return { ok: false, why: `requestAdapter failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!adapter) {
      return { ok: false, why: 'no WebGPU adapter (Dawn found no Vulkan driver: a GPU driver, or a software Vulkan through VK_ICD_FILENAMES, and libvulkan1)' };
    }
    const info = describeAdapter(adapter);
    if (info.fallback && !allowSoftware) return { ok: false, info, why: `software adapter only (${info.description})` };
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(8, l.maxStorageBuffersPerShaderStage),
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      },
    });
    return { ok: true, handle: { device, info } };
  })();
  return cached;
}

/** Destroy the device and drop Dawn's instance so the process can exit. */
export async function releaseGpu(): Promise<void> {
  const c = cached;
  cached = null;
  if (c) {
    const r = await c.catch(() => null);
    if (r?.ok) r.handle.device.destroy();
  }
  gpuObject = null;
}

/**
 * Loading the compiled kernels (assembly/kernels.ts → dist/kernels/kernels.mjs, built by
 * scripts/build-kernels.mjs) and choosing between the relaxed-SIMD build (fused multiply-add)
 * and the plain-SIMD build.
 *
 * Relaxed SIMD is behind `--experimental-wasm-relaxed-simd` on Node 20 (V8 11.3); the flag can
 * be set at run time before a module is compiled. Detection validates the relaxed module itself
 * (WebAssembly.validate), which is exactly the question "can this runtime run these kernels".
 */
import { setFlagsFromString } from 'node:v8';

export type KernelVariant = 'relaxed' | 'simd';

// The project's lib (ES2022, no DOM) has no WebAssembly typings; this is the part used here.
export interface WasmMemory { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number }
interface WasmModule { readonly __brand?: 'WebAssembly.Module' }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
export type { WasmModule };

/** The kernels' exports (assembly/kernels.ts); pointers are byte addresses, sizes in floats. */
export interface KernelExports {
  memory: WasmMemory;
  scratchBytes(): number;
  setScratch(ptr: number): void;
  heapBase(): number;
  relaxed(): number;
  gemm(
    m: number, n: number, k: number,
    a: number, rsA: number, csA: number,
    b: number, rsB: number, csB: number,
    c: number, ldc: number,
    accumulate: number, bias: number, relu: number,
  ): void;
  reluBackward(dz: number, h: number, count: number): void;
  colSums(dst: number, src: number, m: number, n: number, accumulate: number): void;
  adam(p: number, g: number, m: number, v: number, count: number,
    stepSize: number, beta1: number, beta2: number, eps: number, sqrtBc2: number): void;
  pairForward(h1: number, a: number, b: number, n: number, h: number): void;
  pairBackward(da: number, db: number, dh1: number, a: number, b: number, n: number, h: number): void;
  rowDots(s: number, h2: number, w: number, b: number, rows: number, h: number): void;
  lastBackward(dz2: number, gw: number, gb: number, h2: number, ds: number, w: number, rows: number, h: number): void;
  // The GAN experiment's kernels (assembly/gan.ts).
  bnForward(out: number, xhat: number, mean: number, invStd: number, z: number,
    gamma: number, beta: number, n: number, h: number, eps: number, relu: number): void;
  bnBackward(dz: number, dGamma: number, dBeta: number, dy: number, xhat: number, invStd: number,
    gamma: number, n: number, h: number): void;
  maxoutForward(out: number, z: number, n: number, units: number, pieces: number): void;
  maxoutBackward(dz: number, dout: number, z: number, out: number, n: number, units: number, pieces: number): void;
  emaUpdate(dst: number, src: number, count: number, decay: number): void;
  axpy(dst: number, src: number, count: number, alpha: number): void;
}

interface KernelSources { simd: string; relaxed: string; simd_mt?: string; relaxed_mt?: string }
/** The compiled builds: plain and relaxed SIMD, and their shared-memory (_mt) twins. */
export type KernelBuild = keyof KernelSources;

let sources: Promise<KernelSources | null> | undefined;
let provided: Partial<Record<KernelBuild, Uint8Array>> | undefined;
const modules = new Map<string, Promise<WasmModule | null>>();

/**
 * Hand the loader the compiled kernels' bytes instead of the generated kernels.mjs: a browser
 * fetches dist/kernels/kernels-*.wasm itself and passes them in (the library does no I/O). Builds
 * left out count as not built. Call before the first kernelModule(); later calls start afresh.
 */
export function provideKernelBytes(bytes: Partial<Record<KernelBuild, Uint8Array>>): void {
  provided = { ...bytes };
  modules.clear();
}

/** Pages (64 KiB) the threaded builds may grow their shared memory to (scripts/build-kernels.mjs). */
export const SHARED_MAX_PAGES = 16384;

function loadSources(): Promise<KernelSources | null> {
  // A computed specifier keeps tsc from resolving a file that only exists after the kernel build.
  const url = new URL('../../../kernels/kernels.mjs', import.meta.url).href;
  sources ??= import(url).then((m) => m as KernelSources, () => null);
  return sources;
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/**
 * The compiled module of a variant, or null when it is not built or this runtime cannot run it.
 * threaded: the build that imports a shared memory (for the helper worker thread).
 */
export function kernelModule(variant: KernelVariant, threaded = false): Promise<WasmModule | null> {
  const key = threaded ? `${variant}_mt` : variant;
  let p = modules.get(key);
  if (!p) {
    const bytesOf = provided
      ? Promise.resolve(provided[key as KernelBuild] ?? null)
      : loadSources().then((src) => { const b64 = src?.[key as KernelBuild]; return b64 ? decode(b64) : null; });
    p = bytesOf.then((bytes) => {
      if (!bytes) return null;
      if (variant === 'relaxed' && !WebAssembly.validate(bytes)) {
        try { setFlagsFromString('--experimental-wasm-relaxed-simd'); } catch { /* not a V8 that knows it */ }
      }
      if (!WebAssembly.validate(bytes)) return null;
      return new WebAssembly.Module(bytes);
    });
    modules.set(key, p);
  }
  return p;
}

/** The best variant available here: relaxed when it validates, else plain SIMD, else null. */
export async function bestVariant(): Promise<KernelVariant | null> {
  if (await kernelModule('relaxed')) return 'relaxed';
  if (await kernelModule('simd')) return 'simd';
  return null;
}

/** Instantiate a module: the plain builds export their memory; the threaded ones import `memory`. */
export function instantiate(module: WasmModule, memory?: WasmMemory): KernelExports {
  const env: Record<string, unknown> = { abort: () => { throw new Error('wasm kernels: abort'); } };
  if (memory) env.memory = memory;
  const instance = new WebAssembly.Instance(module, { env });
  const exports = instance.exports as unknown as KernelExports;
  return memory ? Object.create(exports, { memory: { value: memory } }) as KernelExports : exports;
}

/** A shared memory for the threaded builds. */
export function sharedMemory(): WasmMemory {
  return new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
}

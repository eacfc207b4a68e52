/**
 * The `wasm` engine: hand-written forward/backward passes over WebAssembly SIMD kernels
 * (AssemblyScript, assembly/kernels.ts), the fast CPU path (ARCHITECTURE §4). Backend choice
 * 'auto' or 'wasm'; option variant 'simd' forces the plain-SIMD build, 'relaxed' demands the
 * fused multiply-add build, and the default picks relaxed SIMD when the runtime has it.
 * Option threads: 2 splits the large products with a helper worker thread over shared memory
 * (threads.ts); worth it only when a core is otherwise idle.
 */
import type { BackendChoice } from '../../types.js';
import type { CriticLayout } from '../../critics/layout.js';
import type { Engine, RuntimeOptions } from '../types.js';
import { UsageError } from '../../errors.js';
import { bestVariant, instantiate, kernelModule, sharedMemory, type KernelVariant } from './kernels.js';
import { WasmCriticRuntime } from './runtime.js';
import { GemmHelper } from './threads.js';

export { WasmCriticRuntime } from './runtime.js';
export { bestVariant, type KernelVariant } from './kernels.js';

function acceptsBackend(backend: BackendChoice): boolean {
  return backend === 'auto' || backend === 'wasm';
}

async function resolveVariant(variant: string | undefined): Promise<KernelVariant> {
  if (variant === undefined || variant === 'auto') {
    const v = await bestVariant();
    if (!v) throw new UsageError('--engine wasm: the kernels are not built or this runtime lacks WebAssembly SIMD (run npm run build)');
    return v;
  }
  if (variant !== 'simd' && variant !== 'relaxed') throw new UsageError(`wasm engine: unknown variant '${variant}' (known: relaxed, simd)`);
  if (!(await kernelModule(variant))) throw new UsageError(`wasm engine: variant '${variant}' is not available in this runtime`);
  return variant;
}

export const wasmEngine: Engine = {
  name: 'wasm',
  async available(backend: BackendChoice): Promise<boolean> {
    if (!acceptsBackend(backend)) return false;
    try {
      return (await bestVariant()) !== null;
    } catch {
      return false;
    }
  },
  async create(layout: CriticLayout, params: Float32Array, options: RuntimeOptions): Promise<WasmCriticRuntime> {
    if (!acceptsBackend(options.backend)) throw new UsageError(`--backend ${options.backend}: the wasm engine runs only on backend 'wasm'`);
    const threads = options.threads ?? 1;
    if (threads !== 1 && threads !== 2) throw new UsageError(`wasm engine: threads must be 1 or 2, got ${threads}`);
    const variant = await resolveVariant(options.variant);
    if (threads === 1) {
      const module = await kernelModule(variant);
      if (!module) throw new UsageError(`wasm engine: variant '${variant}' is not available`);
      return new WasmCriticRuntime(instantiate(module), variant, layout, params, options.adam, options.spectralU);
    }
    const module = await kernelModule(variant, true);
    if (!module) throw new UsageError(`wasm engine: the threaded '${variant}' kernels are not available (shared memory)`);
    const memory = sharedMemory();
    const rt = new WasmCriticRuntime(instantiate(module, memory), variant, layout, params, options.adam, options.spectralU);
    const { scratch, ctrl } = rt.reserveHelper();
    rt.attachHelper(await GemmHelper.start(module, memory, scratch, ctrl));
    return rt;
  },
};

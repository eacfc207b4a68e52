/**
 * Engine selection. `auto`: the tfjs engine when a CUDA backend (tfjs-node-gpu) loads, else the
 * wasm engine (the fast CPU path), else tfjs on whatever backend it finds. An explicitly asked-for
 * engine or backend that is not available is a UsageError (exit 2), never a silent fallback.
 */
import type { BackendChoice, EngineChoice } from '../types.js';
import type { AnyEngine, Engine } from './types.js';
import { UsageError } from '../errors.js';

export async function loadEngine(name: 'tfjs' | 'wasm'): Promise<Engine>;
export async function loadEngine(name: 'tfjs' | 'wasm' | 'webgpu'): Promise<AnyEngine>;
export async function loadEngine(name: 'tfjs' | 'wasm' | 'webgpu'): Promise<AnyEngine> {
  if (name === 'tfjs') return (await import('./tfjs/index.js')).tfjsEngine;
  if (name === 'webgpu') return (await import('./webgpu/index.js')).webgpuEngine;
  return (await import('./wasm/index.js')).wasmEngine;
}

/**
 * `auto` picks among the one-cell engines only: a WebGPU device pays off for batches of cells,
 * which the sweep's GPU lane forms (harness/sweep/pool.ts); `--engine webgpu` asks for it here.
 */
export async function selectEngine(engine: EngineChoice, backend: BackendChoice): Promise<AnyEngine> {
  if (engine !== 'auto') {
    const e = await loadEngine(engine);
    if (engine === 'webgpu' && backend !== 'auto') throw new UsageError(`--backend ${backend}: the webgpu engine takes no backend (leave --backend auto)`);
    if (engine === 'webgpu') {
      const { acquireGpu } = await import('./webgpu/gpu.js');
      const probe = await acquireGpu(true);
      if (!probe.ok) throw new UsageError(`--engine webgpu: not available on this machine: ${probe.why}`);
      return e;
    }
    if (!(await e.available(backend))) {
      throw new UsageError(`--engine ${engine}${backend === 'auto' ? '' : ` --backend ${backend}`}: not available on this machine`);
    }
    return e;
  }
  const tfjs = await loadEngine('tfjs');
  if (backend === 'auto' || backend === 'tensorflow') {
    const { cudaAvailable } = await import('./tfjs/backends.js');
    if (await cudaAvailable()) return tfjs;
  }
  if (backend === 'auto' || backend === 'wasm') {
    try {
      const wasm = await loadEngine('wasm');
      if (await wasm.available(backend)) return wasm;
    } catch { /* wasm engine not built: fall through to tfjs */ }
  }
  if (await tfjs.available(backend)) return tfjs;
  throw new UsageError(`--backend ${backend}: not available on this machine`);
}

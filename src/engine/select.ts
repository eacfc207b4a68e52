/**
 * Engine selection. `auto`: the tfjs engine when a CUDA backend (tfjs-node-gpu) loads, else the
 * wasm engine (the fast CPU path), else tfjs on whatever backend it finds. An explicitly asked-for
 * engine or backend that is not available is a UsageError (exit 2), never a silent fallback.
 */
import type { BackendChoice, EngineChoice } from '../types.js';
import type { Engine } from './types.js';
import { UsageError } from '../errors.js';

export async function loadEngine(name: 'tfjs' | 'wasm'): Promise<Engine> {
  if (name === 'tfjs') return (await import('./tfjs/index.js')).tfjsEngine;
  return (await import('./wasm/index.js')).wasmEngine;
}

export async function selectEngine(engine: EngineChoice, backend: BackendChoice): Promise<Engine> {
  if (engine !== 'auto') {
    const e = await loadEngine(engine);
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

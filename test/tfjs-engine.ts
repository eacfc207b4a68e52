/**
 * The tfjs engine for the cross-engine suites: loaded once, on its wasm backend when it has one,
 * else cpu; or null with the reason a suite skips with (never silently).
 */
import { loadEngine } from '../src/engine/select.js';
import type { Engine } from '../src/engine/types.js';
import type { BackendChoice } from '../src/types.js';

export interface TfjsForTests { tfjs: Engine | null; backend: BackendChoice; why: string }

export async function loadTfjsForTests(): Promise<TfjsForTests> {
  try {
    const tfjs = await loadEngine('tfjs');
    if (await tfjs.available('wasm')) return { tfjs, backend: 'wasm', why: '' };
    if (await tfjs.available('cpu')) return { tfjs, backend: 'cpu', why: '' };
    return { tfjs: null, backend: 'cpu', why: 'tfjs has neither its wasm nor its cpu backend here' };
  } catch (err) {
    return { tfjs: null, backend: 'cpu', why: `the tfjs engine does not load: ${err instanceof Error ? err.message : String(err)}` };
  }
}

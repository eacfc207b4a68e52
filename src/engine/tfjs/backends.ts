/**
 * tfjs backend loading. Order for `auto`: tfjs-node-gpu (CUDA) → tfjs-node (native CPU) →
 * tfjs-backend-wasm → tfjs-backend-cpu. The native packages are optional peer dependencies,
 * never installed by default (they download libtensorflow at install time, which fails on
 * machines without that network access), so they are loaded in a try and the backend actually
 * used is recorded. The native addon cannot load in a second worker thread (tfjs #8388, #2079):
 * callers keep native backends on one thread.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build ships no gradients; the union package's Node bundle registers
// them all (its ESM register_all_gradients uses extensionless imports Node cannot resolve).
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../../types.js';
import { UsageError } from '../../errors.js';

export type Tf = typeof tf;

let nativeFlavour: 'gpu' | 'cpu' | null | undefined;

/** Try the native packages once per process; remembers which (if any) loaded. */
async function loadNative(): Promise<'gpu' | 'cpu' | null> {
  if (nativeFlavour !== undefined) return nativeFlavour;
  nativeFlavour = null;
  if (process.env.MI_HARNESS_NO_NATIVE === '1') return nativeFlavour;
  for (const [pkg, flavour] of [['@tensorflow/tfjs-node-gpu', 'gpu'], ['@tensorflow/tfjs-node', 'cpu']] as const) {
    try {
      await import(pkg);
      if (tf.engine().registryFactory['tensorflow']) { nativeFlavour = flavour; break; }
    } catch { /* not installed or libtensorflow missing: try the next */ }
  }
  return nativeFlavour;
}

/** True when tfjs-node-gpu loaded (CUDA present). */
export async function cudaAvailable(): Promise<boolean> {
  return (await loadNative()) === 'gpu';
}

/** The recorded name of a tfjs backend. */
function recordedName(name: string): string {
  if (name === 'tensorflow') return `tfjs-tensorflow-${nativeFlavour}`;
  return `tfjs-${name}`;
}

const candidates = (choice: BackendChoice): string[] =>
  choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];

export async function tfBackendAvailable(choice: BackendChoice): Promise<boolean> {
  for (const name of candidates(choice)) {
    if (name === 'tensorflow' ? (await loadNative()) !== null : tf.engine().registryFactory[name] !== undefined) return true;
  }
  return false;
}

/** Activate the best backend for `choice`; returns tf and the recorded backend name. */
export async function initTf(choice: BackendChoice): Promise<{ tf: Tf; backend: string }> {
  for (const name of candidates(choice)) {
    if (name === 'tensorflow' && (await loadNative()) === null) continue;
    if (!tf.engine().registryFactory[name]) continue;
    if (tf.getBackend() === name || (await tf.setBackend(name))) {
      await tf.ready();
      return { tf, backend: recordedName(name) };
    }
  }
  throw new UsageError(`--backend ${choice}: not available on this machine`);
}

/**
 * What a cell's critic needs in memory, checked before training so that a size no engine can
 * hold is refused as bad input (one line naming the flag) rather than ending in a RangeError
 * from WebAssembly.Memory.grow() after the pool has started.
 *
 * The wasm engine keeps everything in one WebAssembly memory (src/engine/wasm/runtime.ts), which
 * a 32-bit WebAssembly module can grow to 4 GiB at most (1 GiB for the shared memory of the
 * 2-thread build, SHARED_MAX_PAGES); the bounds' passes (src/bounds/passes.ts) hold the n×n
 * scores (float64 and float32), the float64 gradient and the float32 dLoss/dS in a memory of
 * their own. The estimate follows the runtime's
 * allocations buffer by buffer, so it is exact up to alignment and the packing scratch.
 */
import type { CriticLayout } from '../critics/layout.js';
import { passesBufferBytes } from '../bounds/passes.js';

/** The largest WebAssembly (32-bit) memory: 65 536 pages of 64 KiB. */
export const WASM_MAX_BYTES = 2 ** 32;
/** The 2-thread build's shared memory maximum (src/engine/wasm/kernels.ts SHARED_MAX_PAGES). */
export const WASM_SHARED_MAX_BYTES = 2 ** 30;
/** Headroom for the module's data, the packing scratch and alignment. */
const OVERHEAD = 4 * 2 ** 20;

export interface MemoryNeed {
  /** Bytes that do not depend on n: parameters, gradient, both Adam moments, W/σ copies. */
  fixed: number;
  /** Bytes that grow with n: scores, inputs, activations and their gradients. */
  perBatch: number;
  total: number;
}

/** Bytes of WebAssembly memory the wasm engine's runtime allocates for `layout` at batch size n. */
export function wasmMemoryNeed(layout: CriticLayout, n: number): MemoryNeed {
  const { dim: d, hidden: h, embed: e } = layout;
  const dy = (layout as { dimY?: number }).dimY ?? d;
  let spectral = 0;
  for (const tower of layout.towers) for (const slot of tower) if (slot.spectralNorm) spectral += slot.weight.size;
  const fixed = 4 * (4 * layout.size + spectral) + OVERHEAD;
  const floats = layout.kind === 'separable'
    ? 2 * n * n + n * (d + dy) + 2 * (2 * n * h + 2 * n * e) + 2 * n * h
    : layout.kind === 'variational'
      // One tower (output 2d_y = e), its backward scratch, and the head's A, B, dA (n × (2d_y + 1)).
      ? 2 * n * n + n * (d + dy) + 2 * n * h + 2 * n * e + 2 * n * h + 3 * n * (e + 1)
      // Joint: the 2n pair scores and their dS of the derangement path (4n floats) besides.
      : 2 * n * n + n * (d + dy) + 4 * n * h + 2 * n * n * h + 4 * n;
  // FLO's u tower: its input rows [x; y], activations, output and backward scratch.
  const aux = layout.aux?.kind === 'u' ? n * (d + dy) + 4 * n * h + 2 * n : 0;
  const perBatch = 4 * (floats + aux);
  return { fixed, perBatch, total: fixed + perBatch };
}

/** Bytes the bounds' passes hold at batch size n: their buffers (24·n² and row buffers) and the module's data. */
export function passesMemoryNeed(n: number): number {
  return passesBufferBytes(n) + OVERHEAD;
}

/** The largest n whose passes fit in a WebAssembly memory. */
function maxPassesBatch(): number {
  let lo = 1, hi = 1 << 20;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passesMemoryNeed(mid) <= WASM_MAX_BYTES) lo = mid; else hi = mid;
  }
  return lo;
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(b < 10 * 2 ** 30 ? 2 : 0)} GiB`;

/**
 * Why the wasm engine cannot train `layout` at batch size n (threads: 1 or 2), as the tail of a
 * one-line message naming the responsible flag, or null when it fits.
 */
export function wasmMemoryProblem(layout: CriticLayout, n: number, threads = 1): string | null {
  const limit = threads === 2 ? WASM_SHARED_MAX_BYTES : WASM_MAX_BYTES;
  const where = threads === 2 ? 'the 2-thread build\'s shared memory' : 'a WebAssembly memory';
  const need = wasmMemoryNeed(layout, n);
  if (need.fixed > limit) {
    const { dim: d, hidden: h, embed: e } = layout;
    // Parameters: d·h (first layer), h² (second), h·e (last): name the flag behind the largest.
    const flag = d >= h && d >= e ? `--dim ${d}` : e > h ? `--embed ${e}` : `--hidden ${h}`;
    return `${flag}: the ${layout.kind} critic has ${layout.size.toExponential(2)} parameters; with their gradient and Adam's two moments that is ${gib(need.fixed)}, more than the ${gib(limit)} ${where} can hold`;
  }
  if (need.total > limit) {
    const what = layout.kind === 'joint'
      ? `for its two n²×h activation buffers (${(n * n).toExponential(2)} pairs × h = ${layout.hidden} floats each)`
      : 'for the n×n scores and the activations';
    return `--batch-size ${n}: the ${layout.kind} critic's training step needs ${gib(need.total)} of WebAssembly memory ${what}, more than the ${gib(limit)} ${where} can hold; the largest batch size that fits is ${maxBatch(layout, limit)}`;
  }
  const passes = passesMemoryNeed(n);
  if (passes > WASM_MAX_BYTES) {
    return `--batch-size ${n}: the bound's n×n buffers (the scores, the gradient and dLoss/dS) need ${gib(passes)}, more than the ${gib(WASM_MAX_BYTES)} a WebAssembly memory can hold; the largest batch size that fits is ${maxPassesBatch()}`;
  }
  return null;
}

/** The largest n whose step fits in `limit` bytes (need grows with n; bisection). */
function maxBatch(layout: CriticLayout, limit: number): number {
  let lo = 1, hi = 2;
  while (wasmMemoryNeed(layout, hi).total <= limit && passesMemoryNeed(hi) <= WASM_MAX_BYTES) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wasmMemoryNeed(layout, mid).total <= limit && passesMemoryNeed(mid) <= WASM_MAX_BYTES) lo = mid; else hi = mid;
  }
  return lo;
}

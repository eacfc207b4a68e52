/**
 * Array helpers shared by the engine suites (wasm, WebGPU, tfjs, derangement, task dimensions):
 * standard-normal inputs drawn from the project's RNG, and the largest absolute value or
 * element-wise difference that their tolerances are stated against.
 */
import assert from 'node:assert/strict';
import type { Rng } from '../src/rng.js';

/** `count` draws of scale·N(0, 1), as float32: the engines' input precision. */
export function normals(rng: Rng, count: number, scale = 1): Float32Array {
  const a = new Float32Array(count);
  for (let i = 0; i < count; i++) a[i] = scale * rng.normal();
  return a;
}

/** `count` draws of scale·N(0, 1) in double precision, for the float64 reference computations. */
export function normals64(rng: Rng, count: number, scale = 1): Float64Array {
  const a = new Float64Array(count);
  for (let i = 0; i < count; i++) a[i] = scale * rng.normal();
  return a;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |a_i − b_i|; the arrays must be the same length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

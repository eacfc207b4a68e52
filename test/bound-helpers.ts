/**
 * Helpers shared by the bound suites (bounds, f-DIME, FLO and the variational bounds): score
 * matrices, relative closeness, and central finite differences of a bound's value checked against
 * its analytic gradient.
 */
import assert from 'node:assert/strict';
import type { Rng } from '../src/rng.js';

/** n×n matrix with `diag` on the diagonal and `off` elsewhere. */
export function matrix(n: number, diag: number, off: number): Float64Array {
  const s = new Float64Array(n * n).fill(off);
  for (let i = 0; i < n; i++) s[i * n + i] = diag;
  return s;
}

/** Uniform scores in ±scale, the diagonal raised by scale/2: joint samples score higher, as after some training. */
export function randomScores(rng: Rng, n: number, scale: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let k = 0; k < s.length; k++) s[k] = rng.range(-scale, scale);
  for (let i = 0; i < n; i++) s[i * n + i] += scale / 2;
  return s;
}

/** |actual − expected| ≤ tol · max(1, |expected|). */
export function close(actual: number, expected: number, tol = 1e-12, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what} expected ${expected}, got ${actual} (diff ${actual - expected})`);
}

/** Central finite differences of f at v, entry by entry. */
export function finiteDiff(f: (v: Float64Array) => number, v: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(v.length);
  const t = Float64Array.from(v);
  for (let k = 0; k < v.length; k++) {
    t[k] = v[k] + h; const up = f(t);
    t[k] = v[k] - h; const down = f(t);
    t[k] = v[k];
    g[k] = (up - down) / (2 * h);
  }
  return g;
}

/** Every entry of an analytic gradient within tol (relative, floor 1) of its finite difference. */
export function assertGradClose(grad: ArrayLike<number>, fd: Float64Array, what: string, tol = 1e-7): void {
  assert.equal(grad.length, fd.length, `${what}: length`);
  for (let k = 0; k < grad.length; k++) {
    assert.ok(Math.abs(grad[k] - fd[k]) <= tol * Math.max(1, Math.abs(fd[k])), `${what}: grad[${k}] = ${grad[k]}, finite difference ${fd[k]}`);
  }
}

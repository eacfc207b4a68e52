/**
 * Batch sampler for the standard and extended benchmarks.
 * Standard: pairs i.i.d.  Extended (paper eq. 18–19):
 *   x_1 ~ N(0, I_d),  x_i = ρ_b·x_{i−1} + sqrt(1 − ρ_b²)·e_i   (i = 2..n)
 *   y_i = ρ·x_i + sqrt(1 − ρ²)·ε_i                             (i = 1..n)
 * Every x_i stays marginally N(0, I_d), so the per-pair MI is unchanged; only the
 * independence of the batch's rows is broken. Random variant: ρ_b ~ U(0, 0.5) per batch.
 * Cubic applies y ↦ y³ after sampling. All draws come from the given stream in a fixed order.
 */
import type { Rng } from '../rng.js';
import type { TaskName } from '../types.js';
import { rhoForMi } from './gaussian.js';
import { cubeInPlace } from './cubic.js';

export interface Batch {
  /** n×d row-major. */
  x: Float32Array;
  /** n×d row-major. */
  y: Float32Array;
  /** The ρ_batch actually used for this batch. */
  batchRho: number;
}

export const RANDOM_BATCH_RHO_MAX = 0.5;

export function sampleBatch(
  task: TaskName, rng: Pick<Rng, 'normal' | 'range'>, n: number, dim: number, mi: number, batchRho: number | 'random',
): Batch {
  const rho = rhoForMi(mi, dim);
  const rb = batchRho === 'random' ? rng.range(0, RANDOM_BATCH_RHO_MAX) : batchRho;
  const x = new Float32Array(n * dim);
  const y = new Float32Array(n * dim);
  const sx = Math.sqrt(1 - rb * rb);
  const sy = Math.sqrt(1 - rho * rho);
  // x first, then y: keeps the x sequence identical whatever the target MI.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      const e = rng.normal();
      x[i * dim + k] = i === 0 || rb === 0 ? e : rb * x[(i - 1) * dim + k] + sx * e;
    }
  }
  for (let i = 0; i < n * dim; i++) y[i] = rho * x[i] + sy * rng.normal();
  if (task === 'cubic') cubeInPlace(y);
  return { x, y, batchRho: rb };
}

/**
 * The 25-Gaussians target of the paper's §5.3 (Fig. 4): an equal-weight mixture of isotropic
 * Gaussians centred on the grid {−4, −2, 0, 2, 4}², each with standard deviation σ = 0.05.
 * σ = 0.05 is the grid benchmark's usual value (VEEGAN, PacGAN): 3σ = 0.15 is far below the
 * spacing of 2, so "within 3σ of a mode" assigns every sample to at most one mode and a
 * generator has to be precise, not merely in the right region, to score.
 */
import type { Rng } from '../rng.js';

export const GRID_COORDS = [-4, -2, 0, 2, 4] as const;
export const GRID_SIGMA = 0.05;

/** The 25 mode centres, row-major over (x, y). */
export const GRID_MEANS: ReadonlyArray<readonly [number, number]> =
  GRID_COORDS.flatMap((x) => GRID_COORDS.map((y) => [x, y] as const));

/** n samples of the target, as a flat [n, 2] row-major array. */
export function sampleGrid(rng: Rng, n: number, sigma = GRID_SIGMA): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [mx, my] = GRID_MEANS[Math.floor(rng.uniform() * GRID_MEANS.length)];
    out[2 * i] = mx + sigma * rng.normal();
    out[2 * i + 1] = my + sigma * rng.normal();
  }
  return out;
}

/** n rows of `dim` independent U(0, 1) values (the paper: "Z follows a standard uniform distribution"). */
export function sampleUniform(rng: Rng, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform();
  return out;
}

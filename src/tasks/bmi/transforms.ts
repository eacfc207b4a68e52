/**
 * BMI's MI-preserving transforms (cbg-ethz/bmi src/bmi/transforms/simple.py, _rotate.py,
 * _invert_cdf.py; src/bmi/benchmark/tasks/{normal_cdf,half_cube,asinh,wiggly,spiral,
 * embeddings,bimodal_gaussians}.py). Each is injective and differentiable, so the transformed
 * task keeps its base task's MI:
 *  - normal CDF Φ (elementwise): Gaussian margins become uniform on (0, 1);
 *  - half-cube t ↦ t·√|t| (a signed t^{3/2});
 *  - asinh (elementwise), which tames the Student-t tails;
 *  - wiggly: x ↦ x + 0.4 sin x + 0.2 sin(1.7x + 1) + 0.03 sin(3.3x − 2.5),
 *            y ↦ y − 0.4 sin(0.4y) + 0.17 sin(1.3y + 3.5) + 0.02 sin(4.3y − 2.5) (both increasing);
 *  - spiral: v ↦ exp(s‖v‖² A) v, a rotation in one coordinate plane by the angle s‖v‖², with A
 *    the canonical so(n) generator of plane (i, j) (A_ij = −1, A_ji = 1): planes (0, 1) for X and
 *    (1, 2) for Y, speed s = 1/dim (BMI's normalize_speed); it preserves ‖v‖, so it inverts by
 *    rotating back by the same angle;
 *  - Swiss roll (2 × 1 embedding of a U(0, 1) variable): t = 1.5π(1 + 2u), u ↦ (t cos t, t sin t)/21;
 *  - bimodal: u ↦ F⁻¹(u) for the mixture CDFs F_X(t) = 0.3 Φ(t) + 0.7 Φ(t − 5) and
 *    F_Y(t) = 0.5 Φ(t + 1) + 0.5 Φ(t − 3), inverted by bisection on [−10, 10] to 1e-12 (BMI's
 *    invert_cdf), applied to the uniform task (Φ of the bivariate normal).
 */
import { elementwise, type RowMap } from './sampler.js';
import { normalCdf } from './special.js';

export const normalCdfMap = (dim: number): RowMap => elementwise(normalCdf, dim);

export const halfCube = (t: number): number => t * Math.sqrt(Math.abs(t));
export const halfCubeMap = (dim: number): RowMap => elementwise(halfCube, dim);

export const asinhMap = (dim: number): RowMap => elementwise(Math.asinh, dim);

export const wigglyX = (x: number): number => x + 0.4 * Math.sin(1.0 * x) + 0.2 * Math.sin(1.7 * x + 1) + 0.03 * Math.sin(3.3 * x - 2.5);
export const wigglyY = (y: number): number => y - 0.4 * Math.sin(0.4 * y) + 0.17 * Math.sin(1.3 * y + 3.5) + 0.02 * Math.sin(4.3 * y - 2.5);

/** Rotation of coordinates (i, j) by the angle speed·‖v‖². `inverse` rotates back (tests use it). */
export function spiralMap(dim: number, i: number, j: number, speed = 1 / dim, inverse = false): RowMap {
  if (!(dim >= 2 && i >= 0 && i < j && j < dim)) throw new RangeError(`spiral: need 0 <= i < j < dim, got i=${i} j=${j} dim=${dim}`);
  return {
    inDim: dim, outDim: dim,
    apply(row, out) {
      let r = 0;
      for (let k = 0; k < dim; k++) { r += row[k] * row[k]; out[k] = row[k]; }
      const theta = (inverse ? -1 : 1) * speed * r;
      const c = Math.cos(theta), s = Math.sin(theta);
      out[i] = c * row[i] - s * row[j];
      out[j] = s * row[i] + c * row[j];
    },
  };
}

export const swissRollMap: RowMap = {
  inDim: 1, outDim: 2,
  apply(row, out) {
    const t = 1.5 * Math.PI * (1 + 2 * row[0]);
    out[0] = (t * Math.cos(t)) / 21;
    out[1] = (t * Math.sin(t)) / 21;
  },
};

/** BMI's invert_mono: bisection for the inverse of an increasing f on [lo, hi]. */
export function invertIncreasing(f: (t: number) => number, lo = -10, hi = 10, delta = 1e-12): (u: number) => number {
  return (u: number) => {
    let a = lo, b = hi;
    for (;;) {
      const m = (a + b) / 2;
      if (!(Math.abs(b - a) > delta && b > m && m > a)) return m;
      if (f(m) < u) a = m; else b = m;
    }
  };
}

export const bimodalCdfX = (t: number): number => 0.3 * normalCdf(t) + 0.7 * normalCdf(t - 5);
export const bimodalCdfY = (t: number): number => 0.5 * normalCdf(t + 1) + 0.5 * normalCdf(t - 3);
export const bimodalMapX = elementwise(invertIncreasing(bimodalCdfX), 1);
export const bimodalMapY = elementwise(invertIncreasing(bimodalCdfY), 1);

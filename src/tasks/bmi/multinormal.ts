/**
 * Multivariate normal tasks of BMI (Czyż et al. 2023, "Beyond Normal"; cbg-ethz/bmi
 * src/bmi/samplers/_splitmultinormal.py, src/bmi/samplers/_matrix_utils.py,
 * src/bmi/benchmark/tasks/multinormal.py and bivariate_normal.py):
 *  - SplitMultinormal: (X, Y) ~ N(0, Σ), X the first dim_x coordinates; sampled as L z with
 *    Σ = L Lᵀ and z ~ N(0, I). I(X; Y) = ½ log(det Σ_XX det Σ_YY / det Σ).
 *  - bivariate normal: 1 × 1, unit variances, correlation ρ; I = −½ log(1 − ρ²) (BMI's closed form).
 *  - dense: Σ = (1 − c) I + c 11ᵀ, every pair correlated with c = 0.5 (task_multinormal_dense).
 *  - 2-pair (sparse): BMI's Gaussian latent-variable parametrisation with two interacting pairs,
 *    α = β = 0, λ = η = 2, ε = 1 (task_multinormal_2pair → task_multinormal_sparse →
 *    GaussianLVMParametrization(...).correlation): X_i and Y_i for i < 2 correlated with
 *    λ²/(ε² + λ²) = 0.8, every other pair independent; I = −2 · ½ log(1 − 0.8²) = 1.0217 nats.
 */
import type { TaskRng } from '../../types.js';
import { cholesky, gaussianMi, lowerTimes } from './linalg.js';
import type { Sampler } from './sampler.js';

/** N(0, Σ) split into its first dimX and last dimY coordinates. */
export function splitMultinormal(dimX: number, dimY: number, cov: Float64Array, mi = gaussianMi(cov, dimX, dimY)): Sampler {
  const m = dimX + dimY;
  const l = cholesky(cov, m);
  return {
    dimX, dimY, mi,
    sample(n: number, rng: TaskRng) {
      const x = new Float64Array(n * dimX), y = new Float64Array(n * dimY);
      const z = new Float64Array(m), v = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < m; k++) z[k] = rng.normal();
        lowerTimes(l, m, z, v);
        for (let r = 0; r < dimX; r++) x[i * dimX + r] = v[r];
        for (let r = 0; r < dimY; r++) y[i * dimY + r] = v[dimX + r];
      }
      return { x, y };
    },
  };
}

/** BMI's BivariateNormalSampler with unit variances: MI −½ log(1 − ρ²). */
export function bivariateNormal(rho: number): Sampler {
  if (!(rho > -1 && rho < 1)) throw new RangeError(`correlation must be in (−1, 1), got ${rho}`);
  return splitMultinormal(1, 1, Float64Array.of(1, rho, rho, 1), -0.5 * Math.log(1 - rho * rho));
}

/** (1 − c) I + c 11ᵀ of size m (BMI's task_multinormal_dense, off_diag = c). */
export function denseCovariance(m: number, c = 0.5): Float64Array {
  const a = new Float64Array(m * m).fill(c);
  for (let i = 0; i < m; i++) a[i * m + i] = 1;
  return a;
}

export interface LvmParams {
  dimX: number;
  dimY: number;
  /** K pairs (X_i, Y_i), i < K, share a latent Z_i with weight λ. */
  nInteracting: number;
  /** Weight of the latent shared by every coordinate. */
  alpha: number;
  lambda: number;
  /** Weight of the latent shared by the X coordinates (and, as BMI defaults, by the Y ones). */
  beta: number;
  /** Individual noise weight (BMI's default 1). */
  epsilon: number;
  /** Extra noise on non-interacting coordinates, so every variance is the same when η = λ. */
  eta: number;
}

/**
 * BMI's GaussianLVMParametrization: the covariance of (X, Y) = mixing · latents with i.i.d.
 * N(0, 1) latents, rescaled to a correlation matrix. Derived entry by entry:
 *   Cov = α² everywhere + β² on the X–X and Y–Y blocks + ε² on the diagonal
 *       + λ² on (X_i, Y_i), (Y_i, X_i), (X_i, X_i), (Y_i, Y_i) for i < K
 *       + η² on the diagonal entries of the non-interacting coordinates.
 */
export function lvmCorrelation(p: LvmParams): Float64Array {
  const { dimX, dimY, nInteracting: k } = p;
  if (!(k >= 0 && k <= Math.min(dimX, dimY))) throw new RangeError(`n_interacting must be in [0, min(dim_x, dim_y)], got ${k}`);
  const m = dimX + dimY;
  const cov = new Float64Array(m * m).fill(p.alpha ** 2);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) if ((i < dimX) === (j < dimX)) cov[i * m + j] += p.beta ** 2;
    cov[i * m + i] += p.epsilon ** 2;
  }
  for (let i = 0; i < k; i++) {
    const j = dimX + i;
    cov[i * m + j] += p.lambda ** 2;
    cov[j * m + i] += p.lambda ** 2;
    cov[i * m + i] += p.lambda ** 2;
    cov[j * m + j] += p.lambda ** 2;
  }
  for (let i = k; i < dimX; i++) cov[i * m + i] += p.eta ** 2;
  for (let j = dimX + k; j < m; j++) cov[j * m + j] += p.eta ** 2;
  const corr = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) corr[i * m + j] = cov[i * m + j] / Math.sqrt(cov[i * m + i] * cov[j * m + j]);
  return corr;
}

/** BMI's task_multinormal_2pair(dim_x, dim_y, strength = 2): the sparse LVM correlation with K = 2. */
export function twoPairCorrelation(dimX: number, dimY: number, strength = 2): Float64Array {
  return lvmCorrelation({ dimX, dimY, nInteracting: 2, alpha: 0, lambda: strength, beta: 0, epsilon: 1, eta: strength });
}

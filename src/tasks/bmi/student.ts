/**
 * Multivariate Student-t tasks of BMI (cbg-ethz/bmi src/bmi/samplers/_split_student_t.py,
 * src/bmi/benchmark/tasks/student.py): (X, Y) ~ t_ν(0, Ω) with dispersion Ω (the identity in
 * BMI's task_student_identity), sampled as z / √(χ²_ν/ν) with z ~ N(0, Ω) and one χ²_ν per point
 * (the textbook construction, as scipy's multivariate_t draws it).
 *
 * MI (Arellano-Valle, Contreras-Reyes & Genton 2013, via entropies as BMI computes it):
 *   I = I_Gauss(Ω) + h(d_x) + h(d_y) − h(d_x + d_y),
 *   h(k) = −log Γ((ν+k)/2) + log Γ(ν/2) + (k/2) log(νπ) + ((ν+k)/2)(ψ((ν+k)/2) − ψ(ν/2)),
 * h(k) being the differential entropy of a standard k-dimensional t_ν without its ½ log det Ω
 * term, so the dispersion enters only through the Gaussian part (zero for Ω = I).
 * Only integer ν is needed by the suite (1, 2, 3); χ²_ν is then a sum of ν squared normals.
 */
import type { TaskRng } from '../../types.js';
import { cholesky, gaussianMi, lowerTimes } from './linalg.js';
import { digamma, gammaln } from './special.js';
import type { Sampler } from './sampler.js';

/** Differential entropy of a standard k-dimensional Student-t with ν degrees of freedom (Ω = I). */
export function studentEntropy(k: number, nu: number): number {
  const a = 0.5 * (nu + k);
  return -gammaln(a) + gammaln(0.5 * nu) + 0.5 * k * Math.log(nu * Math.PI) + a * (digamma(a) - digamma(0.5 * nu));
}

/** The dispersion-free part of a Student-t's MI: h(d_x) + h(d_y) − h(d_x + d_y). */
export function studentMiCorrection(nu: number, dimX: number, dimY: number): number {
  return studentEntropy(dimX, nu) + studentEntropy(dimY, nu) - studentEntropy(dimX + dimY, nu);
}

export function splitStudentT(dimX: number, dimY: number, nu: number, dispersion: Float64Array): Sampler {
  if (!(Number.isInteger(nu) && nu >= 1)) throw new RangeError(`degrees of freedom must be a positive integer here, got ${nu}`);
  const m = dimX + dimY;
  const l = cholesky(dispersion, m);
  const mi = gaussianMi(dispersion, dimX, dimY) + studentMiCorrection(nu, dimX, dimY);
  return {
    dimX, dimY, mi,
    sample(n: number, rng: TaskRng) {
      const x = new Float64Array(n * dimX), y = new Float64Array(n * dimY);
      const z = new Float64Array(m), v = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < m; k++) z[k] = rng.normal();
        let chi2 = 0;
        for (let k = 0; k < nu; k++) { const g = rng.normal(); chi2 += g * g; }
        const scale = 1 / Math.sqrt(chi2 / nu);
        lowerTimes(l, m, z, v);
        for (let r = 0; r < dimX; r++) x[i * dimX + r] = v[r] * scale;
        for (let r = 0; r < dimY; r++) y[i * dimY + r] = v[dimX + r] * scale;
      }
      return { x, y };
    },
  };
}

/** BMI's task_student_identity(dim_x, dim_y, df). */
export function studentIdentity(dimX: number, dimY: number, nu: number): Sampler {
  const m = dimX + dimY;
  const eye = new Float64Array(m * m);
  for (let i = 0; i < m; i++) eye[i * m + i] = 1;
  return splitStudentT(dimX, dimY, nu, eye);
}

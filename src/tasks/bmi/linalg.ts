/**
 * Small dense linear algebra for the BMI samplers: Cholesky factors and log-determinants of
 * symmetric positive-definite matrices (row-major Float64Array, m×m). The largest matrix in the
 * suite is 100×100 (multinormal dense 50 × 50), built once per task, so plain loops suffice.
 */

/** Lower-triangular L with A = L Lᵀ; throws RangeError when A is not positive definite. */
export function cholesky(a: ArrayLike<number>, m: number): Float64Array {
  if (a.length !== m * m) throw new RangeError(`cholesky: expected ${m * m} entries, got ${a.length}`);
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} = ${s})`);
        l[i * m + i] = Math.sqrt(s);
      } else {
        l[i * m + j] = s / l[j * m + j];
      }
    }
  }
  return l;
}

/** out = L z for a lower-triangular m×m L (row-major): a N(0, L Lᵀ) draw from a N(0, I) one. */
export function lowerTimes(l: Float64Array, m: number, z: Float64Array, out: Float64Array): void {
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let k = 0; k <= r; k++) s += l[r * m + k] * z[k];
    out[r] = s;
  }
}

/** log det A for symmetric positive-definite A: 2 Σ log L_ii. */
export function logDet(a: ArrayLike<number>, m: number): number {
  const l = cholesky(a, m);
  let s = 0;
  for (let i = 0; i < m; i++) s += Math.log(l[i * m + i]);
  return 2 * s;
}

/** The square block A[from:to, from:to]. */
export function block(a: ArrayLike<number>, m: number, from: number, to: number): Float64Array {
  const k = to - from;
  const b = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) b[i * k + j] = a[(from + i) * m + from + j];
  return b;
}

/**
 * I(X; Y) of a jointly Gaussian (X, Y) with covariance Σ (X the first dimX coordinates):
 * ½ (log det Σ_XX + log det Σ_YY − log det Σ), clamped at 0 as BMI's SplitMultinormal does.
 */
export function gaussianMi(cov: ArrayLike<number>, dimX: number, dimY: number): number {
  const m = dimX + dimY;
  const mi = 0.5 * (logDet(block(cov, m, 0, dimX), dimX) + logDet(block(cov, m, dimX, m), dimY) - logDet(cov, m));
  return Math.max(0, mi);
}

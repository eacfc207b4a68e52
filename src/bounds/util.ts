/**
 * Numerical helpers shared by the bounds. Everything works on an n×n row-major score matrix
 * S[i*n+j] = T(x_i, y_j) in float64; the diagonal holds joint samples and the n(n−1)
 * off-diagonal entries samples of the product of marginals (paper eq. 9; SMILE's
 * `logmeanexp_nodiag`). Log-sum-exps subtract the maximum first so ±1e3 scores stay finite.
 *
 * The O(n²) passes run in ./passes.ts (WebAssembly, or plain loops where that is missing): the
 * same float64 operations in the same order as the per-element loops they replaced, so every
 * result has the same bits (test/bounds-bitwise.test.ts); the comments say what each computes.
 * `out` (optional, length n²): write the gradient there and return it instead of a new array.
 */
import { UsageError } from '../errors.js';
import { boundPrecision, jsFganStaged, marginalGradStaged, nwjStagedF32, offDiagMax, offDiagSumExp, rowGradStaged, rowMaxSumExp, stage } from './passes.js';

/** Check the shape every bound relies on; a mismatch is a programming error, not user input. */
export function checkScores(scores: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`bound: batch size n must be an integer ≥ 2, got ${n}`);
  if (scores.length !== n * n) throw new RangeError(`bound: expected ${n * n} scores for n = ${n}, got ${scores.length}`);
}

/** log(e^a + e^b), exact at ±Infinity. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** Finish a log-sum-exp given its maximum m and Σ e^(x−m); handles the empty/±∞ cases. */
function lseFinish(m: number, sum: number): number {
  if (m === -Infinity || m === Infinity) return m;
  return m + Math.log(sum);
}

/** log Σ_j e^(S_ij) over row i, optionally skipping the diagonal entry j = i. */
export function rowLogSumExp(s: ArrayLike<number>, n: number, i: number, skipDiag: boolean): number {
  const o = i * n;
  let m = -Infinity;
  for (let j = 0; j < n; j++) if (!(skipDiag && j === i)) m = Math.max(m, s[o + j]);
  if (Number.isNaN(m)) return NaN;
  if (m === -Infinity || m === Infinity) return m;
  let sum = 0;
  for (let j = 0; j < n; j++) if (!(skipDiag && j === i)) sum += Math.exp(s[o + j] - m);
  return lseFinish(m, sum);
}

/** rowLogSumExp of every row of the staged matrix. */
function rowLogSumExpsStaged(n: number, skipDiag: boolean): Float64Array {
  const { max, sum } = rowMaxSumExp(n, skipDiag);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = max[i];
    out[i] = Number.isNaN(m) ? NaN : m === -Infinity || m === Infinity ? m : lseFinish(m, sum[i]);
  }
  return out;
}

/** log Σ_{i≠j} e^(clip(S_ij, lo, hi)) of the staged matrix. */
function offDiagLseStaged(n: number, lo: number, hi: number): number {
  const m = offDiagMax(n, lo, hi);
  if (Number.isNaN(m)) return NaN;
  if (m === -Infinity || m === Infinity) return m;
  return lseFinish(m, offDiagSumExp(n, lo, hi, m));
}

/** log Σ_{i≠j} e^(clip(S_ij, lo, hi)): the partition sum over the product of marginals. */
export function offDiagLogSumExp(s: ArrayLike<number>, n: number, lo = -Infinity, hi = Infinity): number {
  stage(s, n);
  return offDiagLseStaged(n, lo, hi);
}

/** log mean_{i≠j} e^(clip(S_ij)): SMILE's `logmeanexp_nodiag`. */
export function offDiagLogMeanExp(s: ArrayLike<number>, n: number, lo = -Infinity, hi = Infinity): number {
  return offDiagLogSumExp(s, n, lo, hi) - Math.log(n * (n - 1));
}

/** mean_i S_ii, the joint-sample term E_P[T]. */
export function diagMean(s: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i * n + i];
  return sum / n;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^−x) without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Leave-one-out log-sum-exp of a vector: out[k] = log Σ_{j≠k} e^(v_j); an empty sum gives
 * −Infinity. Every entry but the maximum's subtracts its own term from Σ_j e^(v_j − max), which
 * keeps the maximum's term 1, so the difference never cancels below 1 (relative error ≤ n·ε);
 * the maximum's own entry is summed afresh around the runner-up.
 */
export function leaveOneOutLogSumExp(v: ArrayLike<number>): Float64Array {
  const m = v.length;
  const out = new Float64Array(m);
  let top = -1;
  let max = -Infinity;
  for (let k = 0; k < m; k++) {
    if (Number.isNaN(v[k])) return out.fill(NaN);
    if (top < 0 || v[k] > max) { max = v[k]; top = k; }
  }
  if (m === 0) return out;
  let second = -Infinity;
  for (let k = 0; k < m; k++) if (k !== top && v[k] > second) second = v[k];
  if (max === -Infinity) return out.fill(-Infinity);
  if (max === Infinity) {
    // Only a second +∞ keeps the maximum's leave-one-out sum infinite.
    for (let k = 0; k < m; k++) out[k] = k === top ? second : Infinity;
    if (second === Infinity) return out;
    out[top] = lseAround(v, top, second);
    return out;
  }
  let sum = 0;
  const terms = new Float64Array(m);
  for (let k = 0; k < m; k++) { terms[k] = Math.exp(v[k] - max); sum += terms[k]; }
  for (let k = 0; k < m; k++) out[k] = k === top ? lseAround(v, top, second) : max + Math.log(sum - terms[k]);
  return out;
}

/** log Σ_{j≠skip} e^(v_j), shifted by the (given) maximum of the remaining entries. */
function lseAround(v: ArrayLike<number>, skip: number, max: number): number {
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let j = 0; j < v.length; j++) if (j !== skip) sum += Math.exp(v[j] - max);
  return max + Math.log(sum);
}

/** JS f-GAN objective E_P[−softplus(−T)] − E_Q[softplus(T)] and its gradient (SMILE's `js_fgan_lower_bound`). */
export function jsFgan(s: ArrayLike<number>, n: number, out?: Float64Array): { value: number; grad: Float64Array } {
  // Per entry, in row-major order: on the diagonal joint −= softplus(−T_ii), grad = sigmoid(−T_ii)/n;
  // off it marg += softplus(T_ij), grad = −sigmoid(T_ij)/(n(n − 1)).
  stage(s, n);
  const { joint, marg, grad } = jsFganStaged(n, out);
  return { value: joint / n - marg / (n * (n - 1)), grad };
}

/** E_P[T] − E_Q[e^(T−1)] (NWJ, paper eq. 5), the value alone. */
export function nwjOnly(s: ArrayLike<number>, n: number): number {
  stage(s, n);
  return diagMean(s, n) - Math.exp(offDiagLseStaged(n, -Infinity, Infinity) - Math.log(n * (n - 1)) - 1);
}

/** E_P[T] − E_Q[e^(T−1)] (NWJ, paper eq. 5) and its gradient: 1/n on the diagonal, −e^(S_ij − 1 − log n(n−1)) off it. */
export function nwjValue(s: ArrayLike<number>, n: number, out?: Float64Array): { value: number; grad: Float64Array; dLoss32?: Float32Array } {
  if (boundPrecision() === 'float32') {
    // One exponential per entry for the sum and the gradient (passes.ts nwjStagedF32), which
    // from float32 scores also gives the engines' float32 −gradient (dLoss32).
    stage(s, n);
    const m = offDiagMax(n, -Infinity, Infinity);
    const fused = m - m === 0 ? nwjStagedF32(n, m, out) : null;
    if (fused) {
      const value = diagMean(s, n) - Math.exp(lseFinish(m, fused.sum) - Math.log(n * (n - 1)) - 1);
      return fused.dLoss32 ? { value, grad: fused.grad, dLoss32: fused.dLoss32 } : { value, grad: fused.grad };
    }
  }
  const value = nwjOnly(s, n);
  return { value, grad: marginalGradStaged(n, 1, Math.log(n * (n - 1)), out) };
}

/** E_P[T] − log mean_{i≠j} e^(T_ij) (DV, paper eq. 2), the value alone. */
export function dvOnly(s: ArrayLike<number>, n: number): number {
  stage(s, n);
  return diagMean(s, n) - (offDiagLseStaged(n, -Infinity, Infinity) - Math.log(n * (n - 1)));
}

/** E_P[T] − log mean_{i≠j} e^(T_ij) (DV, paper eq. 2) and its gradient: 1/n on the diagonal, −e^(S_ij − lse) off it. */
export function dvValue(s: ArrayLike<number>, n: number, out?: Float64Array): { value: number; grad: Float64Array } {
  stage(s, n);
  const lse = offDiagLseStaged(n, -Infinity, Infinity);
  const grad = marginalGradStaged(n, lse, null, out);
  return { value: diagMean(s, n) - (lse - Math.log(n * (n - 1))), grad };
}

/**
 * The gradient of a marginal term: 1/n on the diagonal, −e^(S_ij − a) off it (b = null), or
 * −e^((S_ij − a) − b).
 */
export function marginalGrad(s: ArrayLike<number>, n: number, a: number, b: number | null, out?: Float64Array): Float64Array {
  stage(s, n);
  return marginalGradStaged(n, a, b, out);
}

/** mean_i [T_ii − log Σ_j e^(T_ij)] + log n (InfoNCE/CPC, paper eq. 8), the value alone. */
export function infonceOnly(s: ArrayLike<number>, n: number): number {
  stage(s, n);
  const lse = rowLogSumExpsStaged(n, false);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i * n + i] - lse[i];
  return sum / n + Math.log(n);
}

/** mean_i [T_ii − log Σ_j e^(T_ij)] + log n (InfoNCE/CPC, paper eq. 8) and its gradient ((i = j) − e^(T_ij − lse_i))/n. */
export function infonceValue(s: ArrayLike<number>, n: number, out?: Float64Array): { value: number; grad: Float64Array } {
  stage(s, n);
  const lse = rowLogSumExpsStaged(n, false);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i * n + i] - lse[i];
  return { value: sum / n + Math.log(n), grad: rowGradStaged(n, lse, 'infonce', out) };
}

/**
 * FlatNCE's rows: l_i = log Σ_{j≠i} e^(T_ij − T_ii) summed as Σ_i (lse_i − T_ii), and the gradient
 * of −mean_i l_i: 1/n on the diagonal, −e^(T_ij − lse_i)/n off it.
 */
export function flatnceRows(s: ArrayLike<number>, n: number, out?: Float64Array): { sum: number; grad: Float64Array } {
  stage(s, n);
  const lse = rowLogSumExpsStaged(n, true);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += lse[i] - s[i * n + i];
  return { sum, grad: rowGradStaged(n, lse, 'flatnce', out) };
}

/** Read an optional numeric bound option, rejecting values outside [lo, hi] with a UsageError naming it. */
export function numberOption(value: number | undefined, key: string, fallback: number, lo: number, hi: number, openLo = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && !Number.isNaN(value) && (openLo ? value > lo : value >= lo) && value <= hi;
  if (!ok) throw new UsageError(`${key}: must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(value)}`);
  return value;
}

/**
 * Numerical helpers shared by the bounds. Everything works on an n×n row-major score matrix
 * S[i*n+j] = T(x_i, y_j) in float64; the diagonal holds joint samples and the n(n−1)
 * off-diagonal entries samples of the product of marginals (paper eq. 9; SMILE's
 * `logmeanexp_nodiag`). Log-sum-exps subtract the maximum first so ±1e3 scores stay finite.
 */
import { UsageError } from '../errors.js';

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

/** log Σ_{i≠j} e^(clip(S_ij, lo, hi)): the partition sum over the product of marginals. */
export function offDiagLogSumExp(s: ArrayLike<number>, n: number, lo = -Infinity, hi = Infinity): number {
  const c = (v: number) => (v < lo ? lo : v > hi ? hi : v);
  let m = -Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) m = Math.max(m, c(s[i * n + j]));
  if (Number.isNaN(m)) return NaN;
  if (m === -Infinity || m === Infinity) return m;
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += Math.exp(c(s[i * n + j]) - m);
  return lseFinish(m, sum);
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
export function jsFgan(s: ArrayLike<number>, n: number): { value: number; grad: Float64Array } {
  const grad = new Float64Array(n * n);
  const nOff = n * (n - 1);
  let joint = 0;
  let marg = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const t = s[k];
      if (i === j) {
        joint -= softplus(-t);
        grad[k] = sigmoid(-t) / n;
      } else {
        marg += softplus(t);
        grad[k] = -sigmoid(t) / nOff;
      }
    }
  }
  return { value: joint / n - marg / nOff, grad };
}

/** E_P[T] − E_Q[e^(T−1)] (NWJ, paper eq. 5) and its gradient. */
export function nwjValue(s: ArrayLike<number>, n: number): { value: number; grad: Float64Array } {
  const lme = offDiagLogMeanExp(s, n);
  const grad = new Float64Array(n * n);
  const logNOff = Math.log(n * (n - 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      grad[i * n + j] = i === j ? 1 / n : -Math.exp(s[i * n + j] - 1 - logNOff);
    }
  }
  return { value: diagMean(s, n) - Math.exp(lme - 1), grad };
}

/** E_P[T] − log mean_{i≠j} e^(T_ij) (DV, paper eq. 2) and its gradient. */
export function dvValue(s: ArrayLike<number>, n: number): { value: number; grad: Float64Array } {
  const lse = offDiagLogSumExp(s, n);
  const grad = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) grad[i * n + j] = i === j ? 1 / n : -Math.exp(s[i * n + j] - lse);
  }
  return { value: diagMean(s, n) - (lse - Math.log(n * (n - 1))), grad };
}

/** mean_i [T_ii − log Σ_j e^(T_ij)] + log n (InfoNCE/CPC, paper eq. 8) and its gradient. */
export function infonceValue(s: ArrayLike<number>, n: number): { value: number; grad: Float64Array } {
  const grad = new Float64Array(n * n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const lse = rowLogSumExp(s, n, i, false);
    sum += s[i * n + i] - lse;
    for (let j = 0; j < n; j++) grad[i * n + j] = ((i === j ? 1 : 0) - Math.exp(s[i * n + j] - lse)) / n;
  }
  return { value: sum / n + Math.log(n), grad };
}

/** Read an optional numeric bound option, rejecting values outside [lo, hi] with a UsageError naming it. */
export function numberOption(value: number | undefined, key: string, fallback: number, lo: number, hi: number, openLo = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && !Number.isNaN(value) && (openLo ? value > lo : value >= lo) && value <= hi;
  if (!ok) throw new UsageError(`${key}: must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(value)}`);
  return value;
}

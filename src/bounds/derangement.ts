/**
 * Negatives by derangement (Letizia, Novello & Tonello, "Mutual Information Estimation via
 * f-Divergence and Data Derangements", NeurIPS 2024; their code: nicolaNovello/fDIME,
 * utils.py `derangement`, `data_generation_mi`). The product-of-marginals samples of a batch
 * {(x_i, y_i)} are the n pairs (x_i, y_σ(i)) for a permutation σ without fixed points, not all
 * n(n−1) pairs (x_i, y_j), j ≠ i. A random permutation would keep some joint pairs among the
 * "marginal" ones (σ(i) = i), which caps the estimate from above (their README's
 * permutation-vs-derangement figure); a derangement never does. For the joint critic this cuts
 * the critic's work from n² to 2n pair evaluations.
 *
 * Every bound stays a pure function of an n×n score matrix: given σ, the derangement fill
 *   S'[i][i] = S[i][i],   S'[i][j] = S[i][σ(i)]  for every j ≠ i
 * makes each row's off-diagonal entries n − 1 copies of its one negative, so a bound whose
 * marginal term is a mean (or log-mean-exp) over all off-diagonal entries evaluates on S' exactly
 * the same mean over the n deranged pairs (BoundDefinition.derangement marks those bounds). The
 * chain rule through the fill gives the gradient on S:
 *   dS[i][i] = dS'[i][i],   dS[i][σ(i)] = Σ_{j≠i} dS'[i][j],   every other entry 0.
 * InfoNCE-type bounds (infonce, alpha-infonce, flatnce) normalise each row over every candidate
 * y_j, which a derangement does not supply: they refuse it.
 *
 * σ is uniform over the derangements of n, as in their code (which reshuffles until no fixed
 * point remains): here, rejection sampling of Fisher–Yates permutations from the cell's own
 * derangement stream (src/rng.ts derangementStream), about e tries per draw. The stream is apart
 * from the data stream, so a cell's batches do not depend on how its negatives are drawn.
 */
import type { BoundDefinition, EstimatorId } from '../types.js';
import type { Rng } from '../rng.js';
import { UsageError } from '../errors.js';

/** A uniformly random derangement of 0..n−1 (n ≥ 2) from `rng`, written into `out` when given. */
export function drawDerangement(rng: Rng, n: number, out?: Int32Array): Int32Array {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`derangement: n must be an integer ≥ 2, got ${n}`);
  const p = out && out.length === n ? out : new Int32Array(n);
  for (;;) {
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    let fixed = false;
    for (let i = 0; i < n && !fixed; i++) fixed = p[i] === i;
    if (!fixed) return p;
  }
}

/** Check that σ is a derangement of 0..n−1 (a programming error otherwise, not user input). */
export function checkDerangement(sigma: ArrayLike<number>, n: number): void {
  if (sigma.length !== n) throw new RangeError(`derangement: expected ${n} entries, got ${sigma.length}`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = sigma[i];
    if (!Number.isInteger(j) || j < 0 || j >= n || j === i || seen[j]) throw new RangeError(`derangement: σ(${i}) = ${j} is not a derangement of 0..${n - 1}`);
    seen[j] = 1;
  }
}

/** The derangement fill S' of S (see the header), into `out` (float32, as the engines' scores, unless a Float64Array is given). */
export function derangedScores<T extends Float32Array | Float64Array = Float32Array>(s: ArrayLike<number>, n: number, sigma: ArrayLike<number>, out?: T): T {
  const r = (out && out.length === n * n ? out : new Float32Array(n * n)) as T;
  for (let i = 0; i < n; i++) {
    const o = i * n;
    r.fill(s[o + sigma[i]], o, o + n);
    r[o + i] = s[o + i];
  }
  return r;
}

/**
 * The gradient on S from the gradient g' on S' (the chain rule through the fill), negated and
 * rounded to float32: dLoss/dS, what CriticRuntime.step takes. Zero off the 2n evaluated entries.
 */
export function foldDerangedGradient(g: ArrayLike<number>, n: number, sigma: ArrayLike<number>, out?: Float32Array): Float32Array {
  const r = out && out.length === n * n ? out.fill(0) : new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) if (j !== i) sum += g[o + j];
    r[o + i] = -g[o + i];
    r[o + sigma[i]] = -sum;
  }
  return r;
}

const ROW_NORMALISED = new Set<string>(['infonce', 'alpha-infonce', 'flatnce']);

/** Refuse derangement for a bound that does not declare it (BoundDefinition.derangement), saying why in one line. */
export function assertDerangementSupported(bound: BoundDefinition, name: EstimatorId = bound.name, what = 'negatives=derangement', instead = 'use all pairs'): void {
  if (bound.derangement) return;
  const why = ROW_NORMALISED.has(name)
    ? 'its normaliser runs over every y_j of each row, which n deranged pairs do not supply'
    : 'the bound does not declare that its marginal term is a mean over the off-diagonal pairs (BoundDefinition.derangement)';
  throw new UsageError(`${what}: estimator '${name}' cannot use it: ${why}; ${instead}`);
}

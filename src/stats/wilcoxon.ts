/**
 * Wilcoxon signed-rank test for paired samples (Wilcoxon 1945). Pairs are seeds: the same seed
 * gives every estimator the same data stream and the same initial weights, so the difference
 * of two estimators' errors at one seed is a paired observation.
 *
 * Conventions (the ones R's wilcox.test uses, so results can be checked against it):
 *  - zero differences are dropped before ranking (Wilcoxon's original treatment);
 *  - tied |differences| get mid-ranks;
 *  - two-sided p = min(1, 2·min(P(W⁺ ≤ w), P(W⁺ ≥ w))).
 * For n ≤ EXACT_MAX_N non-zero pairs the null distribution of W⁺ is exact: every one of the 2ⁿ
 * sign assignments of the observed ranks is equally likely, counted by dynamic programming over
 * the (doubled, hence integer) ranks. With ties this is the exact conditional distribution
 * (R switches to the normal approximation when ties are present; we do not need to). Beyond
 * EXACT_MAX_N: normal approximation with the tie correction of the variance and a continuity
 * correction of 0.5, as R does.
 *
 * Infinite values (a divergent run's error) are allowed: +∞ − finite = +∞ ranks above every
 * finite difference; ∞ − ∞ (both diverged) counts as a zero difference.
 */
import { averageRanks, normalCdf } from './describe.js';

export const EXACT_MAX_N = 25;

export interface WilcoxonResult {
  /** Number of non-zero differences actually ranked. */
  n: number;
  /** Number of zero differences dropped. */
  zeros: number;
  /** Sum of ranks of the positive differences (x − y > 0). */
  wPlus: number;
  wMinus: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal' | 'none';
  /** The smallest two-sided p any data with this n (and these ties) could give: 2/2ⁿ when exact. */
  minP: number;
}

/** Differences x[i] − y[i]; ∞ − ∞ and NaN-producing pairs count as zero (see header). */
export function pairedDifferences(x: readonly number[], y: readonly number[]): number[] {
  if (x.length !== y.length) throw new RangeError(`paired samples differ in length: ${x.length} vs ${y.length}`);
  return x.map((a, i) => {
    const d = a - y[i];
    return Number.isNaN(d) ? 0 : d;
  });
}

export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  return wilcoxonFromDifferences(pairedDifferences(x, y));
}

export function wilcoxonFromDifferences(diffs: readonly number[]): WilcoxonResult {
  const d = diffs.filter((v) => v !== 0);
  const zeros = diffs.length - d.length;
  const n = d.length;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, p: 1, method: 'none', minP: 1 };
  const ranks = averageRanks(d.map(Math.abs));
  let wPlus = 0;
  d.forEach((v, i) => { if (v > 0) wPlus += ranks[i]; });
  const total = (n * (n + 1)) / 2;
  const wMinus = total - wPlus;
  if (n <= EXACT_MAX_N) {
    const dist = exactNullDistribution(ranks);
    const w2 = Math.round(2 * wPlus);
    return { n, zeros, wPlus, wMinus, p: twoSided(dist, w2), method: 'exact', minP: Math.min(1, 2 / 2 ** n) };
  }
  const p = normalP(wPlus, n, ranks);
  const minP = normalP(total, n, ranks);
  return { n, zeros, wPlus, wMinus, p, method: 'normal', minP };
}

/**
 * Exact null distribution of 2·W⁺ given the ranks: counts[s] = number of sign assignments
 * whose doubled positive-rank sum is s. Counts stay exact in doubles up to n = 52.
 */
export function exactNullDistribution(ranks: readonly number[]): Float64Array {
  const r2 = ranks.map((r) => Math.round(2 * r));
  const max = r2.reduce((a, b) => a + b, 0);
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  let reach = 0;
  for (const r of r2) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= reach; s++) {
      if (counts[s] === 0) continue;
      next[s] += counts[s];
      next[s + r] += counts[s];
    }
    reach += r;
    counts = next;
  }
  return counts;
}

function twoSided(counts: Float64Array, w2: number): number {
  let total = 0, le = 0, ge = 0;
  for (let s = 0; s < counts.length; s++) {
    total += counts[s];
    if (s <= w2) le += counts[s];
    if (s >= w2) ge += counts[s];
  }
  return Math.min(1, (2 * Math.min(le, ge)) / total);
}

function normalP(wPlus: number, n: number, ranks: readonly number[]): number {
  const mu = (n * (n + 1)) / 4;
  // Tie correction: Σ(t³ − t)/48 over groups of t tied |differences|.
  const groups = new Map<number, number>();
  for (const r of ranks) groups.set(r, (groups.get(r) ?? 0) + 1);
  let tie = 0;
  for (const t of groups.values()) tie += t * t * t - t;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tie / 48);
  const dev = wPlus - mu;
  if (sigma === 0) return 1;
  const z = (dev - Math.sign(dev) * 0.5) / sigma;
  return Math.min(1, 2 * Math.min(normalCdf(z), 1 - normalCdf(z)));
}

/**
 * Holm's step-down adjustment (Holm 1979): adjusted p_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j))
 * for the p-values sorted ascending; returned in the input order. Controls the family-wise
 * error rate under any dependence between the tests.
 */
export function holm(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b] || a - b);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((i, j) => {
    running = Math.max(running, Math.min(1, (m - j) * ps[i]));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Whether a family of m tests, each of whose smallest attainable p is minP, can reject anything
 * at level alpha under Holm: the first Holm threshold is alpha/m.
 */
export function canReachSignificance(minP: number, m: number, alpha = 0.05): boolean {
  return minP * m <= alpha;
}

/**
 * Consistency as n grows. The paper proves MICE strongly consistent (its §4): the estimate
 * converges to the true MI as the number of samples grows. The benchmark checks the empirical
 * counterpart: the same cell run at several batch sizes n, error (per-level MSE) against n.
 *
 * Trend test: the OLS slope of log(mean error over seeds) against log n, with a stratified
 * bootstrap CI (seeds resampled independently within each n, since different n draw different
 * batches). Verdict:
 *  - "passes" only when the whole 95% CI of the slope is below 0 (error decreases significantly);
 *  - "fails" otherwise — flat, growing, or not distinguishable from flat — and also whenever any
 *    run diverged (a non-finite error is not consistent behaviour);
 *  - "insufficient" with fewer than 2 distinct n or fewer than 2 seeds at some n.
 * A slope of −1 is what an estimator whose error is pure O(1/n) variance would show; the
 * slope is reported so a reader can judge the rate, not only its sign.
 */
import { bootstrapCi, index, percentiles, type Interval } from './bootstrap.js';
import { mean } from './describe.js';
import { Rng } from '../rng.js';

export interface ConsistencyPoint {
  n: number;
  /** Error of each seed's run at this n (non-finite = diverged). */
  errors: readonly number[];
}

export type ConsistencyVerdict = 'passes' | 'fails' | 'insufficient';

export interface ConsistencyResult {
  points: { n: number; seeds: number; diverged: number; error: Interval }[];
  slope: Interval;
  verdict: ConsistencyVerdict;
  reason: string;
}

export interface ConsistencyOptions {
  resamples?: number;
  seedKey?: ReadonlyArray<string | number>;
}

export function logLogSlope(ns: readonly number[], errors: readonly number[]): number {
  const x = ns.map(Math.log), y = errors.map(Math.log);
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxx > 0 ? sxy / sxx : NaN;
}

export function consistencyTest(input: readonly ConsistencyPoint[], options: ConsistencyOptions = {}): ConsistencyResult {
  const pts = [...input].sort((a, b) => a.n - b.n);
  const seedKey = options.seedKey ?? [];
  const points = pts.map((p) => {
    const finite = p.errors.filter(Number.isFinite);
    return {
      n: p.n, seeds: p.errors.length, diverged: p.errors.length - finite.length,
      error: bootstrapCi(finite, mean, { resamples: options.resamples, seedKey: ['consistency-point', ...seedKey, p.n] }),
    };
  });
  const none: Interval = { estimate: NaN, low: NaN, high: NaN };
  const distinct = new Set(pts.map((p) => p.n)).size;
  if (distinct < 2 || distinct !== pts.length) {
    return { points, slope: none, verdict: 'insufficient', reason: `needs ≥ 2 distinct batch sizes (have ${distinct})` };
  }
  const finiteSets = pts.map((p) => p.errors.filter(Number.isFinite));
  const diverged = points.reduce((a, p) => a + p.diverged, 0);
  const total = points.reduce((a, p) => a + p.seeds, 0);
  if (finiteSets.some((s) => s.length < 2)) {
    return diverged > 0
      ? { points, slope: none, verdict: 'fails', reason: `${diverged} of ${total} runs diverged` }
      : { points, slope: none, verdict: 'insufficient', reason: 'needs ≥ 2 seeds at every batch size' };
  }
  const ns = pts.map((p) => p.n);
  const estimate = logLogSlope(ns, finiteSets.map(mean));
  const B = options.resamples ?? 2000;
  const rng = new Rng(['consistency-slope', ...seedKey]);
  const reps = new Array<number>(B);
  for (let b = 0; b < B; b++) {
    const means = finiteSets.map((s) => {
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += s[index(rng, s.length)];
      return sum / s.length;
    });
    reps[b] = logLogSlope(ns, means);
  }
  const slope = { estimate, ...percentiles(reps, 0.95) };
  if (diverged > 0) return { points, slope, verdict: 'fails', reason: `${diverged} of ${total} runs diverged` };
  if (slope.high < 0) return { points, slope, verdict: 'passes', reason: 'error decreases with n (slope CI below 0)' };
  return {
    points, slope, verdict: 'fails',
    reason: slope.low > 0 ? 'error grows with n (slope CI above 0)' : 'no significant decrease (slope CI contains 0)',
  };
}

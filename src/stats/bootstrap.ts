/**
 * Bootstrap percentile confidence intervals (Efron & Tibshirani 1993, ch. 13). Every resample
 * draws from an explicit seeded Rng, so the same data always give the same interval — the
 * report must be byte-identical across runs.
 */
import { Rng } from '../rng.js';
import { mean, quantileSorted } from './describe.js';

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** Key of the resampling stream; the caller passes something naming the quantity. */
  seedKey?: ReadonlyArray<string | number>;
}

export const DEFAULT_RESAMPLES = 2000;
/**
 * The most resamples the CLI accepts: 50× the default, where the Monte-Carlo error of a 95%
 * percentile bound is already far below the interval's width. Each interval holds its resamples
 * in one array, and a report over the published store computes thousands of intervals, so a
 * count of 10⁹ would run for days (and 2³² exceed an array's length).
 */
export const MAX_RESAMPLES = 100_000;

/**
 * Percentile CI for `stat(xs)`. With one value the interval is degenerate ([x, x]); with none
 * everything is NaN. The point estimate is stat on the original sample, not the bootstrap mean.
 */
export function bootstrapCi(
  xs: readonly number[],
  stat: (sample: readonly number[]) => number = mean,
  options: BootstrapOptions = {},
): Interval {
  const n = xs.length;
  const estimate = stat(xs);
  if (n === 0) return { estimate: NaN, low: NaN, high: NaN };
  if (n === 1) return { estimate, low: estimate, high: estimate };
  const B = options.resamples ?? DEFAULT_RESAMPLES;
  const rng = new Rng(['bootstrap', ...(options.seedKey ?? [])]);
  const reps = new Array<number>(B);
  const sample = new Array<number>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) sample[i] = xs[index(rng, n)];
    reps[b] = stat(sample);
  }
  return { estimate, ...percentiles(reps, options.level ?? 0.95) };
}

/**
 * Stratified bootstrap (rliable's "stratified bootstrap"): each stratum (e.g. an MI level) is
 * resampled independently, with replacement, keeping its own size, then `stat` is applied to
 * the resampled strata. Used for the interquartile mean across levels, where the strata are
 * levels and the values within a stratum are seeds.
 */
export function stratifiedBootstrapCi(
  strata: readonly (readonly number[])[],
  stat: (strata: readonly (readonly number[])[]) => number,
  options: BootstrapOptions = {},
): Interval {
  const estimate = stat(strata);
  if (strata.length === 0 || strata.every((s) => s.length === 0)) return { estimate: NaN, low: NaN, high: NaN };
  const B = options.resamples ?? DEFAULT_RESAMPLES;
  const rng = new Rng(['stratified-bootstrap', ...(options.seedKey ?? [])]);
  const reps = new Array<number>(B);
  const resampled = strata.map((s) => new Array<number>(s.length));
  for (let b = 0; b < B; b++) {
    strata.forEach((s, k) => { for (let i = 0; i < s.length; i++) resampled[k][i] = s[index(rng, s.length)]; });
    reps[b] = stat(resampled);
  }
  return { estimate, ...percentiles(reps, options.level ?? 0.95) };
}

/** Uniform integer in [0, n). */
export function index(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.uniform() * n));
}

/** The (1−level)/2 and (1+level)/2 percentiles of the replicates; non-finite replicates sort last. */
export function percentiles(reps: number[], level: number): { low: number; high: number } {
  const s = reps.map((r) => (Number.isNaN(r) ? Infinity : r)).sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return { low: quantileSorted(s, a), high: quantileSorted(s, 1 - a) };
}

/**
 * Small descriptive statistics shared by the rest of src/stats. Inputs are plain arrays of
 * finite numbers unless a function says otherwise; callers filter non-finite values first,
 * because what a non-finite value means (divergence) is decided where it is counted.
 */

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Sample quantile, linear interpolation between order statistics (Hyndman–Fan type 7, R's default). */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return quantileSorted(s, p);
}

export function quantileSorted(s: readonly number[], p: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h), hi = Math.ceil(h);
  if (lo === hi) return s[lo];
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/**
 * Interquartile mean: the mean of the middle 50% of the values, with fractional weights for the
 * values that straddle the 25% / 75% cut points (Agarwal et al. 2021, rliable's `iqm`, which is
 * scipy.stats.trim_mean(x, 0.25) — identical to it whenever n is divisible by 4).
 */
export function interquartileMean(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const lo = n / 4, hi = (3 * n) / 4;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // Value i occupies [i, i+1) of the sorted axis; weight = overlap with [lo, hi).
    const w = Math.max(0, Math.min(i + 1, hi) - Math.max(i, lo));
    if (w > 0) sum += w * s[i];
  }
  return sum / (hi - lo);
}

/** Average ranks (1-based) with ties given the mean of the ranks they span. */
export function averageRanks(xs: readonly number[]): number[] {
  const idx = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Standard normal CDF via erfc below (only used for large-sample Wilcoxon p-values). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function, relative error < 1.2e-7 everywhere (Numerical Recipes' erfcc, Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCi, stratifiedBootstrapCi } from '../src/stats/bootstrap.js';
import { interquartileMean, mean, quantile } from '../src/stats/describe.js';
import { Rng } from '../src/rng.js';

test('bootstrap percentile CI covers a known mean at about the nominal rate (200 seeded repetitions, n = 30)', () => {
  // Data: N(1, 2²), n = 30; 200 independent repetitions, 1000 resamples each.
  // The percentile interval of the mean is ≈ x̄ ± 1.96·s·√((n−1)/n)/√n, whose exact coverage for
  // normal data is P(|t₂₉| < 1.96·√(29/30)) ≈ 0.937 (slightly below 95%, a known property of
  // the percentile bootstrap at small n). Binomial SD of the observed share over 200 repetitions:
  // √(0.937·0.063/200) ≈ 0.0172, so we accept 0.937 ± 3 SD = [0.885, 0.989]. A broken interval
  // (wrong quantiles, resampling without replacement → zero width) falls far outside.
  const rng = new Rng(['coverage-data']);
  const reps = 200, n = 30, mu = 1;
  let covered = 0;
  for (let r = 0; r < reps; r++) {
    const xs = Array.from({ length: n }, () => mu + 2 * rng.normal());
    const ci = bootstrapCi(xs, mean, { resamples: 1000, seedKey: ['coverage', r] });
    assert.ok(ci.low <= ci.estimate && ci.estimate <= ci.high);
    if (ci.low <= mu && mu <= ci.high) covered++;
  }
  const share = covered / reps;
  assert.ok(share >= 0.885 && share <= 0.989, `coverage ${share}`);
});

test('bootstrap is deterministic for a seed key and differs across keys; degenerate sizes are handled', () => {
  const xs = [1, 4, 2, 8, 5, 7];
  assert.deepEqual(bootstrapCi(xs, mean, { seedKey: ['a'] }), bootstrapCi(xs, mean, { seedKey: ['a'] }));
  assert.notDeepEqual(bootstrapCi(xs, mean, { seedKey: ['a'] }), bootstrapCi(xs, mean, { seedKey: ['b'] }));
  assert.deepEqual(bootstrapCi([3]), { estimate: 3, low: 3, high: 3 });
  assert.ok(Number.isNaN(bootstrapCi([]).estimate));
});

test('interquartile mean equals the 25%-trimmed mean when n is divisible by 4, and weights straddlers otherwise', () => {
  assert.equal(interquartileMean([8, 1, 7, 2, 6, 3, 5, 4]), 4.5);
  assert.equal(interquartileMean([1, 2, 3, 100]), 2.5);
  // n = 5: the middle 2.5 values are 2 (weight .75), 3 (1), 4 (.75).
  assert.equal(interquartileMean([1, 2, 3, 4, 1000]), (0.75 * 2 + 3 + 0.75 * 4) / 2.5);
  assert.equal(interquartileMean([1, 2, 3, 4, 5, 6, Infinity, Infinity]), 4.5);
});

test('quantile uses linear interpolation (R type 7)', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantile([10], 0.9), 10);
});

test('stratified bootstrap resamples within strata: a stratum never borrows another stratum\'s values', () => {
  const strata = [[1, 1, 1, 1], [100, 100, 100, 100, 100]];
  const ci = stratifiedBootstrapCi(strata, (s) => mean(s[1]) - mean(s[0]), { resamples: 200, seedKey: ['s'] });
  assert.deepEqual(ci, { estimate: 99, low: 99, high: 99 });
  const ci2 = stratifiedBootstrapCi([[0, 1], [0, 10]], (s) => mean(s.flat()), { resamples: 500, seedKey: ['t'] });
  assert.ok(ci2.low >= 0 && ci2.high <= 5.5 && ci2.low < ci2.high);
});

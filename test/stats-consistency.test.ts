import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consistencyTest, logLogSlope } from '../src/stats/consistency.js';
import { Rng } from '../src/rng.js';

const NS = [16, 32, 64, 128, 256];

/** Synthetic per-seed errors: scale(n) × lognormal noise, 10 seeds per n. */
function synthetic(scale: (n: number) => number, key: string, seeds = 10) {
  const rng = new Rng(['consistency-fixture', key]);
  return NS.map((n) => ({ n, errors: Array.from({ length: seeds }, () => scale(n) * Math.exp(0.5 * rng.normal())) }));
}

test('an estimator whose error shrinks like 1/n passes, with a slope near −1', () => {
  const r = consistencyTest(synthetic((n) => 10 / n, 'shrinks'), { seedKey: ['a'] });
  assert.equal(r.verdict, 'passes');
  assert.ok(r.slope.high < 0);
  assert.ok(Math.abs(r.slope.estimate + 1) < 0.25, `slope ${r.slope.estimate}`);
  assert.equal(r.points.length, 5);
});

test('an estimator whose error does not shrink with n fails', () => {
  const r = consistencyTest(synthetic(() => 0.7, 'flat'), { seedKey: ['b'] });
  assert.equal(r.verdict, 'fails');
  assert.ok(r.slope.low < 0 && r.slope.high > 0, `slope CI [${r.slope.low}, ${r.slope.high}]`);
});

test('an estimator whose error grows with n fails, and says so', () => {
  const r = consistencyTest(synthetic((n) => Math.sqrt(n), 'grows'), { seedKey: ['c'] });
  assert.equal(r.verdict, 'fails');
  assert.match(r.reason, /grows/);
});

test('a diverged run makes the verdict fail even when the finite errors shrink', () => {
  const pts = synthetic((n) => 10 / n, 'diverges');
  pts[4] = { n: 256, errors: [...pts[4].errors.slice(1), NaN] };
  const r = consistencyTest(pts);
  assert.equal(r.verdict, 'fails');
  assert.match(r.reason, /diverged/);
});

test('one batch size or one seed is insufficient', () => {
  assert.equal(consistencyTest([{ n: 64, errors: [1, 2, 3] }]).verdict, 'insufficient');
  assert.equal(consistencyTest([{ n: 16, errors: [1] }, { n: 32, errors: [0.5] }]).verdict, 'insufficient');
});

test('log-log slope of an exact power law is its exponent', () => {
  assert.ok(Math.abs(logLogSlope(NS, NS.map((n) => 3 * n ** -0.5)) + 0.5) < 1e-12);
});

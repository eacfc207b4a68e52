/**
 * The Wilcoxon signed-rank test and Holm's correction against references computed another way:
 * published values (R's documented example, the standard critical-value table) and a brute-force
 * enumeration of all 2ⁿ sign assignments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canReachSignificance, exactNullDistribution, holm, wilcoxonFromDifferences, wilcoxonSignedRank,
} from '../src/stats/wilcoxon.js';
import { averageRanks } from '../src/stats/describe.js';
import { Rng } from '../src/rng.js';

/** Independent reference: enumerate every sign vector, count |W⁺| at least as extreme (two-sided, R's rule). */
function bruteForceP(diffs: number[]): number {
  const d = diffs.filter((v) => v !== 0);
  const n = d.length;
  const ranks = averageRanks(d.map(Math.abs));
  const w = d.reduce((a, v, i) => a + (v > 0 ? ranks[i] : 0), 0);
  let le = 0, ge = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) s += ranks[i];
    if (s <= w + 1e-9) le++;
    if (s >= w - 1e-9) ge++;
  }
  return Math.min(1, (2 * Math.min(le, ge)) / 2 ** n);
}

test('R wilcox.test documented example (Hollander & Wolfe 1973, p. 29): V = 40, p = 0.03906', () => {
  const x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  const r = wilcoxonSignedRank(x, y);
  assert.equal(r.method, 'exact');
  assert.equal(r.wPlus, 40);
  assert.equal(r.p, 20 / 512); // 0.0390625, printed by R as 0.03906
});

test('published two-sided 5% critical values (n = 6…15) are exactly the boundary of p ≤ 0.05', () => {
  // Table of critical values T (reject when min(W⁺, W⁻) ≤ T), two-sided α = 0.05, e.g. Siegel &
  // Castellan (1988) Table H; n = 5 has none (the smallest p is 0.0625).
  const critical: Record<number, number> = { 6: 0, 7: 2, 8: 3, 9: 5, 10: 8, 11: 10, 12: 13, 13: 17, 14: 21, 15: 25 };
  for (const [nStr, T] of Object.entries(critical)) {
    const n = Number(nStr);
    // Differences 1..n with the ranks summing to T made negative: W⁻ = T.
    const pAt = (wMinus: number) => wilcoxonFromDifferences(diffsWithWMinus(n, wMinus)).p;
    assert.ok(pAt(T) <= 0.05, `n=${n}: p at T=${T} is ${pAt(T)}`);
    assert.ok(pAt(T + 1) > 0.05, `n=${n}: p at T+1=${T + 1} is ${pAt(T + 1)}`);
  }
  // psignrank(8, 10) = 25/1024 in R: two-sided p at W = 8, n = 10 is 50/1024.
  assert.equal(wilcoxonFromDifferences(diffsWithWMinus(10, 8)).p, 50 / 1024);
});

/** Differences ±1…±n whose negative ranks sum to wMinus (greedy from the largest rank). */
function diffsWithWMinus(n: number, wMinus: number): number[] {
  const d = Array.from({ length: n }, (_, i) => i + 1);
  let left = wMinus;
  for (let r = n; r >= 1 && left > 0; r--) if (r <= left) { d[r - 1] = -r; left -= r; }
  assert.equal(left, 0);
  return d;
}

test('exact p equals brute-force enumeration over all 2^n sign assignments, with and without ties', () => {
  const rng = new Rng(['wilcoxon-test']);
  for (let trial = 0; trial < 60; trial++) {
    const n = 3 + (trial % 12);
    const tied = trial % 2 === 0;
    const d = Array.from({ length: n }, () => {
      const v = tied ? Math.round(rng.range(-3, 3)) : rng.normal() + 0.3;
      return v;
    });
    const r = wilcoxonFromDifferences(d);
    const ref = bruteForceP(d);
    assert.ok(Math.abs(r.p - ref) < 1e-12, `trial ${trial}: ${r.p} vs ${ref} for ${d}`);
  }
});

test('smallest attainable p: 2/2^n; 5 seeds cannot reach 0.05, 10 seeds can (0.00195)', () => {
  const all = (n: number) => wilcoxonFromDifferences(Array.from({ length: n }, (_, i) => i + 1));
  assert.equal(all(5).p, 0.0625);
  assert.equal(all(5).minP, 0.0625);
  assert.equal(canReachSignificance(all(5).minP, 1), false);
  assert.equal(all(10).p, 2 / 1024);
  assert.equal(canReachSignificance(all(10).minP, 1), true);
  // Holm over a family of 45 pairs (10 estimators): the first threshold 0.05/45 < 2/1024.
  assert.equal(canReachSignificance(all(10).minP, 45), false);
  assert.equal(canReachSignificance(all(10).minP, 10), true);
});

test('zeros are dropped and ∞ − ∞ counts as zero; +∞ ranks above every finite difference', () => {
  const r = wilcoxonSignedRank([1, 2, Infinity, Infinity, 5], [1, 1, 3, Infinity, 4]);
  assert.equal(r.zeros, 2);
  assert.equal(r.n, 3);
  assert.equal(r.wPlus, 6);
});

test('normal approximation (n > 25) agrees with the exact distribution computed by enumeration DP', () => {
  const rng = new Rng(['wilcoxon-normal']);
  for (let trial = 0; trial < 20; trial++) {
    const n = 26 + trial;
    const d = Array.from({ length: n }, () => rng.normal() + 0.25);
    const r = wilcoxonFromDifferences(d);
    assert.equal(r.method, 'normal');
    const ranks = averageRanks(d.map(Math.abs));
    const counts = exactNullDistribution(ranks);
    const w2 = Math.round(2 * r.wPlus);
    let le = 0, ge = 0, tot = 0;
    counts.forEach((c, s) => { tot += c; if (s <= w2) le += c; if (s >= w2) ge += c; });
    const exact = Math.min(1, (2 * Math.min(le, ge)) / tot);
    assert.ok(Math.abs(r.p - exact) < 0.006, `n=${n}: normal ${r.p} vs exact ${exact}`);
  }
});

test("Holm adjustment matches R's p.adjust(c(.01,.02,.03,.04,.05), 'holm')", () => {
  const adj = holm([0.03, 0.01, 0.05, 0.02, 0.04]);
  const expected = [0.09, 0.05, 0.09, 0.08, 0.09];
  adj.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-12, `${i}: ${a}`));
  assert.deepEqual(holm([]), []);
  assert.deepEqual(holm([0.5, 0.9]), [1, 1]);
});

/** Numerical helpers behind the bounds (src/bounds/util.ts), against brute force. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  leaveOneOutLogSumExp, logAddExp, offDiagLogMeanExp, rowLogSumExp, sigmoid, softplus,
} from '../src/bounds/util.js';

/** log Σ e^x by the textbook max-shift, over a plain list. */
function lse(xs: number[]): number {
  if (xs.length === 0) return -Infinity;
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
}

const entry = fc.oneof(
  fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  fc.constantFrom(-1e3, 1e3, 0, 0, -Infinity),
);

test('leaveOneOutLogSumExp equals the log-sum-exp of the vector without each entry', () => {
  fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 9 }), (v) => {
    const out = leaveOneOutLogSumExp(v);
    v.forEach((_, k) => {
      const want = lse(v.filter((__, j) => j !== k));
      if (!Number.isFinite(want)) assert.equal(out[k], want, `k=${k}`);
      else assert.ok(Math.abs(out[k] - want) <= 1e-12 * Math.max(1, Math.abs(want)), `k=${k}: ${out[k]} vs ${want}`);
    });
  }), { numRuns: 500 });
});

test('leaveOneOutLogSumExp keeps a dominated remainder exactly (no cancellation)', () => {
  // Removing the dominant 800 leaves log(e^0 + e^0) = log 2, which e^800 − e^800 would lose.
  const out = leaveOneOutLogSumExp([800, 0, 0]);
  assert.ok(Math.abs(out[0] - Math.log(2)) < 1e-15);
  assert.ok(Math.abs(out[1] - 800) < 1e-12);
  assert.deepEqual(Array.from(leaveOneOutLogSumExp([Infinity, 1])), [1, Infinity]);
  assert.deepEqual(Array.from(leaveOneOutLogSumExp([Infinity, Infinity])), [Infinity, Infinity]);
  assert.ok(leaveOneOutLogSumExp([1, NaN]).every(Number.isNaN));
});

test('logAddExp, softplus and sigmoid at extremes', () => {
  assert.equal(logAddExp(-Infinity, 3), 3);
  assert.equal(logAddExp(Infinity, 3), Infinity);
  assert.ok(Math.abs(logAddExp(1000, 1000) - (1000 + Math.log(2))) < 1e-12);
  assert.equal(softplus(1000), 1000);
  assert.ok(softplus(-1000) >= 0 && softplus(-1000) < 1e-300);
  assert.equal(sigmoid(-1000), 0);
  assert.equal(sigmoid(1000), 1);
  assert.ok(Math.abs(sigmoid(0.3) + sigmoid(-0.3) - 1) < 1e-15);
});

test('row and off-diagonal log-sum-exps match brute force', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 6 }).chain((n) =>
    fc.tuple(fc.constant(n), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n * n, maxLength: n * n }))),
  ([n, s]) => {
    const off: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = s.slice(i * n, i * n + n);
      const want = lse(row), wantNoDiag = lse(row.filter((_, j) => j !== i));
      assert.ok(Math.abs(rowLogSumExp(s, n, i, false) - want) <= 1e-12 * Math.max(1, Math.abs(want)));
      assert.ok(Math.abs(rowLogSumExp(s, n, i, true) - wantNoDiag) <= 1e-12 * Math.max(1, Math.abs(wantNoDiag)));
      row.forEach((v, j) => { if (j !== i) off.push(Math.max(-1, Math.min(1, v))); });
    }
    const want = lse(off) - Math.log(n * (n - 1));
    assert.ok(Math.abs(offDiagLogMeanExp(s, n, -1, 1) - want) <= 1e-12);
  }), { numRuns: 200 });
});

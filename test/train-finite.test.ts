/**
 * The divergence check of every training step (src/engine/train.ts allFinite): the same answer
 * as Number.isFinite on every entry, whatever the length, wherever the bad entry sits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allFinite } from '../src/engine/train.js';
import { Rng } from '../src/rng.js';

const reference = (a: Float32Array): boolean => a.every((x) => Number.isFinite(x));

test('allFinite: one ±∞ or NaN anywhere, at every length 0…67, is caught', () => {
  const rng = new Rng(['allFinite']);
  for (let len = 0; len < 68; len++) {
    const a = new Float32Array(len);
    for (let k = 0; k < len; k++) a[k] = rng.normal() * 10;
    assert.equal(allFinite(a), true, `finite, length ${len}`);
    for (let at = 0; at < len; at++) {
      for (const bad of [Infinity, -Infinity, NaN]) {
        const b = a.slice();
        b[at] = bad;
        assert.equal(allFinite(b), false, `${bad} at ${at} of ${len}`);
      }
    }
  }
});

test('allFinite: extreme finite floats (±max, subnormals, −0) are finite', () => {
  const edge = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, 1.4e-45, -1.4e-45, -0, 0, 1e-38, -1e30, 7]);
  assert.equal(allFinite(edge), reference(edge));
  assert.equal(allFinite(edge), true);
  // A view into a larger buffer checks only its own entries.
  const big = new Float32Array(20).fill(1);
  big[0] = NaN; big[19] = Infinity;
  assert.equal(allFinite(big.subarray(1, 19)), true);
  assert.equal(allFinite(big.subarray(0, 19)), false);
  assert.equal(allFinite(big.subarray(1, 20)), false);
});

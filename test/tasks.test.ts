import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, dataStream } from '../src/rng.js';
import { rhoForMi, miForRho, sampleBatch, miAtStep } from '../src/tasks/index.js';

/** Pearson correlation of paired samples. */
function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

test('exact MI of the Gaussian task: I = −(d/2)·log(1 − ρ²), inverse of ρ = sqrt(1 − e^(−2I/d))', () => {
  // Hand-computed: d = 1, ρ = 0.5 → −0.5·log(0.75) = 0.143841…; d = 20, ρ = 0.9 → −10·log(0.19) = 16.607312…
  assert.ok(Math.abs(miForRho(0.5, 1) - 0.14384103622589045) < 1e-12);
  assert.ok(Math.abs(miForRho(0.9, 20) - 16.607312068216512) < 1e-9);
  for (const d of [1, 2, 5, 20, 100]) {
    for (const mi of [0, 0.1, 2, 4, 6, 8, 10]) {
      const rho = rhoForMi(mi, d);
      assert.ok(rho >= 0 && rho < 1);
      // d = 1, I = 10 leaves 1 − ρ² ≈ 2e−9: float64 rounding of ρ² bounds the round trip at ~1e−7.
      assert.ok(Math.abs(miForRho(rho, d) - mi) < 1e-7 * Math.max(1, mi), `d=${d} mi=${mi}`);
    }
  }
  assert.throws(() => rhoForMi(-1, 20), RangeError);
  assert.throws(() => miForRho(1, 20), RangeError);
});

test('Gaussian sampler: per-coordinate correlation between x and y matches ρ', () => {
  const rng = dataStream(123);
  const d = 4, n = 64, mi = 2, rho = rhoForMi(mi, d);
  const xs: number[] = [], ys: number[] = [];
  for (let b = 0; b < 200; b++) {
    const { x, y } = sampleBatch('gaussian', rng, n, d, mi, 0);
    for (let i = 0; i < n * d; i++) { xs.push(x[i]); ys.push(y[i]); }
  }
  // 51 200 pairs: SE of r ≈ (1 − ρ²)/√N ≈ 0.0013; allow 5 SE.
  assert.ok(Math.abs(corr(xs, ys) - rho) < 0.007, `r=${corr(xs, ys)} rho=${rho}`);
});

test('extended benchmark: consecutive rows correlate with ρ_batch (eq. 18), marginals stay standard', () => {
  for (const rb of [0, 0.1, 0.3, 0.5]) {
    const rng = dataStream(7);
    const d = 5, n = 64;
    const a: number[] = [], b: number[] = [], all: number[] = [];
    for (let k = 0; k < 100; k++) {
      const { x, batchRho } = sampleBatch('gaussian', rng, n, d, 4, rb);
      assert.equal(batchRho, rb);
      for (let i = 1; i < n; i++) for (let j = 0; j < d; j++) { a.push(x[(i - 1) * d + j]); b.push(x[i * d + j]); }
      for (const v of x) all.push(v);
    }
    // 31 500 lag-1 pairs: SE ≈ 1/√N ≈ 0.0056; allow ~4 SE.
    assert.ok(Math.abs(corr(a, b) - rb) < 0.025, `rb=${rb} r=${corr(a, b)}`);
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const varx = all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length;
    assert.ok(Math.abs(varx - 1) < 0.05, `var=${varx}`);
  }
});

test('random ρ_batch is drawn from U(0, 0.5) per batch', () => {
  const rng = dataStream(9);
  const seen: number[] = [];
  for (let k = 0; k < 400; k++) seen.push(sampleBatch('gaussian', rng, 4, 2, 2, 'random').batchRho);
  assert.ok(seen.every((r) => r >= 0 && r < 0.5));
  const m = seen.reduce((s, v) => s + v, 0) / seen.length;
  assert.ok(Math.abs(m - 0.25) < 0.03, `mean=${m}`); // SE = 0.5/√12/20 ≈ 0.0072
});

test('cubic task is the Gaussian batch with y ↦ y³ (same stream, same x)', () => {
  const g = sampleBatch('gaussian', dataStream(5), 8, 3, 6, 0.2);
  const c = sampleBatch('cubic', dataStream(5), 8, 3, 6, 0.2);
  assert.deepEqual(c.x, g.x);
  for (let i = 0; i < g.y.length; i++) assert.ok(Math.abs(c.y[i] - g.y[i] ** 3) <= 1e-6 * Math.max(1, Math.abs(c.y[i])));
});

test('streams: same key → same sequence; different seeds → different data', () => {
  const a = new Rng(['data', 1]), b = new Rng(['data', 1]), c = new Rng(['data', 2]);
  const sa = Array.from({ length: 10 }, () => a.normal());
  const sb = Array.from({ length: 10 }, () => b.normal());
  const sc = Array.from({ length: 10 }, () => c.normal());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  const u = new Rng(['u']);
  for (let i = 0; i < 1000; i++) { const v = u.uniform(); assert.ok(v >= 0 && v < 1); }
});

test('staircase: level k covers steps [k·L, (k+1)·L)', () => {
  const levels = [2, 4, 6];
  assert.equal(miAtStep(levels, 10, 0), 2);
  assert.equal(miAtStep(levels, 10, 9), 2);
  assert.equal(miAtStep(levels, 10, 10), 4);
  assert.equal(miAtStep(levels, 10, 29), 6);
});

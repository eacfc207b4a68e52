/**
 * The BMI suite (src/tasks/bmi/): each family's sampler against its known marginals or moments,
 * and each family's true MI against an independent computation:
 *  - multinormal (binormal, dense, 2-pair): closed forms written out here (equicorrelation
 *    determinants, −½ log(1 − ρ²) per pair), and a Monte Carlo mean of log p(x,y)/(p(x)p(y))
 *    with densities from a Gauss–Jordan inverse (not the suite's Cholesky);
 *  - Student-t: the 1 × 1, ν = 1 MI by 2-D numerical integration of the bivariate Cauchy, and a
 *    Monte Carlo mean of the log density ratio for 3 × 3, ν = 2 (multivariate-t densities);
 *  - additive noise: h(Y) − log 2ε by numerical integration of Y's trapezoidal density;
 *  - transforms: MI is a functional of the copula, so a strictly increasing map of each
 *    coordinate keeps it: the transformed sample has exactly the base sample's ranks (same
 *    stream); the spiral and Swiss roll are inverted back to the base sample; and, as a rough
 *    independent estimate, KSG on 10 000 points lands near the true MI of the 1 × 1 tasks.
 * Monte Carlo tolerances are 5 standard errors (computed from the same draws), so a correct
 * sampler fails with probability below 1e-6; numerical integrals use grids whose error is far
 * below the stated tolerance (checked by halving the step while writing the test).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/rng.js';
import { bmiSuite } from '../src/tasks/bmi/suite.js';
import { getTask, listTasks } from '../src/tasks/registry.js';
import { bivariateNormal, denseCovariance, splitMultinormal, twoPairCorrelation } from '../src/tasks/bmi/multinormal.js';
import { studentIdentity } from '../src/tasks/bmi/student.js';
import { additiveNoise, additiveNoiseMi } from '../src/tasks/bmi/additiveNoise.js';
import { bimodalCdfX, bimodalCdfY, halfCube, invertIncreasing, spiralMap, swissRollMap, wigglyX, wigglyY } from '../src/tasks/bmi/transforms.js';
import { normalCdf } from '../src/tasks/bmi/special.js';
import { ksg } from '../src/estimators/ksg.js';
import type { TaskDefinition } from '../src/types.js';

const task = (id: string): TaskDefinition => {
  const t = getTask(id);
  assert.ok(t, `task ${id} is registered`);
  return t.task;
};
const draw = (id: string, n: number, key: string) => task(id).sample(n, new Rng(['bmi-test', key]), { mi: 0, batchRho: 0 });

/** Mean and standard error. */
function meanSe(v: ArrayLike<number>): { mean: number; se: number } {
  const n = v.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i] - m) ** 2;
  return { mean: m, se: Math.sqrt(s / (n - 1) / n) };
}

/** Inverse and log-determinant by Gauss–Jordan elimination with partial pivoting. */
function inverseLogDet(a: ArrayLike<number>, m: number): { inv: Float64Array; logDet: number } {
  const w = Float64Array.from(a), inv = new Float64Array(m * m);
  for (let i = 0; i < m; i++) inv[i * m + i] = 1;
  let logDet = 0;
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(w[r * m + c]) > Math.abs(w[p * m + c])) p = r;
    if (p !== c) for (let k = 0; k < m; k++) { [w[c * m + k], w[p * m + k]] = [w[p * m + k], w[c * m + k]]; [inv[c * m + k], inv[p * m + k]] = [inv[p * m + k], inv[c * m + k]]; }
    const piv = w[c * m + c];
    logDet += Math.log(Math.abs(piv));
    for (let k = 0; k < m; k++) { w[c * m + k] /= piv; inv[c * m + k] /= piv; }
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = w[r * m + c];
      if (f === 0) continue;
      for (let k = 0; k < m; k++) { w[r * m + k] -= f * w[c * m + k]; inv[r * m + k] -= f * inv[c * m + k]; }
    }
  }
  return { inv, logDet };
}

function sub(a: ArrayLike<number>, m: number, from: number, to: number): Float64Array {
  const k = to - from, b = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) b[i * k + j] = a[(from + i) * m + from + j];
  return b;
}

/** log N(z; 0, Σ) up to the shared −(k/2) log 2π, from the Gauss–Jordan inverse. */
function gaussLogDensity(z: ArrayLike<number>, inv: Float64Array, logDet: number, k: number): number {
  let q = 0;
  for (let i = 0; i < k; i++) { let s = 0; for (let j = 0; j < k; j++) s += inv[i * k + j] * z[j]; q += z[i] * s; }
  return -0.5 * q - 0.5 * logDet - 0.5 * k * Math.log(2 * Math.PI);
}

/** Ranks (0-based) of a column of an n×d sample. */
function ranks(a: ArrayLike<number>, n: number, d: number, col: number): Int32Array {
  const idx = Array.from({ length: n }, (_, i) => i).sort((p, q) => a[p * d + col] - a[q * d + col]);
  const r = new Int32Array(n);
  idx.forEach((i, k) => { r[i] = k; });
  return r;
}

describe('the suite', () => {
  test('40 tasks, the issue\'s one-dimensional ids among them, unique ids, dims and MI as BMI', () => {
    const suite = bmiSuite();
    assert.ok(suite.length >= 25);
    assert.equal(suite.length, 40);
    assert.equal(new Set(suite.map((t) => t.id)).size, suite.length);
    for (const id of ['bmi:binormal', 'bmi:uniform', 'bmi:additive-noise-0.1', 'bmi:additive-noise-0.75', 'bmi:bimodal', 'bmi:wiggly',
      'bmi:half-cube', 'bmi:student-1x1-df1', 'bmi:asinh-student-1x1-df1', 'bmi:spiral-multinormal-2pair-5x5', 'bmi:swissroll-2x1',
      'bmi:multinormal-dense-25x25', 'bmi:multinormal-2pair-25x25', 'bmi:asinh-student-5x5-df2']) assert.ok(task(id), id);
    const sw = task('bmi:swissroll-2x1');
    assert.deepEqual([sw.dimX, sw.dimY], [2, 1]);
    // BMI's closed forms, written out independently.
    const binormal = -0.5 * Math.log(1 - 0.75 ** 2);
    assert.equal(binormal.toFixed(4), '0.4133');
    for (const id of ['bmi:binormal', 'bmi:uniform', 'bmi:bimodal', 'bmi:wiggly', 'bmi:half-cube', 'bmi:swissroll-2x1']) {
      assert.ok(Math.abs(task(id).trueMi! - binormal) < 1e-15, id);
    }
    const twoPair = -Math.log(1 - 0.8 ** 2); // two pairs of correlation λ²/(ε² + λ²) = 4/5
    for (const t of suite.filter((t) => t.id.includes('2pair'))) assert.ok(Math.abs(t.trueMi - twoPair) < 1e-12, t.id);
    assert.ok(Math.abs(task('bmi:additive-noise-0.1').trueMi! - (0.1 - Math.log(0.2))) < 1e-15);
    assert.ok(Math.abs(task('bmi:additive-noise-0.75').trueMi! - 1 / 3) < 1e-15);
    // Equicorrelation c = ½: det of the m×m block = (1 − c)^(m−1) (1 + (m − 1)c).
    const logDetEq = (m: number) => (m - 1) * Math.log(0.5) + Math.log(1 + (m - 1) * 0.5);
    for (const d of [2, 3, 5, 25, 50]) {
      const want = 0.5 * (2 * logDetEq(d) - logDetEq(2 * d));
      assert.ok(Math.abs(task(`bmi:multinormal-dense-${d}x${d}`).trueMi! - want) < 1e-11, `dense ${d}`);
    }
    // The paper's tasks stay listed first and keep their staircase.
    assert.deepEqual(listTasks().slice(0, 2).map((t) => t.task.id), ['gaussian', 'cubic']);
  });

  test('every task samples n×dimX and n×dimY finite values, the same for the same stream', () => {
    for (const t of bmiSuite()) {
      const a = t.sample(50, new Rng(['shape', t.id]), { mi: 0, batchRho: 0 });
      const b = t.sample(50, new Rng(['shape', t.id]), { mi: 0, batchRho: 0 });
      assert.equal(a.x.length, 50 * t.dimX, t.id);
      assert.equal(a.y.length, 50 * t.dimY, t.id);
      assert.ok(Array.from(a.x).every(Number.isFinite) && Array.from(a.y).every(Number.isFinite), t.id);
      assert.deepEqual(a, b, t.id);
    }
  });
});

describe('multinormal family', () => {
  test('sampler: empirical covariance of dense 3 × 3 and 2-pair 3 × 3 matches Σ (5 SE)', () => {
    for (const [id, cov] of [['bmi:multinormal-dense-3x3', denseCovariance(6)], ['bmi:multinormal-2pair-3x3', twoPairCorrelation(3, 3)]] as const) {
      const n = 100_000, s = draw(id, n, id);
      const m = 6;
      for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const za = a < 3 ? s.x[i * 3 + a] : s.y[i * 3 + a - 3], zb = b < 3 ? s.x[i * 3 + b] : s.y[i * 3 + b - 3];
          v[i] = za * zb;
        }
        const { mean, se } = meanSe(v);
        assert.ok(Math.abs(mean - cov[a * m + b]) < 5 * se, `${id} Σ[${a}][${b}] = ${cov[a * m + b]}, sample ${mean} ± ${se}`);
      }
    }
    // The 2-pair structure: X_1–Y_1 and X_2–Y_2 correlated 0.8, everything else independent.
    const c = twoPairCorrelation(3, 3);
    assert.ok(Math.abs(c[0 * 6 + 3] - 0.8) < 1e-15 && Math.abs(c[1 * 6 + 4] - 0.8) < 1e-15 && c[2 * 6 + 5] === 0 && c[0 * 6 + 1] === 0);
  });

  test('true MI = Monte Carlo mean of log p(x,y)/(p(x)p(y)) (5 SE), densities from an independent inverse', () => {
    const cases: [string, Float64Array, number, number][] = [
      ['bmi:binormal', Float64Array.of(1, 0.75, 0.75, 1), 1, 1],
      ['bmi:multinormal-dense-5x5', denseCovariance(10), 5, 5],
      ['bmi:multinormal-2pair-3x3', twoPairCorrelation(3, 3), 3, 3],
    ];
    for (const [id, cov, dx, dy] of cases) {
      const m = dx + dy, n = 60_000;
      const joint = inverseLogDet(cov, m), gx = inverseLogDet(sub(cov, m, 0, dx), dx), gy = inverseLogDet(sub(cov, m, dx, m), dy);
      const s = draw(id, n, `mc-${id}`);
      const v = new Float64Array(n), z = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < dx; k++) z[k] = s.x[i * dx + k];
        for (let k = 0; k < dy; k++) z[dx + k] = s.y[i * dy + k];
        v[i] = gaussLogDensity(z, joint.inv, joint.logDet, m) - gaussLogDensity(z.subarray(0, dx), gx.inv, gx.logDet, dx) - gaussLogDensity(z.subarray(dx), gy.inv, gy.logDet, dy);
      }
      const { mean, se } = meanSe(v);
      const mi = task(id).trueMi!;
      assert.ok(Math.abs(mean - mi) < 5 * se, `${id}: true MI ${mi}, Monte Carlo ${mean} ± ${se}`);
      // And the closed form from the independent determinants.
      assert.ok(Math.abs(0.5 * (gx.logDet + gy.logDet - joint.logDet) - mi) < 1e-12, id);
    }
  });

  test('rejects a covariance that is not positive definite, and a correlation outside (−1, 1)', () => {
    assert.throws(() => splitMultinormal(1, 1, Float64Array.of(1, 2, 2, 1)), RangeError);
    assert.throws(() => bivariateNormal(1), RangeError);
  });
});

describe('Student-t family', () => {
  /** Student-t CDF for ν = 1 (Cauchy) and ν = 3, closed forms. */
  const tCdf = (t: number, nu: 1 | 3) => nu === 1
    ? 0.5 + Math.atan(t) / Math.PI
    : 0.5 + (Math.atan(t / Math.sqrt(3)) + (t / Math.sqrt(3)) / (1 + t * t / 3)) / Math.PI;

  test('sampler: every coordinate is t_ν (CDF at five points within 5 SE), x and y uncorrelated in sign', () => {
    for (const [id, nu, dx] of [['bmi:student-1x1-df1', 1, 1], ['bmi:student-3x3-df3', 3, 3]] as const) {
      const n = 80_000, s = draw(id, n, id);
      for (const q of [-3, -1, 0, 0.5, 2]) {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = s.x[i * dx] <= q ? 1 : 0;
        const { mean, se } = meanSe(v);
        assert.ok(Math.abs(mean - tCdf(q, nu)) < 5 * Math.max(se, 1e-4), `${id}: P(X ≤ ${q}) = ${tCdf(q, nu)}, sample ${mean}`);
      }
      // Identity dispersion: the signs of X_1 and Y_1 are independent (P(same sign) = ½), though |X|, |Y| are not.
      const same = new Float64Array(n);
      for (let i = 0; i < n; i++) same[i] = Math.sign(s.x[i * dx]) === Math.sign(s.y[i * dx]) ? 1 : 0;
      const { mean, se } = meanSe(same);
      assert.ok(Math.abs(mean - 0.5) < 5 * se, `${id}: P(same sign) ${mean}`);
    }
  });

  test('1 × 1, ν = 1: true MI = h(X) + h(Y) − h(X, Y) of the bivariate Cauchy, integrated numerically (1e-5)', () => {
    // p(x, y) = (1/2π)(1 + r²)^(−3/2) depends on r only, so h(X, Y) = −∫ 2πr p log p dr, and each
    // margin is Cauchy, h(X) = −∫ p_x log p_x dx. With r = tan s both become smooth integrals
    // over (0, π/2); the midpoint rule's error here is about 2.5e-7 at 10⁶ points (it halves as
    // the step does, checked at 10⁴, 10⁵, 10⁶ points while writing the test).
    const g = 1_000_000, h = (Math.PI / 2) / g;
    let hxy = 0, hx = 0;
    for (let a = 0; a < g; a++) {
      const s = (a + 0.5) * h, r = Math.tan(s), j = 1 / Math.cos(s) ** 2;
      const p = (1 / (2 * Math.PI)) * (1 + r * r) ** -1.5;
      hxy -= 2 * Math.PI * r * p * Math.log(p) * j * h;
      const px = 1 / (Math.PI * (1 + r * r));
      hx -= 2 * px * Math.log(px) * j * h; // both half-lines of the symmetric margin
    }
    const integral = 2 * hx - hxy;
    const mi = task('bmi:student-1x1-df1').trueMi!;
    assert.ok(Math.abs(hx - Math.log(4 * Math.PI)) < 1e-5, `Cauchy entropy ${hx} vs log 4π`);
    assert.ok(Math.abs(integral - mi) < 1e-5, `numerical ${integral}, closed form ${mi}`);
  });

  test('3 × 3, ν = 2: true MI = Monte Carlo mean of the multivariate-t log density ratio (5 SE)', () => {
    const lgamma = (z: number): number => {
      // Lanczos (g = 7, n = 9), independent of the library's gammaln; |error| < 1e-13 for z > 0.5.
      const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
      z -= 1;
      let x = c[0];
      for (let i = 1; i < 9; i++) x += c[i] / (z + i);
      const t = z + 7.5;
      return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
    };
    const nu = 2;
    const logT = (r2: number, k: number) => lgamma((nu + k) / 2) - lgamma(nu / 2) - (k / 2) * Math.log(nu * Math.PI) - ((nu + k) / 2) * Math.log1p(r2 / nu);
    const n = 200_000, s = draw('bmi:student-3x3-df2', n, 'mc-student');
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let rx = 0, ry = 0;
      for (let k = 0; k < 3; k++) { rx += s.x[i * 3 + k] ** 2; ry += s.y[i * 3 + k] ** 2; }
      v[i] = logT(rx + ry, 6) - logT(rx, 3) - logT(ry, 3);
    }
    const { mean, se } = meanSe(v);
    const mi = task('bmi:student-3x3-df2').trueMi!;
    assert.ok(Math.abs(mean - mi) < 5 * se, `Monte Carlo ${mean} ± ${se}, closed form ${mi}`);
    assert.ok(studentIdentity(2, 2, 1).mi > studentIdentity(2, 2, 2).mi, 'heavier tails, more dependence');
  });
});

describe('additive noise', () => {
  test('sampler: X ~ U(0, 1), Y − X ~ U(−ε, ε) (range, mean, variance within 5 SE)', () => {
    for (const eps of [0.1, 0.75]) {
      const n = 50_000, s = draw(`bmi:additive-noise-${eps}`, n, `an-${eps}`);
      const x = Float64Array.from(s.x), noise = Float64Array.from(s.y, (v, i) => v - s.x[i]);
      assert.ok(x.every((v) => v >= 0 && v < 1) && noise.every((v) => Math.abs(v) <= eps + 1e-12));
      const mx = meanSe(x), mn = meanSe(noise);
      assert.ok(Math.abs(mx.mean - 0.5) < 5 * mx.se && Math.abs(mn.mean) < 5 * mn.se);
      const vx = meanSe(x.map((v) => (v - 0.5) ** 2)), vn = meanSe(noise.map((v) => v * v));
      assert.ok(Math.abs(vx.mean - 1 / 12) < 5 * vx.se && Math.abs(vn.mean - eps * eps / 3) < 5 * vn.se, `ε=${eps}`);
    }
  });

  test('true MI = h(Y) − log 2ε with h(Y) integrated numerically from Y\'s density (1e-7)', () => {
    for (const eps of [0.1, 0.3, 0.75, 2]) {
      // p_Y(y) = |[0, 1] ∩ [y − ε, y + ε]| / 2ε on [−ε, 1 + ε]: piecewise linear, so a fine midpoint rule is exact to O(h²).
      const lo = -eps, hi = 1 + eps, g = 400_000, h = (hi - lo) / g;
      let hy = 0;
      for (let k = 0; k < g; k++) {
        const y = lo + (k + 0.5) * h;
        const p = Math.max(0, Math.min(1, y + eps) - Math.max(0, y - eps)) / (2 * eps);
        if (p > 0) hy -= p * Math.log(p) * h;
      }
      const mi = hy - Math.log(2 * eps);
      assert.ok(Math.abs(mi - additiveNoiseMi(eps)) < 1e-7, `ε=${eps}: integral ${mi}, closed form ${additiveNoiseMi(eps)}`);
      assert.equal(additiveNoise(eps).mi, additiveNoiseMi(eps));
    }
  });
});

describe('transformed tasks keep their base\'s MI', () => {
  test('uniform (normal CDF): margins U(0, 1) (Kolmogorov–Smirnov at α = 1e-3)', () => {
    const n = 20_000, s = draw('bmi:uniform', n, 'uniform');
    for (const a of [s.x, s.y]) {
      const v = Float64Array.from(a).sort();
      let d = 0;
      for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(v[i] - i / n), Math.abs(v[i] - (i + 1) / n));
      assert.ok(d < 1.95 / Math.sqrt(n), `KS statistic ${d}`);
    }
  });

  test('bimodal: margins follow the mixture CDFs (KS, α = 1e-3), and the bisection inverts them to 1e-9', () => {
    const n = 20_000, s = draw('bmi:bimodal', n, 'bimodal');
    for (const [a, cdf] of [[s.x, bimodalCdfX], [s.y, bimodalCdfY]] as const) {
      const v = Float64Array.from(a).sort();
      let d = 0;
      for (let i = 0; i < n; i++) { const f = cdf(v[i]); d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n)); }
      assert.ok(d < 1.95 / Math.sqrt(n), `KS statistic ${d}`);
    }
    const inv = invertIncreasing(bimodalCdfX);
    for (const u of [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999]) assert.ok(Math.abs(bimodalCdfX(inv(u)) - u) < 1e-9, `u=${u}`);
  });

  test('one-dimensional transforms are strictly increasing, so the sample has exactly the base sample\'s ranks', () => {
    // On [−7, 7] (beyond it Φ rounds to 1 in float64; the samples' ranks are checked below anyway).
    for (const f of [halfCube, wigglyX, wigglyY, Math.asinh, normalCdf]) {
      let prev = -Infinity;
      for (let t = -7; t <= 7; t += 1e-3) { const v = f(t); assert.ok(v > prev, `${f.name} at ${t}`); prev = v; }
    }
    const pairs: [string, string][] = [['bmi:uniform', 'bmi:binormal'], ['bmi:wiggly', 'bmi:binormal'], ['bmi:half-cube', 'bmi:binormal'],
      ['bmi:bimodal', 'bmi:binormal'], ['bmi:asinh-student-1x1-df1', 'bmi:student-1x1-df1'],
      ['bmi:half-cube-multinormal-2pair-5x5', 'bmi:multinormal-2pair-5x5'], ['bmi:normal-cdf-multinormal-2pair-3x3', 'bmi:multinormal-2pair-3x3'],
      ['bmi:asinh-student-3x3-df2', 'bmi:student-3x3-df2']];
    for (const [id, baseId] of pairs) {
      const n = 2000, t = task(id), s = draw(id, n, 'ranks'), b = draw(baseId, n, 'ranks');
      for (let c = 0; c < t.dimX; c++) assert.deepEqual(ranks(s.x, n, t.dimX, c), ranks(b.x, n, t.dimX, c), `${id} x${c + 1}`);
      for (let c = 0; c < t.dimY; c++) assert.deepEqual(ranks(s.y, n, t.dimY, c), ranks(b.y, n, t.dimY, c), `${id} y${c + 1}`);
      assert.equal(t.trueMi, task(baseId).trueMi);
    }
  });

  test('spiral: a norm-preserving rotation that the inverse rotation undoes (so injective)', () => {
    for (const d of [3, 5, 25]) {
      const n = 500;
      const s = draw(`bmi:spiral-multinormal-2pair-${d}x${d}`, n, 'spiral'), b = draw(`bmi:multinormal-2pair-${d}x${d}`, n, 'spiral');
      for (const [out, base, i, j] of [[s.x, b.x, 0, 1], [s.y, b.y, 1, 2]] as const) {
        const back = spiralMap(d, i, j, 1 / d, true), row = new Float64Array(d);
        for (let r = 0; r < n; r++) {
          const o = Float64Array.from({ length: d }, (_, k) => out[r * d + k]), v = Float64Array.from({ length: d }, (_, k) => base[r * d + k]);
          let n1 = 0, n2 = 0;
          for (let k = 0; k < d; k++) { n1 += o[k] ** 2; n2 += v[k] ** 2; }
          assert.ok(Math.abs(n1 - n2) < 1e-9 * Math.max(1, n2));
          back.apply(o, row);
          for (let k = 0; k < d; k++) assert.ok(Math.abs(row[k] - v[k]) < 1e-9, `d=${d} row ${r}`);
        }
      }
      assert.equal(task(`bmi:spiral-multinormal-2pair-${d}x${d}`).trueMi, task(`bmi:multinormal-2pair-${d}x${d}`).trueMi);
    }
  });

  test('Swiss roll: u ↦ (t cos t, t sin t)/21 with radius t/21 increasing in u, so injective; y is the uniform task\'s', () => {
    const n = 1000, s = draw('bmi:swissroll-2x1', n, 'roll'), b = draw('bmi:uniform', n, 'roll');
    assert.deepEqual(Array.from(s.y), Array.from(b.y));
    for (let i = 0; i < n; i++) {
      const t = 1.5 * Math.PI * (1 + 2 * b.x[i]);
      assert.ok(Math.abs(Math.hypot(s.x[2 * i], s.x[2 * i + 1]) - t / 21) < 1e-12);
    }
    const out = new Float64Array(2);
    let prev = -1;
    for (let u = 0; u <= 1; u += 1e-3) { swissRollMap.apply(Float64Array.of(u), out); const r = Math.hypot(out[0], out[1]); assert.ok(r > prev); prev = r; }
  });

  test('KSG (k = 5, 10 000 points) lands within 0.05 nats of the true MI of every 1 × 1 task and the Swiss roll', () => {
    // KSG's standard deviation at N = 10⁴ is about 0.01 nats for MI < 2 (Kraskov et al. 2004,
    // Fig. 4) and its bias on these smooth two-dimensional densities a few hundredths at most:
    // 0.05 is a loose but meaningful bound (a wrong transform or MI is off by 0.1 and more).
    for (const t of bmiSuite().filter((t) => t.dimX + t.dimY <= 3)) {
      const n = 10_000, s = t.sample(n, new Rng(['ksg-check', t.id]), { mi: 0, batchRho: 0 });
      const est = ksg(Float64Array.from(s.x), Float64Array.from(s.y), n, t.dimX, t.dimY, 5);
      assert.ok(Math.abs(est - t.trueMi) < 0.05, `${t.id}: KSG ${est.toFixed(4)}, true ${t.trueMi.toFixed(4)}`);
    }
  });
});

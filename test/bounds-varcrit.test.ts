/**
 * The estimators of issue 22 item 1 owned here: FLO (src/bounds/flo.ts) and the variational-
 * conditional ones — Barber–Agakov, CLUB, L1Out, DoE (src/bounds/ba.ts, club.ts, l1out.ts,
 * doe.ts). Golden values from each formula (hand-built matrices, and matrices built from explicit
 * Gaussian conditionals checked against the reference codes' own expressions), analytic
 * gradients — of S and of the auxiliary outputs — against central finite differences, and the
 * inequalities that make FLO a bound.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NEWER_ESTIMATORS, VARIATIONAL_ESTIMATORS, type BoundOptions, type EstimatorName } from '../src/types.js';
import { evaluateBound, getBound, isUpperBound, knownEstimators } from '../src/bounds/index.js';
import { UsageError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { assertGradClose, close, finiteDiff, matrix, randomScores } from './bound-helpers.js';

const LN = Math.log;
const EXP = Math.exp;

function randomVector(rng: Rng, n: number, lo: number, hi: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.range(lo, hi));
}

const est = (name: EstimatorName, s: ArrayLike<number>, n: number, o?: BoundOptions, aux?: ArrayLike<number>) =>
  getBound(name).evaluate(s, n, o, undefined, undefined, aux);

/**
 * A diagonal Gaussian conditional and its score matrix S[i][j] = log q(y_j | x_i), written
 * directly from the density (what the variational critic computes).
 */
function gaussianCase(rng: Rng, n: number, d: number) {
  const mu = randomVector(rng, n * d, -1.5, 1.5), lv = randomVector(rng, n * d, -1, 1), y = randomVector(rng, n * d, -2, 2);
  const logq = (i: number, j: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = EXP(lv[i * d + k]), r = y[j * d + k] - mu[i * d + k];
      s += -0.5 * LN(2 * Math.PI * v) - (r * r) / (2 * v);
    }
    return s;
  };
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = logq(i, j);
  return { mu, lv, y, s };
}

describe('closed forms: diagonal c, off-diagonal b', () => {
  const n = 5, c = 1.7, b = -0.4, s = matrix(n, c, b);
  test('ba = H(Y) + c (estimate and objective)', () => {
    const o = est('ba', s, n, { entropyY: 3.25 });
    close(o.estimate, 3.25 + c);
    close(o.objective, 3.25 + c);
  });
  test('club = c − (n·c + n(n−1)·b)/n² = (n−1)(c − b)/n; objective c', () => {
    const o = est('club', s, n);
    close(o.estimate, ((n - 1) * (c - b)) / n);
    close(o.objective, c);
  });
  test('l1out = c − (log((n−1)e^b) − log(n−1)) = c − b; objective c', () => {
    const o = est('l1out', s, n);
    close(o.estimate, c - b);
    close(o.objective, c);
  });
  test('doe with every log p(y_j) = a: estimate c − a, objective c + a', () => {
    const o = est('doe', s, n, undefined, new Float64Array(n).fill(-2.5));
    close(o.estimate, c + 2.5);
    close(o.objective, c - 2.5);
  });
  test('flo with every u_i = u: 1 − u − e^(−u)·e^(b−c); at u = b − c it is c − b', () => {
    for (const u of [-1, 0, 0.3, 2]) close(est('flo', s, n, undefined, new Float64Array(n).fill(u)).estimate, 1 - u - EXP(-u + b - c), 1e-12, `u=${u}`);
    close(est('flo', s, n, undefined, new Float64Array(n).fill(b - c)).estimate, c - b);
  });
});

describe('golden values on Gaussian conditionals, against the reference codes\' expressions', () => {
  const rng = new Rng(['varcrit-golden']);
  test('club equals Linear95/CLUB\'s CLUB.forward (constants dropped, negatives over all n² pairs)', () => {
    for (const [n, d] of [[2, 1], [4, 3], [7, 2]]) {
      const { mu, lv, y, s } = gaussianCase(rng, n, d);
      // positive_i = −Σ_k (μ_ik − y_ik)²/(2 e^lv_ik), negative_i = −Σ_k mean_j (y_jk − μ_ik)²/(2 e^lv_ik).
      let want = 0;
      for (let i = 0; i < n; i++) {
        let pos = 0, neg = 0;
        for (let k = 0; k < d; k++) {
          const v = EXP(lv[i * d + k]);
          pos -= (mu[i * d + k] - y[i * d + k]) ** 2 / 2 / v;
          let m = 0;
          for (let j = 0; j < n; j++) m += (y[j * d + k] - mu[i * d + k]) ** 2;
          neg -= m / n / 2 / v;
        }
        want += pos - neg;
      }
      close(est('club', s, n).estimate, want / n, 1e-12, `n=${n} d=${d}`);
    }
  });
  test('l1out equals Poole et al.\'s leave-one-out ratio computed on the densities themselves', () => {
    for (const [n, d] of [[2, 1], [3, 2], [6, 3]]) {
      const { s } = gaussianCase(rng, n, d);
      let want = 0;
      for (let i = 0; i < n; i++) {
        let mix = 0;
        for (let j = 0; j < n; j++) if (j !== i) mix += EXP(s[j * n + i]);
        want += LN(EXP(s[i * n + i]) / (mix / (n - 1)));
      }
      close(est('l1out', s, n).estimate, want / n, 1e-11, `n=${n} d=${d}`);
    }
  });
  test('l1out normalises over x for each y (columns), not over y (rows)', () => {
    // A matrix whose rows and columns differ: only the column reading gives this value.
    const s = Float64Array.from([0, 1, 2, 3, 0, 5, 6, 7, 0]);
    const want = (0 - LN((EXP(3) + EXP(6)) / 2) + 0 - LN((EXP(1) + EXP(7)) / 2) + 0 - LN((EXP(2) + EXP(5)) / 2)) / 3;
    close(est('l1out', s, 3).estimate, want);
  });
  test('ba and doe read only the diagonal log q(y_i | x_i)', () => {
    const { s } = gaussianCase(rng, 5, 2);
    const t = Float64Array.from(s);
    for (let k = 0; k < 25; k++) if (k % 6 !== 0) t[k] += 100;
    const a = randomVector(rng, 5, -3, -1);
    assert.equal(est('ba', s, 5, { entropyY: 2 }).estimate, est('ba', t, 5, { entropyY: 2 }).estimate);
    assert.equal(est('doe', s, 5, undefined, a).estimate, est('doe', t, 5, undefined, a).estimate);
    let diag = 0, marg = 0;
    for (let i = 0; i < 5; i++) { diag += s[i * 6]; marg += a[i]; }
    close(est('doe', s, 5, undefined, a).estimate, (diag - marg) / 5);
  });
  test('flo equals the official LossFLO: −mean_i (u_i + e^(−u_i + logsumexp_{j≠i} g_ij − g_ii)/(n−1) − 1)', () => {
    for (const n of [2, 3, 8]) {
      const s = randomScores(rng, n, 3), u = randomVector(rng, n, -2, 2);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < n; j++) if (j !== i) z += EXP(s[i * n + j]);
        loss += u[i] + EXP(-u[i] + LN(z) - s[i * n + i]) / (n - 1) - 1;
      }
      close(est('flo', s, n, undefined, u).estimate, -loss / n, 1e-12, `n=${n}`);
    }
  });
});

describe('FLO is the Fenchel–Legendre dual of −log', () => {
  test('for any u it is at most −mean_i log mean_{j≠i} e^(S_ij − S_ii), with equality at u_i = log mean_{j≠i} e^(S_ij − S_ii)', () => {
    const rng = new Rng(['flo-dual']);
    for (const n of [2, 5, 9]) {
      const s = randomScores(rng, n, 2);
      const best = new Float64Array(n);
      let sup = 0;
      for (let i = 0; i < n; i++) {
        let m = 0;
        for (let j = 0; j < n; j++) if (j !== i) m += EXP(s[i * n + j] - s[i * n + i]);
        best[i] = LN(m / (n - 1));
        sup -= best[i] / n;
      }
      close(est('flo', s, n, undefined, best).estimate, sup, 1e-12, `n=${n} at the optimum`);
      for (let r = 0; r < 20; r++) {
        const u = randomVector(rng, n, -3, 3);
        assert.ok(est('flo', s, n, undefined, u).estimate <= sup + 1e-12, `n=${n}: FLO above its supremum`);
      }
      // At the optimum ∂/∂u vanishes.
      for (const g of est('flo', s, n, undefined, best).auxGrad!) assert.ok(Math.abs(g) < 1e-12);
    }
  });
  test('not capped at log n: diag 20, off-diagonal 0 and the optimal u give 20, where InfoNCE gives < log n', () => {
    const n = 4, s = matrix(n, 20, 0);
    close(est('flo', s, n, undefined, new Float64Array(n).fill(-20)).estimate, 20);
    assert.ok(getBound('infonce').evaluate(s, n).estimate < LN(n));
  });
});

describe('gradients against central finite differences', () => {
  const rng = new Rng(['varcrit-fd']);
  const cases: { name: EstimatorName; options?: BoundOptions; aux: boolean }[] = [
    { name: 'flo', aux: true }, { name: 'ba', options: { entropyY: 1.3 }, aux: false },
    { name: 'club', aux: false }, { name: 'l1out', aux: false }, { name: 'doe', aux: true },
  ];
  for (const c of cases) {
    test(`${c.name}: dObjective/dS${c.aux ? ' and dObjective/dAux' : ''}`, () => {
      for (const n of [2, 3, 6]) {
        const s = randomScores(rng, n, 2), a = c.aux ? randomVector(rng, n, -2, 2) : undefined;
        const o = est(c.name, s, n, c.options, a);
        assertGradClose(o.grad, finiteDiff((t) => est(c.name, t, n, c.options, a).objective, s), `${c.name} n=${n} S`);
        if (a) assertGradClose(o.auxGrad!, finiteDiff((t) => est(c.name, s, n, c.options, t).objective, a), `${c.name} n=${n} aux`);
        else assert.equal(o.auxGrad, undefined);
      }
    });
  }
  test('flo: the gradient is finite and right for scores of ±300 (no overflow in the exponentials)', () => {
    const n = 4, s = randomScores(rng, n, 300), u = randomVector(rng, n, -5, 5);
    // Shift u by each row's optimum so that t_i stays O(1).
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let j = 0; j < n; j++) if (j !== i) m = Math.max(m, s[i * n + j]);
      u[i] += m - s[i * n + i];
    }
    const o = est('flo', s, n, undefined, u);
    assert.ok(Number.isFinite(o.estimate) && Array.from(o.grad).every(Number.isFinite));
    assertGradClose(o.auxGrad!, finiteDiff((t) => est('flo', s, n, undefined, t).objective, u, 1e-6), 'flo aux at ±300', 1e-6);
  });
  test('gradOut is written and returned', () => {
    for (const name of ['flo', 'club', 'doe'] as const) {
      const n = 4, s = randomScores(rng, n, 1), out = new Float64Array(n * n).fill(7);
      const o = getBound(name).evaluate(s, n, undefined, undefined, out, new Float64Array(n));
      assert.equal(o.grad, out);
      assert.deepEqual(o.grad, est(name, s, n, undefined, new Float64Array(n)).grad);
    }
  });
});

describe('contract', () => {
  test('registered, named after themselves, pure; Float32Array scores give the float64 values', () => {
    const rng = new Rng(['varcrit-pure']);
    const s = randomScores(rng, 5, 2), copy = Float64Array.from(s);
    const a = randomVector(rng, 5, -1, 1), aCopy = Float64Array.from(a);
    const s32 = Float32Array.from(s), a32 = Float32Array.from(a);
    for (const name of NEWER_ESTIMATORS) {
      assert.ok(knownEstimators().includes(name));
      const b = getBound(name);
      assert.equal(b.name, name);
      const o = { entropyY: 1 };
      const first = b.evaluate(s, 5, o, undefined, undefined, a);
      assert.deepEqual(b.evaluate(s, 5, o, undefined, undefined, a), first);
      assert.deepEqual(s, copy);
      assert.deepEqual(a, aCopy);
      assert.equal(first.grad.length, 25);
      assert.deepEqual(b.evaluate(s32, 5, o, undefined, undefined, a32), b.evaluate(Float64Array.from(s32), 5, o, undefined, undefined, Float64Array.from(a32)));
    }
  });
  test('what each declares: bound side, critics, auxiliary outputs, H(Y), held-out selection', () => {
    const flags = Object.fromEntries(NEWER_ESTIMATORS.map((e) => {
      const b = getBound(e);
      return [e, [b.lowerBound, b.upperBound ?? false, b.critics ?? null, b.aux ?? null, b.needsEntropyY ?? false, b.heldOutSelection ?? null]];
    }));
    assert.deepEqual(flags, {
      flo: [true, false, null, 'u', false, null],
      ba: [true, false, ['variational'], null, true, 'objective'],
      club: [false, true, ['variational'], null, false, 'objective'],
      l1out: [false, true, ['variational'], null, false, 'objective'],
      doe: [false, false, ['variational'], 'marginal', false, 'objective'],
    });
    for (const e of VARIATIONAL_ESTIMATORS) assert.deepEqual(getBound(e).critics, ['variational']);
    assert.deepEqual(NEWER_ESTIMATORS.filter(isUpperBound), ['club', 'l1out']);
    assert.equal(isUpperBound('nwj'), false);
    assert.equal(isUpperBound('no-such-bound'), false);
  });
  test('missing inputs: ba without H(Y) is a UsageError; flo and doe without aux a RangeError', () => {
    const s = matrix(3, 1, 0);
    assert.throws(() => est('ba', s, 3), (e: unknown) => e instanceof UsageError && /^ba: needs the entropy H\(Y\)/.test(e.message));
    assert.throws(() => est('ba', s, 3, { entropyY: NaN }), UsageError);
    assert.throws(() => est('flo', s, 3), /flo: needs the 3 auxiliary outputs/);
    assert.throws(() => est('doe', s, 3, undefined, [1, 2]), /doe: needs the 3 auxiliary outputs/);
    assert.throws(() => est('club', new Float64Array(8), 3), RangeError);
  });
  test('evaluateBound passes aux and H(Y) through', () => {
    const rows = [[2, 0, 0], [0, 2, 0], [0, 0, 2]];
    close(evaluateBound('flo', rows, undefined, { aux: [-2, -2, -2] }).estimate, 2);
    close(evaluateBound('ba', rows, { entropyY: 1 }).estimate, 3);
    close(evaluateBound('doe', rows, undefined, { aux: [1, 1, 1] }).estimate, 1);
    assert.throws(() => evaluateBound('flo', rows, undefined, { aux: [1] }), /aux must have one entry per row/);
  });
});

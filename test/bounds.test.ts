/**
 * The bounds (src/bounds/*): closed forms on hand-built score matrices, analytic gradients
 * against central finite differences, and the inequalities each bound must satisfy on any scores.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ESTIMATORS, type BoundOptions, type EstimatorName } from '../src/types.js';
import { evaluateBound, getBound, parseEstimator } from '../src/bounds/index.js';
import { mineObjective } from '../src/bounds/mine.js';
import { UsageError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { assertGradClose, close, finiteDiff, matrix, randomScores } from './bound-helpers.js';

const LN = Math.log;
const EXP = Math.exp;
const softplus = (x: number) => LN(1 + EXP(x));

const est = (name: EstimatorName, s: ArrayLike<number>, n: number, o?: BoundOptions) => getBound(name).evaluate(s, n, o);

describe('closed forms: every entry equal to c', () => {
  const n = 5, c = 0.7, s = matrix(n, c, c);
  // E_P[T] = c and every partition mean is e^c: the critic carries no information.
  test('nwj = c − e^(c−1)', () => close(est('nwj', s, n).estimate, c - EXP(c - 1)));
  test('dv = 0 (c − log e^c)', () => close(est('dv', s, n).estimate, 0));
  test('tuba = 1 + c − e^c', () => close(est('tuba', s, n).estimate, 1 + c - EXP(c)));
  test('infonce = 0 (c − log(n e^c) + log n)', () => close(est('infonce', s, n).estimate, 0));
  test('js reports NWJ, trains on JS = −softplus(−c) − softplus(c)', () => {
    const o = est('js', s, n);
    close(o.estimate, c - EXP(c - 1));
    close(o.objective, -softplus(-c) - softplus(c));
  });
  test('smile: τ = ∞ is DV = 0; τ = 0.5 < c gives c − τ; objective is JS', () => {
    close(est('smile', s, n).estimate, 0);
    close(est('smile', s, n, { tau: 0.5 }).estimate, c - 0.5);
    close(est('smile', s, n, { tau: 0.5 }).objective, -softplus(-c) - softplus(c));
  });
  test('mine, first call: ema = e^c, estimate = DV = 0, objective = c − (c + 1 − 1) = 0', () => {
    const o = est('mine', s, n);
    close(o.state!.ema, EXP(c));
    close(o.estimate, 0);
    close(o.objective, 0);
  });
  test('mice: DV form 0, NWJ form c − e^(c−1)', () => {
    close(est('mice', s, n).estimate, 0);
    close(est('mice', s, n, { miceForm: 'nwj' }).estimate, c - EXP(c - 1));
  });
  test('alpha-infonce = 1 + c − B − e^(c−B), B = log(α + (1−α)e^c)', () => {
    for (const alpha of [0, 0.25, 0.5, 1]) {
      const b = LN(alpha + (1 - alpha) * EXP(c));
      close(est('alpha-infonce', s, n, { alpha }).estimate, 1 + c - b - EXP(c - b), 1e-12, `α=${alpha}`);
    }
  });
  test('flatnce: estimate InfoNCE = 0, objective −log(n−1) (l_i = log((n−1)e^0))', () => {
    const o = est('flatnce', s, n);
    close(o.estimate, 0);
    close(o.objective, -LN(n - 1));
  });
});

describe('closed forms: diagonal c, off-diagonal 0', () => {
  const n = 6, c = 2.3, s = matrix(n, c, 0);
  // E_P[T] = c, E_Q[e^T] = 1.
  test('nwj = c − e^(−1)', () => close(est('nwj', s, n).estimate, c - EXP(-1)));
  test('dv = c', () => close(est('dv', s, n).estimate, c));
  test('tuba = 1 + c − 1 = c', () => close(est('tuba', s, n).estimate, c));
  test('infonce = c − log(e^c + n − 1) + log n', () =>
    close(est('infonce', s, n).estimate, c - LN(EXP(c) + n - 1) + LN(n)));
  test('js: estimate c − e^(−1), objective −softplus(−c) − log 2', () => {
    const o = est('js', s, n);
    close(o.estimate, c - EXP(-1));
    close(o.objective, -softplus(-c) - LN(2));
  });
  test('smile: the diagonal is never clipped, so the estimate is c for any τ', () => {
    for (const tau of [Infinity, 5, 1, 0.1]) close(est('smile', s, n, { tau }).estimate, c, 1e-12, `τ=${tau}`);
  });
  test('smile clips the off-diagonal: diag 3, off 2 → 3 − min(2, τ)', () => {
    const t = matrix(4, 3, 2);
    close(est('smile', t, 4).estimate, 1);
    close(est('smile', t, 4, { tau: 1 }).estimate, 2);
    close(est('smile', t, 4, { tau: 2.5 }).estimate, 1);
    // Negative off-diagonal scores are clipped from below: diag 0, off −3, τ = 1 → 0 − (−1).
    close(est('smile', matrix(4, 0, -3), 4, { tau: 1 }).estimate, 1);
  });
  test('mice: DV form c, NWJ form c − e^(−1)', () => {
    close(est('mice', s, n).estimate, c);
    close(est('mice', s, n, { miceForm: 'nwj', miceBlockPartition: false }).estimate, c - EXP(-1));
  });
  test('alpha-infonce = c − log(α + (1−α)(e^c + n − 2)/(n − 1))', () => {
    // Held-out mean m_ij (j ≠ i) keeps T_ii: (e^c + n − 2)/(n − 1); m_ii = 1 so B_ii = 0 and the
    // marginal term is exactly 1, cancelling the leading 1.
    for (const alpha of [0, 0.3, 0.5, 1]) {
      const expected = c - LN(alpha + ((1 - alpha) * (EXP(c) + n - 2)) / (n - 1));
      close(est('alpha-infonce', s, n, { alpha }).estimate, expected, 1e-12, `α=${alpha}`);
    }
  });
  test('flatnce: objective c − log(n − 1), estimate InfoNCE', () => {
    const o = est('flatnce', s, n);
    close(o.objective, c - LN(n - 1));
    close(o.estimate, c - LN(EXP(c) + n - 1) + LN(n));
  });
});

describe('alpha-infonce against a direct transcription of Poole et al.\'s interpolated_lower_bound', () => {
  // The colab's formula, written naively (O(n³), no stabilisation) with baseline log a(y) = 0:
  //   B_ij = log(α·1 + (1−α)·mean_{k≠j} e^(T_ik)), I = 1 + mean_{i≠j}(T_ii − B_ij) − mean_{i≠j} e^(T_ij − B_ii).
  function reference(s: Float64Array, n: number, alpha: number): number {
    const b = (i: number, j: number) => {
      let m = 0;
      for (let k = 0; k < n; k++) if (k !== j) m += EXP(s[i * n + k]);
      return LN(alpha + ((1 - alpha) * m) / (n - 1));
    };
    let joint = 0, marg = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      joint += s[i * n + i] - b(i, j);
      marg += EXP(s[i * n + j] - b(i, i));
    }
    return 1 + joint / (n * (n - 1)) - marg / (n * (n - 1));
  }
  test('random scores, several α and n', () => {
    const rng = new Rng(['alpha-ref']);
    for (const n of [2, 3, 7]) for (const alpha of [0, 0.1, 0.5, 0.9, 1]) {
      const s = randomScores(rng, n, 3);
      close(est('alpha-infonce', s, n, { alpha }).estimate, reference(s, n, alpha), 1e-11, `n=${n} α=${alpha}`);
    }
  });
  test('at α = 0 the marginal term is exactly 1: the leave-one-out InfoNCE', () => {
    const rng = new Rng(['alpha-0']);
    const n = 5, s = randomScores(rng, n, 2);
    let want = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let m = 0;
      for (let k = 0; k < n; k++) if (k !== j) m += EXP(s[i * n + k]);
      want += s[i * n + i] - LN(m / (n - 1));
    }
    close(est('alpha-infonce', s, n, { alpha: 0 }).estimate, want / (n * (n - 1)), 1e-12);
  });
});

describe('flatnce against its definition', () => {
  test('objective = −mean_i log Σ_{j≠i} e^(T_ij − T_ii), estimate = InfoNCE', () => {
    const rng = new Rng(['flat-ref']);
    for (const n of [2, 4, 7]) {
      const s = randomScores(rng, n, 3);
      let l = 0;
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < n; j++) if (j !== i) z += EXP(s[i * n + j] - s[i * n + i]);
        l += LN(z);
      }
      const o = est('flatnce', s, n);
      close(o.objective, -l / n, 1e-12);
      assert.equal(o.estimate, est('infonce', s, n).estimate);
    }
  });
});

describe('mine: moving average across calls', () => {
  test('second call folds the batch into ema and divides by it', () => {
    const n = 4, c = 1.5;
    const first = est('mine', matrix(n, 0, 0), n);
    assert.deepEqual(first.state, { ema: 1 });
    const s = matrix(n, c, c);
    const second = getBound('mine').evaluate(s, n, undefined, first.state);
    const ema = 0.99 * 1 + 0.01 * EXP(c); // r = 0.01 by default
    close(second.state!.ema, ema);
    close(second.estimate, 0); // the estimate is the batch DV, untouched by the average
    close(second.objective, c - (LN(ema) + EXP(c) / ema - 1));
    close(second.grad[1], -EXP(c) / (n * (n - 1) * ema));
    close(second.grad[0], 1 / n);
    // emaRate is honoured, and the input state is not mutated.
    const third = getBound('mine').evaluate(s, n, { emaRate: 0.5 }, first.state);
    close(third.state!.ema, 0.5 + 0.5 * EXP(c));
    assert.deepEqual(first.state, { ema: 1 });
  });
  test('the objective never exceeds the DV value (log is concave)', () => {
    const rng = new Rng(['mine-concave']);
    let state = est('mine', randomScores(rng, 5, 2), 5).state;
    for (let t = 0; t < 20; t++) {
      const o = getBound('mine').evaluate(randomScores(rng, 5, 3), 5, { emaRate: 0.3 }, state);
      assert.ok(o.objective <= o.estimate + 1e-12);
      state = o.state;
    }
  });
});

describe('gradients match central finite differences of the objective', () => {
  const sizes = [2, 3, 7];
  const plain: [EstimatorName, BoundOptions | undefined][] = [
    ['nwj', undefined], ['dv', undefined], ['tuba', undefined], ['infonce', undefined],
    ['js', undefined], ['smile', undefined], ['smile', { tau: 1 }], ['flatnce', undefined],
    ['mice', { miceForm: 'dv', miceBlockPartition: false }],
    ['mice', { miceForm: 'nwj', miceBlockPartition: false }],
    ['alpha-infonce', { alpha: 0 }], ['alpha-infonce', { alpha: 0.3 }],
    ['alpha-infonce', undefined], ['alpha-infonce', { alpha: 1 }],
  ];
  for (const [name, options] of plain) {
    test(`${name} ${JSON.stringify(options ?? {})}`, () => {
      const b = getBound(name);
      const rng = new Rng(['fd', name, JSON.stringify(options ?? {})]);
      for (const n of sizes) {
        for (let rep = 0; rep < 3; rep++) {
          const s = randomScores(rng, n, 2);
          const { grad } = b.evaluate(s, n, options);
          const fd = finiteDiff((t) => b.evaluate(t, n, options).objective, s);
          assertGradClose(grad, fd, `${name} n=${n}`);
        }
      }
    });
  }

  test('smile and js train on the JS f-GAN value: same objective and gradient, whatever τ', () => {
    const rng = new Rng(['fd-js']);
    const s = randomScores(rng, 5, 2);
    const a = est('js', s, 5), b = est('smile', s, 5, { tau: 0.3 });
    assert.equal(a.objective, b.objective);
    assert.deepEqual(a.grad, b.grad);
  });

  test('mine: with the moving average held fixed', () => {
    const rng = new Rng(['fd-mine']);
    for (const n of sizes) {
      let state = est('mine', randomScores(rng, n, 2), n).state;
      for (let rep = 0; rep < 3; rep++) {
        const s = randomScores(rng, n, 2);
        const out = getBound('mine').evaluate(s, n, { emaRate: 0.2 }, state);
        const ema = out.state!.ema;
        // evaluate uses exactly the objective at the updated average...
        const ref = mineObjective(s, n, ema);
        assert.equal(out.objective, ref.value);
        assert.deepEqual(out.grad, ref.grad);
        // ...whose gradient, with ema constant, is the finite difference of that objective.
        assertGradClose(out.grad, finiteDiff((t) => mineObjective(t, n, ema).value, s), `mine n=${n}`);
        state = out.state;
      }
    }
  });

  test('mice blocked: the gradient is that of E_P[T] alone, in both forms', () => {
    const rng = new Rng(['fd-mice']);
    const diagMean = (t: Float64Array, n: number) => { let m = 0; for (let i = 0; i < n; i++) m += t[i * n + i]; return m / n; };
    for (const miceForm of ['dv', 'nwj'] as const) {
      for (const n of sizes) {
        const s = randomScores(rng, n, 2);
        const { grad } = est('mice', s, n, { miceForm });
        assertGradClose(grad, finiteDiff((t) => diagMean(t, n), s), `mice ${miceForm} n=${n}`);
      }
    }
  });

  test('alpha-infonce and infonce stay accurate on widely spread scores', () => {
    const rng = new Rng(['fd-wide']);
    for (const name of ['alpha-infonce', 'infonce', 'dv', 'flatnce'] as const) {
      for (const n of [3, 7]) {
        const s = randomScores(rng, n, 15);
        const { grad } = est(name, s, n);
        assertGradClose(grad, finiteDiff((t) => est(name, t, n).objective, s, 1e-4), `${name} n=${n}`, 1e-6);
      }
    }
  });
});

const scoreMatrix = (maxN: number) =>
  fc.integer({ min: 2, max: maxN }).chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constantFrom(-1e3, 1e3, 0)), {
        minLength: n * n, maxLength: n * n,
      }),
    ));

describe('properties on arbitrary scores', () => {
  test('infonce ≤ log n, and flatnce reports the same value (extremes ±1e3 included)', () => {
    fc.assert(fc.property(scoreMatrix(8), ([n, s]) => {
      const v = est('infonce', s, n).estimate;
      assert.ok(Number.isFinite(v));
      assert.ok(v <= LN(n) + 1e-12, `infonce ${v} > log ${n}`);
      assert.equal(est('flatnce', s, n).estimate, v);
    }), { numRuns: 300 });
  });

  test('dv ≥ nwj on the same scores (log z ≤ z/e)', () => {
    fc.assert(fc.property(scoreMatrix(8), ([n, s]) => {
      const d = est('dv', s, n).estimate, w = est('nwj', s, n).estimate;
      assert.ok(!(d < w - 1e-9 * Math.max(1, Math.abs(w))), `dv ${d} < nwj ${w}`);
    }), { numRuns: 300 });
  });

  test('log-sum-exp bounds stay finite at ±1e3, values and gradients', () => {
    const stable: [EstimatorName, BoundOptions | undefined][] = [
      ['dv', undefined], ['infonce', undefined], ['flatnce', undefined], ['smile', { tau: 5 }],
      ['js', undefined], ['mice', undefined], ['alpha-infonce', { alpha: 0.5 }], ['alpha-infonce', { alpha: 0 }],
    ];
    fc.assert(fc.property(scoreMatrix(6), ([n, s]) => {
      for (const [name, options] of stable) {
        const o = est(name, s, n, options);
        const what = `${name} ${JSON.stringify(options ?? {})}`;
        assert.ok(Number.isFinite(o.objective), `${what} objective ${o.objective}`);
        if (name !== 'js') assert.ok(Number.isFinite(o.estimate), `${what} estimate ${o.estimate}`);
        assert.ok(o.grad.every(Number.isFinite), `${what} grad not finite`);
      }
    }), { numRuns: 150 });
  });

  test('mice blocked: the partition contributes no gradient, whatever the off-diagonal scores', () => {
    fc.assert(fc.property(scoreMatrix(7), fc.constantFrom('dv', 'nwj'), fc.double({ min: -50, max: 50, noNaN: true }),
      ([n, s], miceForm, shift) => {
        const options: BoundOptions = { miceForm: miceForm as 'dv' | 'nwj' };
        const g = est('mice', s, n, options).grad;
        const moved = Float64Array.from(s);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) moved[i * n + j] += shift * (1 + ((i + j) % 3));
        assert.deepEqual(est('mice', moved, n, options).grad, g);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          assert.equal(g[i * n + j], i === j ? 1 / n : 0);
        }
      }), { numRuns: 100 });
  });

  test('alpha-infonce at α = 1 is TUBA; dv and mice-dv are invariant to shifting every score', () => {
    fc.assert(fc.property(scoreMatrix(6), fc.double({ min: -5, max: 5, noNaN: true }), ([n, s], shift) => {
      const small = s.map((v) => v / 300); // keep e^T finite for TUBA
      close(est('alpha-infonce', small, n, { alpha: 1 }).estimate, est('tuba', small, n).estimate, 1e-12);
      const shifted = s.map((v) => v + shift);
      close(est('dv', shifted, n).estimate, est('dv', s, n).estimate, 1e-9);
      close(est('mice', shifted, n).estimate, est('mice', s, n).estimate, 1e-9);
    }), { numRuns: 100 });
  });

  test('tuba(T) = nwj(T + 1)', () => {
    const rng = new Rng(['tuba-nwj']);
    const s = randomScores(rng, 6, 2);
    close(est('tuba', s, 6).estimate, est('nwj', s.map((v) => v + 1), 6).estimate, 1e-12);
  });
});

describe('contract', () => {
  test('every estimator is registered, named after itself, and pure', () => {
    const rng = new Rng(['pure']);
    const s = randomScores(rng, 5, 2);
    const copy = Float64Array.from(s);
    for (const name of ESTIMATORS) {
      const b = getBound(name);
      assert.equal(b.name, name);
      const state = name === 'mine' ? { ema: 2 } : undefined;
      const a = b.evaluate(s, 5, undefined, state);
      const again = b.evaluate(s, 5, undefined, state);
      assert.deepEqual(again, a);
      assert.deepEqual(s, copy);
      if (state) assert.deepEqual(state, { ema: 2 });
      assert.equal(a.grad.length, 25);
    }
  });

  test('lowerBound flags', () => {
    const flags = Object.fromEntries(ESTIMATORS.map((e) => [e, getBound(e).lowerBound]));
    assert.deepEqual(flags, {
      nwj: true, dv: true, mine: false, smile: false, infonce: true, js: true, tuba: true, mice: true,
      'alpha-infonce': true, flatnce: true,
    });
  });

  test('Float32Array scores (what engines hand over) give the same values as float64 copies', () => {
    const s32 = Float32Array.from(randomScores(new Rng(['f32']), 4, 2));
    const s64 = Float64Array.from(s32);
    for (const name of ESTIMATORS) assert.deepEqual(est(name, s32, 4), est(name, s64, 4));
  });

  test('shape errors and bad options', () => {
    assert.throws(() => est('dv', new Float64Array(8), 3), RangeError);
    assert.throws(() => est('dv', new Float64Array(1), 1), /n must be an integer ≥ 2/);
    assert.throws(() => est('alpha-infonce', matrix(3, 1, 0), 3, { alpha: 1.5 }),
      (e: unknown) => e instanceof UsageError && /^alpha: must be a number in \[0, 1\], got 1.5$/.test(e.message));
    assert.throws(() => est('smile', matrix(3, 1, 0), 3, { tau: -1 }), UsageError);
    assert.throws(() => est('mine', matrix(3, 1, 0), 3, { emaRate: 0 }), /emaRate/);
    assert.throws(() => est('mice', matrix(3, 1, 0), 3, { miceForm: 'x' as 'dv' }), /miceForm/);
  });
});

describe('public helpers', () => {
  test('evaluateBound takes rows and matches evaluate on the flat matrix', () => {
    const rows = [[2, 0, 0], [0, 2, 0], [0, 0, 2]];
    close(evaluateBound('dv', rows).estimate, 2);
    close(evaluateBound('infonce', rows).estimate, 2 - LN(EXP(2) + 2) + LN(3));
    close(evaluateBound('smile', [[3, 2], [2, 3]], { tau: 1 }).estimate, 2);
    assert.deepEqual(Object.keys(evaluateBound('nwj', rows)), ['estimate']);
  });

  test('evaluateBound rejects a non-square matrix', () => {
    assert.throws(() => evaluateBound('dv', [[1, 2, 3], [4, 5, 6]]),
      { name: 'RangeError', message: 'scores must be square: row 0 has 3 entries, expected 2' });
    assert.throws(() => evaluateBound('dv', [[1, 2], [3]]), /row 1 has 1 entries, expected 2/);
  });

  test('parseEstimator accepts every estimator and names the flag on error', () => {
    for (const e of ESTIMATORS) assert.equal(parseEstimator(e), e);
    assert.throws(() => parseEstimator('x'), (e: unknown) =>
      e instanceof UsageError &&
      e.message === `--estimator: unknown estimator 'x' (known: ${ESTIMATORS.join(', ')})`);
    assert.throws(() => evaluateBound('MINE' as EstimatorName, [[0, 0], [0, 0]]), UsageError);
  });
});

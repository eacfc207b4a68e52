/**
 * f-DIME (src/bounds/fdime.ts) and negatives by derangement (src/bounds/derangement.ts), as pure
 * functions: golden values from the formulas on small matrices, analytic gradients against
 * central finite differences (through the derangement fill too), the optimum of each training
 * objective making the estimate the log density ratio, the derangement sampler, and the names
 * (variants, labels, evaluateBound).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBound, getBound, knownEstimators } from '../src/bounds/index.js';
import { fdime, logSoftplus, dLogSoftplus } from '../src/bounds/fdime.js';
import { checkDerangement, derangedScores, drawDerangement, foldDerangedGradient } from '../src/bounds/derangement.js';
import { parseVariant, variantLabel } from '../src/variant.js';
import { estimatorLabel } from '../src/labels.js';
import { UsageError } from '../src/errors.js';
import { Rng, dataStream, derangementStream } from '../src/rng.js';
import type { BoundOptions, BoundState, EstimatorName } from '../src/types.js';
import { assertGradClose, close, finiteDiff, matrix, randomScores } from './bound-helpers.js';

const LN = Math.log;
const EXP = Math.exp;
/** Naive softplus and sigmoid: fine at the moderate values the golden cases use. */
const sp = (x: number) => LN(1 + EXP(x));

const F = ['kl', 'gan', 'hd'] as const;
const ev = (s: ArrayLike<number>, n: number, f: (typeof F)[number]) => fdime.evaluate(s, n, { fdimeF: f });

describe('f-DIME: golden values (diagonal c, off-diagonal b)', () => {
  const n = 5, c = 1.3, b = -0.4, s = matrix(n, c, b);
  test('kl: estimate log softplus(c); objective log softplus(c) − softplus(b) + 1', () => {
    const o = ev(s, n, 'kl');
    close(o.estimate, LN(sp(c)));
    close(o.objective, LN(sp(c)) - sp(b) + 1);
  });
  test('gan: estimate c (log((1 − D)/D), D = σ(−c)); objective log σ(c) + log σ(−b) + log 4', () => {
    const o = ev(s, n, 'gan');
    close(o.estimate, c);
    close(o.objective, LN(1 / (1 + EXP(-c))) + LN(1 / (1 + EXP(b))) + LN(4));
  });
  test('hd: estimate −2 log softplus(−c) (log 1/D²); objective 2 − softplus(−c) − 1/softplus(−b)', () => {
    const o = ev(s, n, 'hd');
    close(o.estimate, -2 * LN(sp(-c)));
    close(o.objective, 2 - sp(-c) - 1 / sp(-b));
  });
  test('default f is kl; unknown f is a UsageError naming fdimeF', () => {
    assert.deepEqual(fdime.evaluate(s, n).estimate, ev(s, n, 'kl').estimate);
    assert.throws(() => fdime.evaluate(s, n, { fdimeF: 'js' as never }), (e: unknown) => e instanceof UsageError && /^fdimeF: must be one of kl, gan, hd, got 'js'$/.test(e.message));
  });
  test('mixed matrix: the means run over the diagonal and the n(n − 1) off-diagonal entries', () => {
    // 3×3 by hand: diag (0.5, 1, 2), off-diagonal −1, 0, 1, 2, −2, 0.3.
    const m = Float64Array.from([0.5, -1, 0, 1, 1, 2, -2, 0.3, 2]);
    const diag = [0.5, 1, 2], off = [-1, 0, 1, 2, -2, 0.3];
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    close(ev(m, 3, 'kl').objective, mean(diag.map((v) => LN(sp(v)))) - mean(off.map(sp)) + 1);
    close(ev(m, 3, 'gan').objective, mean(diag.map((v) => -sp(-v))) - mean(off.map(sp)) + LN(4));
    close(ev(m, 3, 'hd').objective, 2 - mean(diag.map((v) => sp(-v))) - mean(off.map((v) => 1 / sp(-v))));
    close(ev(m, 3, 'hd').estimate, mean(diag.map((v) => -2 * LN(sp(-v)))));
  });
});

describe('f-DIME: the objective\'s optimum makes the estimate the log density ratio', () => {
  // A joint pair with density ratio r = p/q contributes r·φ(S) (joint term, weight p) and ψ(S)
  // (marginal term, weight q). φ, ψ come from the bound itself: the objective on matrix(S, B)
  // is φ(S) + ψ(B), on matrix(A, S) φ(A) + ψ(S). The maximiser S* must give log R(D(S*)) = log r.
  for (const f of F) {
    test(f, () => {
      const n = 4;
      const obj = (d: number, o: number) => ev(matrix(n, d, o), n, f).objective;
      for (const r of [0.2, 1, 3, 25]) {
        const g = (v: number) => r * obj(v, 0) + obj(0, v);
        // Coarse grid, then golden-section refinement around the best point.
        // KL's optimum sits at softplus(S) = r, so S ≈ 25 for r = 25.
        let best = -30;
        for (let v = -30; v <= 40; v += 0.01) if (g(v) > g(best)) best = v;
        let lo = best - 0.02, hi = best + 0.02;
        const phi = (Math.sqrt(5) - 1) / 2;
        for (let k = 0; k < 100; k++) {
          const a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
          if (g(a) > g(b)) hi = b; else lo = a;
        }
        const star = (lo + hi) / 2;
        close(ev(matrix(n, star, 0), n, f).estimate, LN(r), 1e-6, `${f}, r = ${r}:`);
      }
    });
  }
});

describe('f-DIME: gradients match central finite differences of the objective', () => {
  for (const f of F) {
    test(`${f}: random scores, several n`, () => {
      const rng = new Rng(['fdime-fd', f]);
      for (const n of [2, 3, 6]) {
        const s = randomScores(rng, n, 3);
        const o = ev(s, n, f);
        assertGradClose(o.grad, finiteDiff((t) => ev(t, n, f).objective, s), `${f} n=${n}`);
      }
    });
    test(`${f}: tails (scores −40 … 25) stay finite and match finite differences`, () => {
      const n = 3;
      // HD's marginal term is 1/softplus(−S) ≈ e^S: a large positive off-diagonal score makes the
      // objective ~e^25, whose finite differences cancel; its tails go on the diagonal instead.
      const s = f === 'hd' ? Float64Array.from([-40, -25, -35, 5, 25, -33, -20, -38, 12]) : Float64Array.from([-40, 25, -35, 5, 12, -33, 20, -38, -31]);
      const o = ev(s, n, f);
      assert.ok(Number.isFinite(o.estimate) && Number.isFinite(o.objective) && o.grad.every(Number.isFinite));
      assertGradClose(o.grad, finiteDiff((t) => ev(t, n, f).objective, s, 1e-4), `${f} tails`, 1e-6);
    });
  }
  test('log softplus and its derivative: continuous across the tail switch at −30, finite at −1e3', () => {
    for (const x of [-30 - 1e-9, -30 + 1e-9]) close(logSoftplus(x), LN(Math.log1p(EXP(x))), 1e-12);
    close(logSoftplus(-1000), -1000);
    close(dLogSoftplus(-1000), 1);
    close(dLogSoftplus(-30 - 1e-9), dLogSoftplus(-30 + 1e-9), 1e-12);
    close(dLogSoftplus(0), 0.5 / LN(2));
  });
  test('gan trains on the JS f-GAN objective of js plus log 4 (same gradient); reports mean_i S_ii', () => {
    const rng = new Rng(['fdime-gan-js']);
    const n = 5, s = randomScores(rng, n, 2);
    const g = ev(s, n, 'gan'), js = getBound('js').evaluate(s, n);
    close(g.objective, js.objective + LN(4));
    assert.deepEqual(Array.from(g.grad), Array.from(js.grad));
    let d = 0;
    for (let i = 0; i < n; i++) d += s[i * n + i];
    close(g.estimate, d / n);
  });
});

describe('f-DIME: contract', () => {
  test('registered as fdime, listed, not a lower bound, supports derangement, pure', () => {
    assert.equal(getBound('fdime'), fdime);
    assert.ok(knownEstimators().includes('fdime'));
    assert.equal(fdime.lowerBound, false);
    assert.equal(fdime.derangement, true);
    const s = randomScores(new Rng(['pure']), 4, 1);
    const copy = Float64Array.from(s);
    for (const f of F) {
      const a = ev(s, 4, f), b = ev(s, 4, f);
      assert.deepEqual(a, b);
      assert.deepEqual(s, copy);
    }
  });
  test('gradOut: written in place and returned', () => {
    const s = randomScores(new Rng(['gradout']), 4, 1);
    for (const f of F) {
      const out = new Float64Array(16);
      const o = fdime.evaluate(s, 4, { fdimeF: f }, undefined, out);
      assert.equal(o.grad, out);
      assert.deepEqual(Array.from(out), Array.from(ev(s, 4, f).grad));
    }
  });
  test('evaluateBound exposes every f', () => {
    const rows = [[1, -1, 0.5], [0, 2, -0.5], [0.3, 0.1, 1.5]];
    const flat = Float64Array.from(rows.flat());
    for (const f of F) assert.equal(evaluateBound('fdime', rows, { fdimeF: f }).estimate, ev(flat, 3, f).estimate);
  });
});

describe('derangement: sampler', () => {
  test('a permutation with no fixed point, every n from 2 to 40; deterministic per stream', () => {
    const rng = new Rng(['der-sampler']);
    for (let n = 2; n <= 40; n++) {
      for (let t = 0; t < 20; t++) {
        const p = drawDerangement(rng, n);
        checkDerangement(p, n);
      }
    }
    const a = derangementStream(3), b = derangementStream(3);
    for (let t = 0; t < 5; t++) assert.deepEqual(drawDerangement(a, 9), drawDerangement(b, 9));
    assert.throws(() => drawDerangement(rng, 1), RangeError);
  });
  test('uniform over the 9 derangements of 4 (9 000 draws, each seen 1 000 ± 15%)', () => {
    const rng = derangementStream(0);
    const counts = new Map<string, number>();
    for (let t = 0; t < 9000; t++) {
      const k = drawDerangement(rng, 4).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    assert.equal(counts.size, 9);
    for (const [k, c] of counts) assert.ok(c > 850 && c < 1150, `${k}: ${c}`);
  });
  test('its own stream: the data stream of the same seed is a different sequence', () => {
    const d = dataStream(5), g = derangementStream(5);
    const a = Array.from({ length: 4 }, () => d.nextU32()), b = Array.from({ length: 4 }, () => g.nextU32());
    assert.notDeepEqual(a, b);
  });
  test('checkDerangement rejects fixed points, repeats, wrong length', () => {
    assert.throws(() => checkDerangement([0, 2, 1], 3), RangeError);
    assert.throws(() => checkDerangement([1, 0, 0], 3), RangeError);
    assert.throws(() => checkDerangement([1, 0], 3), RangeError);
    checkDerangement([1, 2, 0], 3);
  });
});

describe('derangement: the fill S\' and the estimators it gives', () => {
  const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const sigma = Int32Array.from([2, 0, 1]);
  test('fill: S\'_ii = S_ii and every off-diagonal entry of row i is S_iσ(i)', () => {
    assert.deepEqual(Array.from(derangedScores(s, 3, sigma)), [1, 3, 3, 4, 5, 4, 8, 8, 9]);
  });
  test('fold: dS_ii = dS\'_ii, dS_iσ(i) = Σ_{j≠i} dS\'_ij, negated; zero elsewhere', () => {
    const g = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(foldDerangedGradient(g, 3, sigma)), [-1, 0, -5, -10, -5, 0, 0, -15, -9]);
  });
  const deranged = (name: EstimatorName, m: ArrayLike<number>, n: number, p: ArrayLike<number>, o?: BoundOptions, st?: BoundState) =>
    getBound(name).evaluate(derangedScores(m, n, p, new Float64Array(n * n)), n, o, st);
  test('closed forms over the n pairs (x_i, y_σ(i)): nwj, dv, tuba, smile, js, mine, mice, fdime', () => {
    const rng = new Rng(['der-closed']);
    const n = 6, m = randomScores(rng, n, 2), p = drawDerangement(rng, n);
    const joint = Array.from({ length: n }, (_, i) => m[i * n + i]);
    const neg = Array.from({ length: n }, (_, i) => m[i * n + p[i]]);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const lme = LN(mean(neg.map(EXP)));
    close(deranged('nwj', m, n, p).estimate, mean(joint) - mean(neg.map((v) => EXP(v - 1))));
    close(deranged('dv', m, n, p).estimate, mean(joint) - lme);
    close(deranged('tuba', m, n, p).estimate, 1 + mean(joint) - mean(neg.map(EXP)));
    close(deranged('smile', m, n, p, { tau: 1 }).estimate, mean(joint) - LN(mean(neg.map((v) => EXP(Math.max(-1, Math.min(1, v)))))));
    close(deranged('js', m, n, p).objective, mean(joint.map((v) => -sp(-v))) - mean(neg.map(sp)));
    close(deranged('mine', m, n, p).estimate, mean(joint) - lme);
    close(deranged('mice', m, n, p).estimate, mean(joint) - lme);
    close(deranged('fdime', m, n, p, { fdimeF: 'kl' }).objective, mean(joint.map((v) => LN(sp(v)))) - mean(neg.map(sp)) + 1);
    close(deranged('fdime', m, n, p, { fdimeF: 'hd' }).objective, 2 - mean(joint.map((v) => sp(-v))) - mean(neg.map((v) => 1 / sp(-v))));
    close(evaluateBound('dv', Array.from({ length: n }, (_, i) => Array.from(m.subarray(i * n, i * n + n))), {}, { derangement: p }).estimate, mean(joint) - lme);
  });
  test('the folded gradient is the gradient on S of the bound on S\'(S) (finite differences)', () => {
    const rng = new Rng(['der-fd']);
    const cases: [EstimatorName, BoundOptions, BoundState?][] = [
      ['nwj', {}], ['dv', {}], ['tuba', {}], ['smile', { tau: 1 }], ['js', {}], ['mine', { emaRate: 0.1 }, { ema: 1.7 }],
      ['mice', { miceBlockPartition: false }], ['fdime', { fdimeF: 'kl' }], ['fdime', { fdimeF: 'gan' }], ['fdime', { fdimeF: 'hd' }],
    ];
    for (const [name, o, st] of cases) {
      const n = 5, m = randomScores(rng, n, 1.5), p = drawDerangement(rng, n);
      const out = deranged(name, m, n, p, o, st);
      // MINE: the objective's gradient holds the moving average fixed at this step's value.
      const objective = name === 'mine'
        ? (t: Float64Array) => { const e = out.state!.ema; const sd = derangedScores(t, n, p, new Float64Array(n * n)); let d = 0; let z = 0; for (let i = 0; i < n; i++) d += sd[i * n + i]; for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += EXP(sd[i * n + j]); z /= n * (n - 1); return d / n - (LN(e) + z / e - 1); }
        : (t: Float64Array) => deranged(name, t, n, p, o, st).objective;
      const dLoss = foldDerangedGradient(out.grad, n, p);
      const grad = Float64Array.from(dLoss, (v) => -v);
      const fd = finiteDiff(objective, m);
      // Zero exactly where S does not reach the bound; float32 rounding of dLoss elsewhere.
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i && j !== p[i]) assert.ok(grad[i * n + j] === 0);
      assertGradClose(grad, fd, `${name}${o.fdimeF ? `:${o.fdimeF}` : ''}`, 2e-6);
    }
  });
  test('row-normalised bounds refuse derangement with one line; evaluateBound too', () => {
    const rows = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    for (const name of ['infonce', 'alpha-infonce', 'flatnce']) {
      assert.equal(getBound(name).derangement, undefined);
      assert.throws(() => evaluateBound(name, rows, {}, { derangement: [1, 2, 0] }),
        (e: unknown) => e instanceof UsageError && !e.message.includes('\n') && e.message.includes(`'${name}'`) && /every y_j/.test(e.message));
    }
    for (const name of ['nwj', 'dv', 'mine', 'smile', 'js', 'tuba', 'mice', 'fdime']) assert.equal(getBound(name).derangement, true, name);
  });
});

describe('names: variants and labels', () => {
  test('fdime defaults to f=kl and negatives by derangement; neg=all gives all pairs', () => {
    assert.deepEqual(parseVariant('fdime'), { estimator: 'fdime', boundOptions: { fdimeF: 'kl' }, spectralNorm: false, negatives: 'derangement' });
    assert.deepEqual(parseVariant('fdime:f=hd:neg=all'), { estimator: 'fdime', boundOptions: { fdimeF: 'hd' }, spectralNorm: false });
    assert.deepEqual(parseVariant('nwj:neg=derangement'), { estimator: 'nwj', boundOptions: {}, spectralNorm: false, negatives: 'derangement' });
    assert.deepEqual(parseVariant('nwj:neg=all'), parseVariant('nwj'));
    assert.equal('negatives' in parseVariant('smile:tau=1'), false);
  });
  test('canonical labels round-trip', () => {
    const cases: [string, string][] = [
      ['fdime', 'fdime:f=kl'], ['fdime:f=gan', 'fdime:f=gan'], ['fdime:f=hd:neg=all', 'fdime:f=hd:neg=all'],
      ['nwj:neg=derangement', 'nwj:neg=derangement'], ['mice:neg=derangement:block=off', 'mice:block=off:neg=derangement'],
      ['smile:tau=1:neg=derangement', 'smile:tau=1:neg=derangement'], ['dv', 'dv'],
    ];
    for (const [raw, label] of cases) {
      const v = parseVariant(raw);
      assert.equal(variantLabel(v), label, raw);
      assert.deepEqual(parseVariant(variantLabel(v)), v, raw);
    }
  });
  test('display labels', () => {
    assert.equal(estimatorLabel({ ...parseVariant('fdime') }), 'fdime(f=kl)');
    assert.equal(estimatorLabel({ ...parseVariant('fdime:f=gan:neg=all') }), 'fdime(f=gan, all-pairs)');
    assert.equal(estimatorLabel({ ...parseVariant('nwj:neg=derangement') }), 'nwj(deranged)');
    assert.equal(estimatorLabel({ ...parseVariant('smile:tau=1') }), 'smile(τ=1)');
  });
  test('bad variants: one line naming the variant', () => {
    const bad: [string, RegExp][] = [
      ['fdime:f=js', /^'fdime:f=js': f must be kl, gan, hd, got 'js'$/],
      ['nwj:neg=some', /^'nwj:neg=some': neg must be all or derangement, got 'some'$/],
      ['infonce:neg=derangement', /^'infonce:neg=derangement': estimator 'infonce' cannot use it: .*; use neg=all$/],
      ['flatnce:neg=derangement', /cannot use it/],
      ['alpha-infonce:neg=derangement', /cannot use it/],
      ['nwj:f=kl', /unknown option 'f=kl' for nwj/],
    ];
    for (const [raw, re] of bad) assert.throws(() => parseVariant(raw), (e: unknown) => e instanceof UsageError && re.test(e.message), raw);
    assert.doesNotThrow(() => parseVariant('infonce:neg=all'));
  });
});

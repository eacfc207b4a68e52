/**
 * H(Y) of the staircase tasks (TaskDefinition.entropyY), which the Barber–Agakov bound needs:
 * the closed forms against numerical quadrature, and against an m-spacing (Vasicek) estimate of
 * each coordinate's entropy on samples drawn by the task's own sampler; and the one-line refusals
 * where H(Y) is unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianEntropyY } from '../src/tasks/gaussian.js';
import { cubicEntropyY } from '../src/tasks/cubic.js';
import { taskEntropyY } from '../src/tasks/entropy.js';
import { getTask, paperTask } from '../src/tasks/registry.js';
import { UsageError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const phi = (y: number) => Math.exp(-0.5 * y * y) / Math.sqrt(2 * Math.PI);

/** ∫ f over (−L, L) by the midpoint rule (f may be singular at 0: no node falls on it). */
function integrate(f: (y: number) => number, L = 12, steps = 2_000_000): number {
  const h = (2 * L) / steps;
  let s = 0;
  for (let k = 0; k < steps; k++) s += f(-L + (k + 0.5) * h);
  return s * h;
}

test('E[log |Y|] = −(γ + log 2)/2 for Y ~ N(0, 1), and H(Y³) per coordinate by quadrature', () => {
  const eLog = integrate((y) => phi(y) * Math.log(Math.abs(y)));
  assert.ok(Math.abs(eLog - -(0.5772156649015329 + Math.LN2) / 2) < 1e-4, `E log|Y| = ${eLog}`);
  // H(Z), Z = Y³: −∫ p_Z log p_Z dz with p_Z(y³)·3y² = φ(y), i.e. −∫ φ(y) log(φ(y)/(3y²)) dy.
  const hz = integrate((y) => -phi(y) * Math.log(phi(y) / (3 * y * y)));
  assert.ok(Math.abs(hz - cubicEntropyY(1)) < 1e-4, `H(Y³) = ${hz}, closed form ${cubicEntropyY(1)}`);
  const hy = integrate((y) => -phi(y) * Math.log(phi(y)));
  assert.ok(Math.abs(hy - gaussianEntropyY(1)) < 1e-8);
  assert.equal(cubicEntropyY(20), 20 * cubicEntropyY(1));
});

/** Vasicek's m-spacing entropy estimate of a 1-D sample. */
function vasicek(v: Float64Array): number {
  const x = Float64Array.from(v).sort();
  const n = x.length, m = Math.round(Math.sqrt(n));
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log((n / (2 * m)) * (x[Math.min(n - 1, i + m)] - x[Math.max(0, i - m)]));
  return s / n;
}

test('the samplers\' y has the stated entropy (m-spacing estimate, every coordinate, two MI levels, ρ_batch 0.3)', () => {
  for (const name of ['gaussian', 'cubic'] as const) {
    const d = 3, task = paperTask(name, d), n = 40_000;
    for (const mi of [0.5, 4]) {
      const rng = new Rng(['entropy', name, mi]);
      const { y } = task.sample(n, rng, { mi, batchRho: 0.3 });
      let h = 0;
      for (let k = 0; k < d; k++) h += vasicek(Float64Array.from({ length: n }, (_, i) => y[i * d + k]));
      // The m-spacing estimator's bias and spread at n = 40 000 are about 0.01 nats per coordinate.
      assert.ok(Math.abs(h - task.entropyY!) < 0.03 * d, `${name} MI=${mi}: m-spacing ${h}, stated ${task.entropyY}`);
    }
  }
});

test('taskEntropyY: the staircases at the cell\'s d; a one-line UsageError where it is unknown or under the finite-sample protocol', () => {
  assert.equal(taskEntropyY({ task: 'gaussian', dim: 7 }), gaussianEntropyY(7));
  assert.equal(taskEntropyY({ task: 'cubic', dim: 4 }), cubicEntropyY(4));
  assert.ok(getTask('bmi:binormal'), 'the BMI suite is registered');
  assert.throws(() => taskEntropyY({ task: 'bmi:binormal', dim: 2 }),
    (e: unknown) => e instanceof UsageError && e.message === "ba: task 'bmi:binormal' does not state the entropy H(Y) of its y (TaskDefinition.entropyY), which Barber–Agakov needs");
  assert.throws(() => taskEntropyY({ task: 'gaussian', dim: 2, finiteSample: { size: 100, testShare: 0.5, evalEvery: 10 } }),
    (e: unknown) => e instanceof UsageError && /^ba: the finite-sample protocol/.test(e.message) && !e.message.includes('\n'));
});

test("H(Y) of f-DIME's staircases: asinh and half-cube against quadrature, Student-t against a Monte Carlo mean of its exact −log p(y); every level the same", async () => {
  const { asinhEntropyY, halfCubeEntropyY, studentStaircaseEntropyY } = await import('../src/tasks/fieldEntropy.js');
  const { builtinStaircase } = await import('../src/tasks/registry.js');
  const { gammaln } = await import('../src/tasks/bmi/special.js');
  // H(f(G)) = −∫ φ(g) log(φ(g) / |f'(g)|) dg for an invertible f.
  const hAsinh = integrate((g) => -phi(g) * Math.log(phi(g) * Math.sqrt(1 + g * g)));
  assert.ok(Math.abs(hAsinh - asinhEntropyY(1)) < 1e-6, `asinh: quadrature ${hAsinh}, stated ${asinhEntropyY(1)}`);
  const hHalf = integrate((g) => -phi(g) * Math.log(phi(g) / (1.5 * Math.sqrt(Math.abs(g)))));
  assert.ok(Math.abs(hHalf - halfCubeEntropyY(1)) < 1e-4, `half-cube: quadrature ${hHalf}, stated ${halfCubeEntropyY(1)}`);
  assert.ok(Math.abs(asinhEntropyY(20) - 20 * asinhEntropyY(1)) < 1e-9);
  // Student-t, d = 5: y is a standard t_3 in R^5 at every level; −log p(y) averaged over the sampler's draws.
  const d = 5, nu = 3, n = 40_000;
  const logC = gammaln((nu + d) / 2) - gammaln(nu / 2) - (d / 2) * Math.log(nu * Math.PI);
  for (const mi of [2, 6]) {
    const task = builtinStaircase('student-t', d);
    assert.equal(task.entropyY, studentStaircaseEntropyY(d));
    const { y } = task.sample(n, new Rng(['entropy-t', mi]), { mi, batchRho: 0 });
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let k = 0; k < d; k++) q += y[i * d + k] ** 2;
      v[i] = -(logC - ((nu + d) / 2) * Math.log1p(q / nu));
    }
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
    assert.ok(Math.abs(mean - task.entropyY!) < 4 * se, `student-t MI=${mi}: Monte Carlo ${mean} ± ${se}, stated ${task.entropyY}`);
  }
  // The samplers' own draws (m-spacing, every coordinate) for the two transforms.
  for (const name of ['asinh', 'half-cube'] as const) {
    const task = builtinStaircase(name, 3);
    const { y } = task.sample(40_000, new Rng(['entropy', name]), { mi: 4, batchRho: 0 });
    let h = 0;
    for (let k = 0; k < 3; k++) h += vasicek(Float64Array.from({ length: 40_000 }, (_, i) => y[i * 3 + k]));
    assert.ok(Math.abs(h - task.entropyY!) < 0.09, `${name}: m-spacing ${h}, stated ${task.entropyY}`);
  }
  assert.equal(taskEntropyY({ task: 'asinh', dim: 7 }), asinhEntropyY(7));
  assert.equal(taskEntropyY({ task: 'student-t', dim: 20 }), studentStaircaseEntropyY(20));
});

test('H(Y) of the mixtures (one-dimensional y): quadrature against a Monte Carlo mean of the exact −log p(y) and an m-spacing estimate on the sampler', async () => {
  const { mixtureSuite } = await import('../src/tasks/mixtures/suite.js');
  for (const t of mixtureSuite()) {
    assert.equal(t.dimY, 1);
    const h = t.entropyY!;
    assert.ok(Number.isFinite(h), t.id);
    const n = 40_000;
    const { y } = t.sample(n, new Rng(['entropy-mix', t.id]));
    const v = Float64Array.from(y, (yi) => -t.spec.mixture.logY([yi]));
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const se = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
    assert.ok(Math.abs(mean - h) < 4 * se + 1e-6, `${t.id}: Monte Carlo ${mean} ± ${se}, quadrature ${h}`);
    // The concentric tasks' y is five spikes (σ = 0.01) a unit apart: m-spacing windows straddle
    // the gaps between them and overestimate by ~0.2 nats, so only the exact-density check applies.
    if (!t.id.startsWith('mix:concentric')) assert.ok(Math.abs(vasicek(Float64Array.from(y)) - h) < 0.05, `${t.id}: m-spacing ${vasicek(Float64Array.from(y))}, quadrature ${h}`);
    assert.equal(taskEntropyY({ task: t.id, dim: 20 }), h);
  }
});

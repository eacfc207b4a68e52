/**
 * The field's staircases (src/tasks/fieldStaircases.ts; f-DIME's asinh, half-cube, Student-t):
 * the samplers against their marginals and the correlation each level sets, the true MI per level
 * (by invariance, or the Student-t closed form checked against scipy's values and against an
 * independent Monte Carlo mean of the Student-t's exact PMI), ρ_batch where it is defined and a
 * one-line refusal where it is not, determinism per seed, the plugin checks, and the CLI
 * (`harness tasks --json`, `sample`, `run`, `sweep`).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataStream, Rng } from '../src/rng.js';
import { sampleBatch, rhoForMi } from '../src/tasks/index.js';
import { drawBatch, fixedSample } from '../src/tasks/draw.js';
import { FIELD_STAIRCASE_DEFS, fieldStaircaseTask } from '../src/tasks/fieldStaircases.js';
import { builtinStaircase, getTask, isBuiltinStaircase, listTasks } from '../src/tasks/registry.js';
import {
  sampleStudentStaircase, studentLevelProblem, studentRhoForMi, studentStaircaseFloor, studentStaircaseMi, STUDENT_T_DF,
} from '../src/tasks/studentT.js';
import { gammaln } from '../src/tasks/bmi/special.js';
import { normalCdf } from '../src/tasks/bmi/special.js';
import { checkTask } from '../src/plugins/check.js';
import { UsageError } from '../src/errors.js';
import { buildCellSpec, validateCellSpec } from '../harness/spec.js';
import { FIELD_STAIRCASES } from '../src/types.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mean = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s / a.length; };
function corr(a: number[], b: number[]): number {
  const ma = mean(a), mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}
/** Kolmogorov–Smirnov distance of a sample from a continuous CDF. */
function ks(values: number[], cdf: (t: number) => number): number {
  const v = [...values].sort((p, q) => p - q);
  const n = v.length;
  let d = 0;
  v.forEach((t, i) => { const f = cdf(t); d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f)); });
  return d;
}
/** KS critical value at α = 0.001 (asymptotic): 1.949/√n. */
const ksCritical = (n: number) => 1.949 / Math.sqrt(n);

/** Many batches from a staircase at one level, as a cell draws them (drawBatch on the seed's stream). */
function draws(task: string, dim: number, mi: number, batches: number, n = 64, batchRho: number | 'random' = 0) {
  const spec = buildCellSpec({ estimator: 'nwj', task, dim, mi: [mi], batchRho });
  const rng = dataStream(11);
  const xs: Float32Array[] = [], ys: Float32Array[] = [];
  for (let b = 0; b < batches; b++) { const r = drawBatch(spec, rng, n, mi); xs.push(r.x); ys.push(r.y); }
  return { xs, ys };
}

describe('asinh and half-cube: the Gaussian task, transformed on both sides', () => {
  const inverses: Record<'asinh' | 'half-cube', (t: number) => number> = {
    asinh: Math.sinh,
    'half-cube': (t) => Math.sign(t) * Math.abs(t) ** (2 / 3),
  };
  for (const id of ['asinh', 'half-cube'] as const) {
    test(`${id}: every coordinate of x and y is the map of the Gaussian task's sample at the same seed, for every ρ_batch`, () => {
      const f = id === 'asinh' ? Math.asinh : (t: number) => t * Math.sqrt(Math.abs(t));
      for (const rb of [0, 0.3, 'random'] as const) {
        const g = sampleBatch('gaussian', dataStream(4), 32, 5, 6, rb);
        const t = FIELD_STAIRCASE_DEFS[id].sample(dataStream(4), 32, 5, 6, rb);
        for (let i = 0; i < g.x.length; i++) {
          assert.equal(t.x[i], Math.fround(f(g.x[i])), `${id} x[${i}] ρb=${rb}`);
          assert.equal(t.y[i], Math.fround(f(g.y[i])), `${id} y[${i}] ρb=${rb}`);
        }
      }
    });

    test(`${id}: inverted, the pairs have the Gaussian correlation ρ(I) of the level; the x marginal passes a KS test`, () => {
      const d = 4, mi = 4;
      const { xs, ys } = draws(id, d, mi, 100);
      const a: number[] = [], b: number[] = [], xRaw: number[] = [];
      for (let k = 0; k < xs.length; k++) for (let i = 0; i < xs[k].length; i++) {
        a.push(inverses[id](xs[k][i])); b.push(inverses[id](ys[k][i])); xRaw.push(xs[k][i]);
      }
      const rho = rhoForMi(mi, d);
      // 25 600 pairs: SE of r ≈ (1 − ρ²)/√N ≈ 0.0024 at ρ = 0.80; allow 5 SE.
      assert.ok(Math.abs(corr(a, b) - rho) < 0.012, `r=${corr(a, b)} ρ=${rho}`);
      assert.ok(Math.abs(mean(a)) < 0.03, `mean of the inverted x ${mean(a)}`);
      // The marginal CDF of the transformed coordinate: F(t) = Φ(f⁻¹(t)).
      const sub = xRaw.filter((_, i) => i % d === 0);
      const D = ks(sub, (t) => normalCdf(inverses[id](t)));
      assert.ok(D < ksCritical(sub.length), `KS D=${D} (n=${sub.length})`);
      // ...and the untransformed Gaussian CDF is rejected for half-cube (the test can fail).
      if (id === 'half-cube') assert.ok(ks(sub, normalCdf) > ksCritical(sub.length));
    });

    test(`${id}: ρ_batch carries over: consecutive inverted rows correlate with ρ_batch`, () => {
      const { xs } = draws(id, 3, 2, 60, 64, 0.3);
      const a: number[] = [], b: number[] = [];
      for (const x of xs) for (let i = 1; i < 64; i++) for (let k = 0; k < 3; k++) { a.push(inverses[id](x[(i - 1) * 3 + k])); b.push(inverses[id](x[i * 3 + k])); }
      assert.ok(Math.abs(corr(a, b) - 0.3) < 0.03, `lag-1 r=${corr(a, b)}`);
    });
  }
});

describe('student-t: the closed-form MI and the sampler', () => {
  test('c(ν, d) is the f-DIME code\'s compute_MI_given_df_stud (scipy digamma/gammaln values) and not the Gaussian MI', () => {
    // From scipy.special: 2h(d) − h(2d) with h(k) = −gammaln((ν+k)/2) + gammaln(ν/2) + (k/2)log(νπ) + ((ν+k)/2)(ψ((ν+k)/2) − ψ(ν/2)).
    const scipy: [number, number][] = [[1, 0.04241141065056997], [5, 0.29854362265275824], [20, 0.7926447142412485]];
    for (const [d, want] of scipy) assert.ok(Math.abs(studentStaircaseFloor(d) - want) < 1e-12, `d=${d}: ${studentStaircaseFloor(d)}`);
    assert.ok(Math.abs(studentStaircaseFloor(5, 2) - 0.44815067691532917) < 1e-12);
    assert.ok(Math.abs(studentStaircaseFloor(5, 1) - 0.801333255825412) < 1e-12);
    assert.equal(STUDENT_T_DF, 3);
    // The level's ρ is smaller than the Gaussian task's: the shared scale carries c(3, d) nats.
    for (const d of [5, 20]) for (const mi of [2, 4, 6, 8, 10]) {
      const rho = studentRhoForMi(mi, d);
      assert.ok(rho < rhoForMi(mi, d), `d=${d} I=${mi}`);
      assert.ok(Math.abs(studentStaircaseMi(rho, d) - mi) < 1e-9, `round trip d=${d} I=${mi}`);
    }
  });

  test('reachable levels: I ≥ c(3, d); every paper level for d ≤ 260; below the floor a one-line UsageError', () => {
    assert.equal(studentLevelProblem(2, 260), null);
    assert.match(studentLevelProblem(2, 261)!, /cannot reach MI 2 nats at d = 261: its lowest level there is c\(ν = 3, d = 261\) = 2\.0013 nats/);
    assert.equal(studentLevelProblem(studentStaircaseFloor(20), 20), null);
    assert.equal(studentRhoForMi(studentStaircaseFloor(20), 20), 0);
    assert.throws(() => studentRhoForMi(0.5, 20), (e: Error) => e instanceof UsageError && !e.message.includes('\n'));
    assert.throws(() => sampleStudentStaircase(dataStream(0), 4, 20, 0.5), UsageError);
  });

  test('the Monte Carlo mean of the exact multivariate-t PMI over the sampler\'s draws agrees with the closed form', () => {
    // Independent of the closed form: log densities of t_ν(0, Ω) in 2d and t_ν(0, I) in d dimensions.
    const nu = STUDENT_T_DF;
    const logT = (k: number, q: number, logDet: number) =>
      gammaln((nu + k) / 2) - gammaln(nu / 2) - (k / 2) * Math.log(nu * Math.PI) - 0.5 * logDet - ((nu + k) / 2) * Math.log1p(q / nu);
    for (const [d, mi] of [[3, 2], [5, 6], [20, 4]] as const) {
      const rho = studentRhoForMi(mi, d);
      const s = sampleStudentStaircase(dataStream(21), 20000, d, mi);
      const pmi: number[] = [];
      for (let i = 0; i < 20000; i++) {
        let qx = 0, qy = 0, qxy = 0;
        for (let k = 0; k < d; k++) {
          const x = s.x[i * d + k], y = s.y[i * d + k];
          qx += x * x; qy += y * y; qxy += (x * x - 2 * rho * x * y + y * y) / (1 - rho * rho);
        }
        pmi.push(logT(2 * d, qxy, d * Math.log(1 - rho * rho)) - logT(d, qx, 0) - logT(d, qy, 0));
      }
      const m = mean(pmi);
      const se = Math.sqrt(pmi.reduce((a, v) => a + (v - m) ** 2, 0) / (pmi.length - 1) / pmi.length);
      // float32 samples move each PMI by ~1e-6 relative: far below 4 SE.
      assert.ok(Math.abs(m - mi) < 4 * se, `d=${d}: MC ${m} ± ${se} vs closed form ${mi}`);
      // The Gaussian reading of ρ would be wrong by c(3, d), many SE away.
      assert.ok(Math.abs(m - (mi - studentStaircaseFloor(d))) > 8 * se);
    }
  });

  test('x\'s marginal is t₃ (KS); the dispersion correlation ρ(I) shows in Kendall\'s τ = (2/π) arcsin ρ', () => {
    const d = 2, mi = 3, n = 3000;
    const s = sampleStudentStaircase(dataStream(8), n, d, mi);
    // t₃ CDF, closed form: ½ + (1/π)[t/(√3(1 + t²/3)) + atan(t/√3)].
    const t3 = (t: number) => 0.5 + (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;
    const x0 = Array.from({ length: n }, (_, i) => s.x[i * d]);
    assert.ok(ks(x0, t3) < ksCritical(n), `KS vs t3 ${ks(x0, t3)}`);
    assert.ok(ks(x0, normalCdf) > ksCritical(n), 'the normal CDF is rejected');
    let conc = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      conc += Math.sign((s.x[i * d] - s.x[j * d]) * (s.y[i * d] - s.y[j * d]));
    }
    const tau = conc / ((n * (n - 1)) / 2);
    const want = (2 / Math.PI) * Math.asin(studentRhoForMi(mi, d));
    // SE of τ at n = 3 000 is below 0.012; allow 0.04.
    assert.ok(Math.abs(tau - want) < 0.04, `τ=${tau} want ${want}`);
  });

  test('ρ_batch is refused on one line: sampler, cell validation, and the CLI', () => {
    assert.throws(() => FIELD_STAIRCASE_DEFS['student-t'].sample(dataStream(0), 4, 3, 2, 0.2), UsageError);
    assert.throws(() => validateCellSpec(buildCellSpec({ estimator: 'nwj', task: 'student-t', batchRho: 'random' })), /batchRho: .*task 'student-t' needs 0/);
    assert.throws(() => validateCellSpec(buildCellSpec({ estimator: 'nwj', task: 'student-t', mi: [0.5, 2] })), /mi\[0\]: task 'student-t' cannot reach MI 0\.5 nats at d = 20/);
    validateCellSpec(buildCellSpec({ estimator: 'nwj', task: 'asinh', batchRho: 'random' }));
    validateCellSpec(buildCellSpec({ estimator: 'nwj', task: 'half-cube', batchRho: 0.5, dim: 7 }));
  });
});

describe('every field staircase', () => {
  test('registered after the paper\'s two, dimension = the cell\'s dim, deterministic per seed', () => {
    assert.deepEqual(listTasks().slice(0, 5).map((t) => t.task.id), ['gaussian', 'cubic', ...FIELD_STAIRCASES]);
    for (const id of FIELD_STAIRCASES) {
      assert.ok(isBuiltinStaircase(id));
      const r = getTask(id)!;
      assert.equal(r.source, 'field');
      assert.equal(r.task.trueMi, undefined);
      assert.equal(builtinStaircase(id, 7).dimX, 7);
      const spec = buildCellSpec({ estimator: 'nwj', task: id, dim: 6 });
      const a = drawBatch(spec, dataStream(3), 16, 4), b = drawBatch(spec, dataStream(3), 16, 4), c = drawBatch(spec, dataStream(4), 16, 4);
      assert.equal(a.x.length, 16 * 6);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a.x, c.x);
      // The TaskDefinition (harness sample, plugin checks) draws exactly what a cell draws.
      const t = fieldStaircaseTask(id, 6).sample(16, dataStream(3), { mi: 4, batchRho: 0 });
      assert.deepEqual([t.x, t.y], [a.x, a.y]);
      // The finite-sample protocol's fixed sample takes the cell's dim.
      assert.equal(fixedSample(id, new Rng(['fs', id]), 50, 4, 3).dimX, 3);
    }
  });

  test('the plugin checks (harness check-plugin) pass for each', () => {
    for (const id of FIELD_STAIRCASES) for (const r of checkTask(getTask(id)!.task)) assert.ok(r.ok, `${id}: ${r.check} — ${r.detail}`);
  });
});

describe('CLI', () => {
  test('harness tasks --json lists the true MI per level and the ρ each level sets', () => {
    const r = harness(['tasks', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { id: string; dimX: unknown; trueMi: number[]; source: string; trueMiMethod?: string; levels?: { mi: number; rho: number }[] }[];
    for (const id of FIELD_STAIRCASES) {
      const row = rows.find((t) => t.id === id)!;
      assert.deepEqual([row.dimX, row.trueMi, row.source], ['d', [2, 4, 6, 8, 10], 'field']);
      assert.ok(row.trueMiMethod && row.trueMiMethod.length > 10);
      assert.deepEqual(row.levels!.map((l) => l.mi), [2, 4, 6, 8, 10]);
      for (const l of row.levels!) assert.equal(l.rho, id === 'student-t' ? studentRhoForMi(l.mi, 20) : rhoForMi(l.mi, 20));
    }
    // The paper's rows are as before: no field-only keys.
    assert.deepEqual(Object.keys(rows.find((t) => t.id === 'gaussian')!).sort(), ['description', 'dimX', 'dimY', 'family', 'id', 'source', 'trueMi']);
  });

  test('sample, run and sweep take the new staircases; an unreachable level or a ρ_batch is one line, exit 2', () => {
    const s = harness(['sample', '--task', 'half-cube', '--mi', '2', '--dim', '3', '--n', '4', '--seed', '5', '--format', 'json']);
    assert.equal(s.code, 0, s.stderr);
    const want = FIELD_STAIRCASE_DEFS['half-cube'].sample(dataStream(5), 4, 3, 2, 0);
    assert.deepEqual(JSON.parse(s.stdout).x[1], Array.from(want.x.subarray(3, 6)));
    const run = harness(['run', '--estimator', 'nwj', '--task', 'student-t', '--dim', '3', '--mi', '2,4', '--steps-per-level', '4', '--batch-size', '8', '--hidden', '8', '--embed', '4', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).levels.map((l: { trueMi: number }) => l.trueMi), [2, 4]);
    const dir = mkdtempSync(join(tmpdir(), 'mi-field-'));
    const sw = harness(['sweep', '--preset', 'smoke', '--tasks', 'asinh,student-t', '--estimators', 'nwj', '--seeds', '1', '--steps-per-level', '4', '--workers', '1', '--no-gpu', '--out', join(dir, 'store'), '--json']);
    assert.equal(sw.code, 0, sw.stderr);
    assert.equal(sw.stdout.split('\n').filter((l) => l.includes('"type":"done"')).length, 2);
    for (const [args, pattern] of [
      [['run', '--estimator', 'nwj', '--task', 'student-t', '--mi', '0.5'], /^harness: --mi: task 'student-t' cannot reach MI 0\.5 nats at d = 20/],
      [['run', '--estimator', 'nwj', '--task', 'student-t', '--batch-rho', 'random'], /^harness: --batch-rho: .*task 'student-t' needs 0/],
      [['sample', '--task', 'student-t', '--mi', '2', '--dim', '300', '--n', '2'], /^harness: task 'student-t' cannot reach MI 2 nats at d = 300/],
      [['sweep', '--preset', 'smoke', '--tasks', 'student-t', '--batch-rho', '0.1', '--out', join(dir, 'bad'), '--dry-run'], /^harness: batchRho: .*'student-t' needs 0/],
    ] as [string[], RegExp][]) {
      const r = harness(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});

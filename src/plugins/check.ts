/**
 * `harness check-plugin`: the checks a plugin's bounds and tasks must pass, run in-process.
 *
 * Bounds: the checks every built-in bound passes (test/bounds.test.ts holds their closed forms;
 * test/plugins.test.ts runs this checker on every built-in and expects all to pass):
 *  - shape: { estimate, objective, grad } with finite numbers and grad of length n² (n = 2, 3, 7);
 *  - pure: the same input gives the same output and neither the scores nor the state change;
 *  - gradient: grad equals central finite differences of the objective (step 1e-5, relative
 *    tolerance 1e-6 — the built-ins agree to about 1e-9 on these scores). Skipped for a bound
 *    that carries state (MINE): its gradient holds this step's state update fixed, which finite
 *    differences through evaluate() cannot; test/bounds.test.ts checks MINE's with the state held;
 *  - no information, no MI: with every score equal the estimate is at most 0.
 * Tasks:
 *  - shape: sample(n) gives x of n·dimX and y of n·dimY finite numbers (n = 1, 7, 64);
 *  - deterministic: the same stream gives the same sample; another stream another one;
 *  - own stream only: sampling never calls Math.random;
 *  - true MI: a finite number >= 0 (or absent: a staircase task, sampled at MI 1 and 2).
 */
import type { BoundDefinition, BoundOptions, BoundOutput, BoundState, TaskDefinition } from '../types.js';
import { Rng } from '../rng.js';

export interface CheckResult {
  subject: string;
  check: string;
  ok: boolean;
  /** Not applicable to this bound (counts as passed, reported as such). */
  skipped?: boolean;
  detail?: string;
}

const SIZES = [2, 3, 7];

function randomScores(rng: Rng, n: number, scale: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let k = 0; k < s.length; k++) s[k] = rng.range(-scale, scale);
  for (let i = 0; i < n; i++) s[i * n + i] += scale / 2;
  return s;
}

function attempt<T>(f: () => T): { value?: T; error?: string } {
  try { return { value: f() }; } catch (err) { return { error: err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err) }; }
}

function shapeProblem(o: unknown, n: number): string | null {
  if (typeof o !== 'object' || o === null) return 'evaluate returned no object';
  const r = o as BoundOutput;
  if (typeof r.estimate !== 'number') return 'estimate is not a number';
  if (typeof r.objective !== 'number') return 'objective is not a number';
  if (!r.grad || typeof (r.grad as ArrayLike<number>).length !== 'number') return 'grad is not an array';
  if (r.grad.length !== n * n) return `grad has ${r.grad.length} entries, expected n² = ${n * n}`;
  return null;
}

export function checkBound(bound: BoundDefinition, options: BoundOptions = {}): CheckResult[] {
  const subject = `bound ${bound.name}`;
  const out: CheckResult[] = [];
  const rng = new Rng(['check-plugin', bound.name]);
  const cases = SIZES.flatMap((n) => [0, 1, 2].map(() => ({ n, s: randomScores(rng, n, 2) })));
  // A stateful bound (like MINE) gets the state its first call returns.
  let state: BoundState | undefined;
  {
    const first = attempt(() => bound.evaluate(cases[0].s, cases[0].n, options));
    if (first.error) {
      out.push({ subject, check: 'shape: returns { estimate, objective, grad }', ok: false, detail: `evaluate threw ${first.error}` });
      return out;
    }
    state = (first.value as BoundOutput | undefined)?.state;
  }
  const ev = (s: ArrayLike<number>, n: number) => bound.evaluate(s, n, options, state);

  let problem: string | null = null;
  for (const { n, s } of cases) {
    const r = attempt(() => ev(s, n));
    problem = r.error ? `evaluate threw ${r.error} (n = ${n})` : shapeProblem(r.value, n);
    if (!problem) {
      const o = r.value!;
      if (!Number.isFinite(o.estimate) || !Number.isFinite(o.objective) || !Array.from(o.grad).every(Number.isFinite)) problem = `non-finite output for scores in [−2, 3] (n = ${n})`;
    }
    if (problem) { problem += problem.includes('n =') ? '' : ` (n = ${n})`; break; }
  }
  out.push({ subject, check: 'shape: { estimate, objective, grad } finite, grad of length n²', ok: !problem, ...(problem ? { detail: problem } : {}) });
  if (problem) return out;

  {
    const { n, s } = cases[4];
    const copy = Float64Array.from(s);
    const stateCopy = state ? JSON.stringify(state) : undefined;
    const a = ev(s, n), b = ev(s, n);
    const same = a.estimate === b.estimate && a.objective === b.objective && Array.from(a.grad).every((g, k) => Object.is(g, b.grad[k]));
    const untouched = s.every((v, k) => v === copy[k]) && (state ? JSON.stringify(state) === stateCopy : true);
    out.push({ subject, check: 'pure: same input, same output; scores and state not mutated', ok: same && untouched, ...(same && untouched ? {} : { detail: !same ? 'two calls on the same scores differ' : 'evaluate modified its scores or state' }) });
  }

  if (state !== undefined) {
    out.push({ subject, check: 'gradient: grad = central finite differences of the objective', ok: true, skipped: true, detail: 'not checked: a stateful bound\'s gradient holds its state update fixed' });
  } else {
    let worst = 0, where = '';
    for (const { n, s } of cases) {
      const { grad } = ev(s, n);
      const t = Float64Array.from(s);
      for (let k = 0; k < s.length; k++) {
        const h = 1e-5;
        t[k] = s[k] + h; const up = ev(t, n).objective;
        t[k] = s[k] - h; const down = ev(t, n).objective;
        t[k] = s[k];
        const fd = (up - down) / (2 * h);
        const err = Math.abs(grad[k] - fd) / Math.max(1, Math.abs(fd));
        if (!(err <= worst)) { worst = err; where = `n = ${n}, entry (${Math.floor(k / n)}, ${k % n}): grad ${grad[k].toPrecision(6)}, finite difference ${fd.toPrecision(6)}`; }
      }
    }
    const ok = worst <= 1e-6;
    out.push({ subject, check: 'gradient: grad = central finite differences of the objective (rel. tol. 1e-6)', ok, detail: ok ? `worst relative error ${worst.toExponential(1)}` : where });
  }

  {
    let worst = -Infinity, at = '';
    for (const n of SIZES) for (const c of [-2, 0, 0.7, 3]) {
      const e = ev(new Float64Array(n * n).fill(c), n).estimate;
      if (!(e <= worst)) { worst = e; at = `n = ${n}, every score ${c}: estimate ${e}`; }
    }
    const ok = worst <= 1e-9;
    out.push({ subject, check: 'no information: every score equal gives an estimate <= 0', ok, ...(ok ? {} : { detail: at }) });
  }
  return out;
}

export function checkTask(task: TaskDefinition): CheckResult[] {
  const subject = `task ${task.id}`;
  const out: CheckResult[] = [];
  const staircase = task.trueMi === undefined;
  const levels = staircase ? [1, 2] : [task.trueMi!];
  const draw = (key: number, n: number, mi: number) => task.sample(n, new Rng(['check-plugin', task.id, key]), { mi, batchRho: 0 });

  let problem: string | null = null;
  for (const mi of levels) for (const n of [1, 7, 64]) {
    if (problem) break;
    const r = attempt(() => draw(1, n, mi));
    if (r.error) { problem = `sample(${n}) threw ${r.error}`; break; }
    const s = r.value as { x?: ArrayLike<number>; y?: ArrayLike<number> } | undefined;
    if (!s || typeof s !== 'object' || !s.x || !s.y) problem = `sample(${n}) must return { x, y }`;
    else if (s.x.length !== n * task.dimX) problem = `sample(${n}).x has ${s.x.length} numbers, expected n·dimX = ${n * task.dimX}`;
    else if (s.y.length !== n * task.dimY) problem = `sample(${n}).y has ${s.y.length} numbers, expected n·dimY = ${n * task.dimY}`;
    else if (!Array.from(s.x).every(Number.isFinite) || !Array.from(s.y).every(Number.isFinite)) problem = `sample(${n}) has non-finite values`;
  }
  out.push({ subject, check: `shape: x is n×${task.dimX}, y is n×${task.dimY}, all finite`, ok: !problem, ...(problem ? { detail: problem } : {}) });
  if (problem) return out;

  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, k) => Object.is(v, b[k]));
  const a = draw(1, 64, levels[0]), b = draw(1, 64, levels[0]), c = draw(2, 64, levels[0]);
  const det = same(a.x, b.x) && same(a.y, b.y);
  out.push({ subject, check: 'deterministic: the same stream gives the same sample', ok: det, ...(det ? {} : { detail: 'two draws from identically seeded streams differ' }) });
  const differs = !(same(a.x, c.x) && same(a.y, c.y));
  out.push({ subject, check: 'seeded: another stream gives another sample', ok: differs, ...(differs ? {} : { detail: 'streams with different seeds gave the same sample' }) });

  const original = Math.random;
  let calls = 0;
  Math.random = () => { calls++; return original(); };
  try { draw(3, 64, levels[0]); } finally { Math.random = original; }
  out.push({ subject, check: 'own stream only: sampling never calls Math.random', ok: calls === 0, ...(calls ? { detail: `Math.random was called ${calls} times` } : {}) });

  const okMi = staircase || (Number.isFinite(task.trueMi) && task.trueMi! >= 0);
  out.push({ subject, check: staircase ? 'true MI: a staircase task (MI set per batch)' : 'true MI: a finite number >= 0', ok: okMi, detail: staircase ? 'sampled at MI 1 and 2' : `${task.trueMi} nats` });
  return out;
}

/**
 * The training loop, shared by every engine: draw a batch from the data stream, score it,
 * ask the bound for its estimate and dObjective/dS, backpropagate −dObjective/dS, step Adam,
 * and record the estimate at every step.
 */
import type { BoundDefinition, BoundOptions, BoundOutput, BoundState, CellResult, CellSpec, HeldOutResult, LevelStats } from '../types.js';
import type { CriticRuntime } from './types.js';
import { getBound } from '../bounds/index.js';
import { gradBuffer, negatedFloat32, withBoundPrecision, withStagedScores, type BoundPrecision } from '../bounds/passes.js';
import { assertDerangementSupported, derangedScores, drawDerangement, foldDerangedGradient } from '../bounds/derangement.js';
import { dataStream, derangementStream, type Rng } from '../rng.js';
import { miAtStep } from '../tasks/index.js';
import { drawBatch } from '../tasks/draw.js';
import { levelStats } from './levelStats.js';
import { isUpperBound } from '../bounds/index.js';
import { taskEntropyY } from '../tasks/entropy.js';

export interface Progress {
  step: number;
  steps: number;
  estimate: number;
  trueMi: number;
}

export interface TrainOptions {
  onProgress?: (p: Progress) => void;
  /** How often onProgress fires, in steps (default 100). */
  progressEvery?: number;
  signal?: AbortSignal;
}

export interface TrainOutput {
  estimates: Float64Array;
  wallMs: number;
  /** Step at which the critic's scores became non-finite (training stopped there), or null. */
  divergedAt: number | null;
  /** Steps run when training ended early for another reason (finite-sample early stopping). */
  stoppedAt?: number;
  /** Level statistics when the loop computes its own (the finite-sample protocol). */
  levels?: LevelStats[];
  /** The finite-sample protocol's held-out evaluations. */
  heldOut?: HeldOutResult;
}

export const EMA_RATE = 0.01;
export const MAX_TRAJECTORY_POINTS = 500;

export function trainLoop(spec: CellSpec, runtime: CriticRuntime, options: TrainOptions = {}): TrainOutput {
  const bound = getBound(spec.estimator);
  const steps = spec.mi.length * spec.stepsPerLevel;
  const n = spec.batchSize;
  const rng = dataStream(spec.seed);
  const negatives = negativesStream(spec, bound);
  const sigma = negatives ? new Int32Array(n) : undefined;
  const estimates = new Float64Array(steps).fill(NaN);
  const every = options.progressEvery ?? 100;
  let state: BoundState | undefined;
  let divergedAt: number | null = null;
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    const trueMi = miAtStep(spec.mi, spec.stepsPerLevel, t);
    const batch = drawBatch(spec, rng, n, trueMi);
    const out = trainStep(spec, runtime, bound, batch.x, batch.y, state, undefined, negatives ? drawDerangement(negatives, n, sigma) : undefined);
    if (!out) { divergedAt = t; break; }
    state = out.state;
    estimates[t] = out.estimate;
    if (options.onProgress && (t % every === 0 || t === steps - 1)) {
      options.onProgress({ step: t, steps, estimate: out.estimate, trueMi });
    }
  }
  return { estimates, wallMs: performance.now() - t0, divergedAt };
}

/**
 * The cell's derangement stream (src/rng.ts) when it draws its negatives by derangement, else
 * null; refuses (UsageError) a bound that cannot take them.
 */
export function negativesStream(spec: CellSpec, bound: BoundDefinition): Rng | null {
  if (spec.negatives !== 'derangement') return null;
  assertDerangementSupported(bound, spec.estimator);
  return derangementStream(spec.seed);
}

/**
 * One update: score the batch, ask the bound for its estimate and dObjective/dS, backpropagate
 * −dObjective/dS and step Adam. Returns the bound's output, or null (and no update) when the
 * critic's scores are non-finite: a divergence, which ends training. `_dLoss`: no longer used (the
 * float32 dLoss/dS is formed in the bound passes' memory); kept so existing callers compile.
 * derangement: this step's σ when the negatives are (x_i, y_σ(i)) (see updateFromScores).
 */
export function trainStep(
  spec: CellSpec, runtime: CriticRuntime, bound: BoundDefinition, x: Float32Array, y: Float32Array,
  state: BoundState | undefined, _dLoss?: Float32Array, derangement?: Int32Array,
): BoundOutput | null {
  const n = spec.batchSize;
  return updateFromScores(runtime, bound, runtime.scores(x, y, n, derangement), n, boundOptionsFor(spec, bound), state, spec.boundPrecision, derangement);
}

const withEntropy = new WeakMap<CellSpec, BoundOptions>();

/**
 * The options a bound is evaluated with: the spec's own (the same object, for every bound but
 * Barber–Agakov), plus H(Y) from the task for a bound with needsEntropyY (src/tasks/entropy.ts,
 * a UsageError where the task does not state it). Never part of the spec, so never of its address.
 */
export function boundOptionsFor(spec: CellSpec, bound: BoundDefinition): BoundOptions {
  if (!bound.needsEntropyY) return spec.boundOptions;
  let o = withEntropy.get(spec);
  if (!o) { o = { ...spec.boundOptions, entropyY: taskEntropyY(spec) }; withEntropy.set(spec, o); }
  return o;
}

/**
 * A bound's evaluation without an update (held-out evaluations): with the runtime's auxiliary
 * outputs for a bound with `aux`, exactly `bound.evaluate(s, n, options, state)` otherwise.
 */
export function evaluateScores(runtime: CriticRuntime, bound: BoundDefinition, s: Float32Array, n: number, options: BoundOptions, state: BoundState | undefined): BoundOutput {
  if (!bound.aux) return bound.evaluate(s, n, options, state);
  return bound.evaluate(s, n, options, state, undefined, requireRuntimeAux(runtime, bound));
}

function requireRuntimeAux(runtime: CriticRuntime, bound: BoundDefinition): Float32Array {
  const aux = runtime.aux?.();
  if (!aux) throw new Error(`${bound.name}: the ${runtime.engine} runtime gives no auxiliary outputs ('${bound.aux}'); build its layout with them (criticLayout's aux)`);
  return aux;
}

/**
 * The update after scoring (trainStep's, and what `harness bench` times): the scores are staged
 * once in the bound passes' memory, where the same read checks them for divergence
 * (withStagedScores); the bound writes its gradient into the passes' own buffer (gradBuffer: no
 * n² allocation per step), and the engine takes the float32 dLoss/dS = −dObjective/dS formed
 * there — by the bound's pass itself when it gives one (dLoss32), else converted from grad.
 * precision (absent: float64) sets the passes' exponentials for this evaluation only.
 * derangement (σ, optional): negatives by derangement (src/bounds/derangement.ts): only S's entries
 * (i, i) and (i, σ(i)) are read; the bound sees their fill S', its gradient is folded back onto
 * those 2n entries, and the returned output (grad included) is the bound's on S'.
 */
export function updateFromScores(
  runtime: CriticRuntime, bound: BoundDefinition, s: Float32Array, n: number, options: BoundOptions,
  state: BoundState | undefined, precision: BoundPrecision | undefined, derangement?: Int32Array,
): BoundOutput | null {
  if (derangement) return updateDeranged(runtime, bound, s, n, options, state, precision, derangement);
  if (bound.aux) return updateWithAux(runtime, bound, s, n, options, state, precision);
  const out = withBoundPrecision(precision, () => withStagedScores(s, n, () => bound.evaluate(s, n, options, state, gradBuffer(n))));
  if (!out) return null;
  runtime.step(out.dLoss32 ?? negatedFloat32(out.grad, n));
  return out;
}

/** Reused n×n float32 buffers of the derangement path: the fill S' and dLoss/dS (no n² allocation per step). */
let filled = new Float32Array(0);
let folded = new Float32Array(0);

function updateDeranged(
  runtime: CriticRuntime, bound: BoundDefinition, s: Float32Array, n: number, options: BoundOptions,
  state: BoundState | undefined, precision: BoundPrecision | undefined, sigma: Int32Array,
): BoundOutput | null {
  if (filled.length !== n * n) { filled = new Float32Array(n * n); folded = new Float32Array(n * n); }
  const sd = derangedScores(s, n, sigma, filled);
  const out = withBoundPrecision(precision, () => withStagedScores(sd, n, () => bound.evaluate(sd, n, options, state, gradBuffer(n))));
  if (!out) return null;
  // dLoss32 (a pass's float32 −gradient) is on S', so the float64 gradient is folded instead.
  runtime.step(foldDerangedGradient(out.grad, n, sigma, folded));
  return out;
}

/**
 * updateFromScores for a bound that reads auxiliary outputs (FLO's u, DoE's log p(y)): the same
 * staging and divergence check, the auxiliary outputs checked too, and dLoss/dAux = −auxGrad
 * passed to the engine beside dLoss/dS.
 */
function updateWithAux(
  runtime: CriticRuntime, bound: BoundDefinition, s: Float32Array, n: number, options: BoundOptions,
  state: BoundState | undefined, precision: BoundPrecision | undefined,
): BoundOutput | null {
  const aux = requireRuntimeAux(runtime, bound);
  const out = withBoundPrecision(precision, () => withStagedScores(s, n, () => (allFinite(aux) ? bound.evaluate(s, n, options, state, gradBuffer(n), aux) : null)));
  if (!out) return null;
  const g = out.auxGrad;
  if (!g || g.length !== n) throw new Error(`${bound.name}: evaluate gave no auxGrad of length ${n}`);
  const dAux = new Float32Array(n);
  for (let i = 0; i < n; i++) dAux[i] = -g[i];
  runtime.step(negatedFloat32(out.grad, n), dAux);
  return out;
}

/**
 * True when no entry is ±∞ or NaN (the held-out evaluations' check; a training step's is
 * withStagedScores's, in WebAssembly). x·0 is ±0 for a finite x and NaN otherwise, so four running
 * sums of x·0 stay 0 exactly when every entry is finite: at n = 1 024 (10⁶ scores a step) about
 * 2× faster than a Number.isFinite test per entry, which cost ~1 ms of every step.
 */
export function allFinite(a: Float32Array): boolean {
  const len = a.length, end = len - (len & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i < end; i += 4) { s0 += a[i] * 0; s1 += a[i + 1] * 0; s2 += a[i + 2] * 0; s3 += a[i + 3] * 0; }
  for (; i < len; i++) s0 += a[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** Assemble the CellResult from a finished loop. */
export function summarise(spec: CellSpec, runtime: CriticRuntime, out: TrainOutput): CellResult {
  const steps = out.estimates.length;
  const stride = Math.max(1, Math.ceil(steps / MAX_TRAJECTORY_POINTS));
  const step: number[] = [], estimate: number[] = [], ema: number[] = [];
  let m = NaN;
  for (let t = 0; t < steps; t++) {
    const e = out.estimates[t];
    if (Number.isFinite(e)) m = Number.isFinite(m) ? m + EMA_RATE * (e - m) : e;
    if (t % stride === 0 || t === steps - 1) {
      step.push(t); estimate.push(e); ema.push(m);
    }
  }
  const ran = out.divergedAt ?? out.stoppedAt ?? steps;
  return {
    spec,
    estimator: spec.estimator,
    critic: spec.critic,
    task: spec.task,
    seed: spec.seed,
    engine: runtime.engine,
    backend: runtime.backend,
    steps,
    msPerStep: ran > 0 ? out.wallMs / ran : NaN,
    wallMs: out.wallMs,
    // Non-finite numbers become null in JSON; every reader treats null as non-finite.
    levels: out.levels ?? levelStats(out.estimates, spec.mi, spec.stepsPerLevel, isUpperBound(spec.estimator) ? 'below' : 'above'),
    trajectory: { stride, step, estimate, ema },
    logN: Math.log(spec.batchSize),
    ...(out.heldOut ? { heldOut: out.heldOut } : {}),
  };
}

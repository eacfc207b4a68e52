/**
 * BMI's finite-sample protocol (Czyż et al. 2023; cbg-ethz/bmi src/bmi/estimators/neural/
 * _estimators.py and _basic_training.py, _training_log.py), on our critics, bounds and engines:
 *  1. draw one sample of `size` points at the cell's seed and standardise it (../tasks/draw.ts);
 *  2. split it at random: ⌈testShare·size⌉ held-out points, the rest for training
 *     (sklearn's train_test_split rounds the test part up);
 *  3. each step trains on n distinct points drawn from the train part (BMI: random choice
 *     without replacement, a new draw every step);
 *  4. every `evalEvery` steps, evaluate the bound on the held-out part: its points in order, in
 *     consecutive batches of n (a last partial batch is left out), the batch estimates averaged.
 *     BMI scores the whole held-out part at once; batches of the training n keep the joint
 *     critic's n² pair cost bounded and make the held-out value the statistic training optimises;
 *  5. stop early when two evaluations in a row do not improve on the best one (BMI's
 *     early_stop: more than one log since the best); report the best held-out value (BMI's
 *     final_mi) — or, for a bound with heldOutSelection 'objective' (the likelihood-trained
 *     estimators: BA, CLUB, L1Out, DoE), the estimate at the best held-out training objective,
 *     since their estimate is not what they optimise (CLUB's is near 0 for an untrained q, so
 *     neither its highest nor its lowest value is the one to report). If no evaluation happened before training ended (fewer steps than evalEvery,
 *     or divergence), one is made at the end when the critic is still finite.
 * Every draw comes from the data stream in a fixed order, so every estimator and critic at one
 * seed sees the same sample, split and batches (common random numbers). A cell with negatives by
 * derangement draws σ for each training step and each held-out batch from its own stream.
 */
import type { BoundDefinition, BoundState, CellSpec, HeldOutResult } from '../types.js';
import type { CriticRuntime } from './types.js';
import { getBound } from '../bounds/index.js';
import { withBoundPrecision } from '../bounds/passes.js';
import { dataStream, type Rng } from '../rng.js';
import { fixedSample } from '../tasks/draw.js';
import { levelStats } from './levelStats.js';
import { derangedScores, drawDerangement } from '../bounds/derangement.js';
import { allFinite, boundOptionsFor, evaluateScores, negativesStream, trainStep, type TrainOptions, type TrainOutput } from './train.js';

/** Held-out part size for a sample of `size` points (sklearn: ⌈test_size·n⌉). */
export function testSizeFor(size: number, testShare: number): number {
  return Math.ceil(testShare * size - 1e-9);
}

/** Fisher–Yates permutation of 0..m−1 from the stream. */
export function permutation(rng: Rng, m: number): Int32Array {
  const p = new Int32Array(m);
  for (let i = 0; i < m; i++) p[i] = i;
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

function gather(src: Float64Array, d: number, idx: ArrayLike<number>, from: number, n: number, out: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const o = idx[from + r] * d;
    for (let k = 0; k < d; k++) out[r * d + k] = src[o + k];
  }
}

export function trainFiniteSample(spec: CellSpec, runtime: CriticRuntime, options: TrainOptions = {}): TrainOutput {
  const proto = spec.finiteSample;
  if (!proto) throw new Error('trainFiniteSample: the spec has no finiteSample protocol');
  const bound: BoundDefinition = getBound(spec.estimator);
  const upper = bound.upperBound === true;
  const byObjective = bound.heldOutSelection === 'objective';
  const trueMi = spec.mi[0];
  const steps = spec.mi.length * spec.stepsPerLevel;
  const n = spec.batchSize;
  const rng = dataStream(spec.seed);
  // Negatives by derangement: one σ per training step and per held-out batch, in that order.
  const negatives = negativesStream(spec, bound);
  const sigma = negatives ? new Int32Array(n) : undefined;
  const sample = fixedSample(spec.task, rng, proto.size, trueMi, spec.dim);
  const { dimX: dx, dimY: dy } = sample;
  const order = permutation(rng, proto.size);
  const testSize = testSizeFor(proto.size, proto.testShare);
  const trainSize = proto.size - testSize;
  if (trainSize < n) throw new RangeError(`finite sample: the train part (${trainSize} points) is smaller than the batch size ${n}`);
  if (testSize < n) throw new RangeError(`finite sample: the held-out part (${testSize} points) is smaller than the batch size ${n}`);
  const test = order.subarray(0, testSize);
  // The train indices are re-shuffled partially every step; this array carries that state.
  const train = Int32Array.from(order.subarray(testSize));
  const x = new Float32Array(n * dx), y = new Float32Array(n * dy);
  const dLoss = new Float32Array(n * n);
  const estimates = new Float64Array(steps).fill(NaN);
  const evals: { step: number; estimate: number }[] = [];
  let best = NaN, sinceBest = 0;
  let state: BoundState | undefined;
  let divergedAt: number | null = null;
  let stoppedAt: number | undefined;
  const every = options.progressEvery ?? 100;

  // What the held-out evaluations rank by: the estimate (BMI's), or for a bound with
  // heldOutSelection 'objective' its training objective, the estimate reported being the one
  // at the best objective.
  let bestCriterion = NaN;
  const evaluate = (step: number): void => {
    let sum = 0, sumObjective = 0;
    const batches = Math.floor(testSize / n);
    for (let b = 0; b < batches; b++) {
      gather(sample.x, dx, test, b * n, n, x);
      gather(sample.y, dy, test, b * n, n, y);
      const perm = negatives ? drawDerangement(negatives, n, sigma) : undefined;
      const scored = runtime.scores(x, y, n, perm);
      const s = perm ? derangedScores(scored, n, perm) : scored;
      if (!allFinite(s)) { sum = NaN; break; }
      // The bound's state (MINE's average) is read, not advanced: evaluation is not training.
      const o = withBoundPrecision(spec.boundPrecision, () => evaluateScores(runtime, bound, s, n, boundOptionsFor(spec, bound), state));
      sum += o.estimate;
      sumObjective += o.objective;
    }
    const e = sum / batches;
    const criterion = byObjective ? sumObjective / batches : e;
    evals.push({ step, estimate: e });
    // BMI's TrainingLog: a new best resets the count; anything else (incl. non-finite) adds one.
    if (Number.isFinite(e) && Number.isFinite(criterion) && !(criterion <= bestCriterion)) { bestCriterion = criterion; best = e; sinceBest = 0; } else sinceBest++;
  };

  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    // n distinct train points: a partial Fisher–Yates over the (persistent) train index array.
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rng.uniform() * (trainSize - k));
      const tmp = train[k]; train[k] = train[j]; train[j] = tmp;
    }
    gather(sample.x, dx, train, 0, n, x);
    gather(sample.y, dy, train, 0, n, y);
    const out = trainStep(spec, runtime, bound, x, y, state, dLoss, negatives ? drawDerangement(negatives, n, sigma) : undefined);
    if (!out) { divergedAt = t; break; }
    state = out.state;
    estimates[t] = out.estimate;
    if (options.onProgress && (t % every === 0 || t === steps - 1)) options.onProgress({ step: t, steps, estimate: out.estimate, trueMi });
    if ((t + 1) % proto.evalEvery === 0) {
      evaluate(t + 1);
      if (sinceBest > 1) { stoppedAt = t + 1; break; }
    }
  }
  const ran = divergedAt ?? stoppedAt ?? steps;
  if (evals.length === 0 && divergedAt === null) evaluate(ran);
  const wallMs = performance.now() - t0;
  const heldOut: HeldOutResult = {
    estimate: best, final: evals.length ? evals[evals.length - 1].estimate : NaN, evals,
    steps: ran, trainSize, testSize,
  };
  // Level statistics over the training estimates of the steps actually run (a divergence's
  // missing steps still count as non-finite, as in the stream protocol; early stopping's do not).
  const span = divergedAt !== null ? steps : Math.max(2, ran);
  const levels = levelStats(estimates.subarray(0, span), [trueMi], span, upper ? 'below' : 'above');
  return { estimates, wallMs, divergedAt, stoppedAt, levels, heldOut };
}

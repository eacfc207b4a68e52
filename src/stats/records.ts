/**
 * Normalising what a cell store holds. A cell file is a CellResult (or a GanResult, spec.kind
 * 'gan') plus whatever the sweep adds (a `provenance` object, timings); extra fields are
 * tolerated. JSON turns non-finite numbers into null: every number read here that is null (or
 * missing, or not a number) becomes NaN, i.e. non-finite = divergent. A value of the wrong shape
 * throws a RecordError naming the field, so the loader can skip that one file with a warning.
 */
import type { BoundOptions, CellSpec, CriticKind, EstimatorId, GanVariant, LevelStats, TaskId } from '../types.js';
import { GRID_MEANS } from '../gan/data.js';
import { reverseKlUniform } from '../gan/modes.js';
import { ganVariantLabel } from '../labels.js';
import { isUpperBound } from '../bounds/index.js';
import { emaShareAbove, maxEstimate, settleSteps, trajectorySteps } from './trajectory.js';

export class RecordError extends Error {
  override name = 'RecordError';
}

export interface LevelRecord extends LevelStats {
  /** Share of the trajectory's EMA points inside the window that lie above the true MI (below it for an upper bound). */
  emaViolations: number;
  /** Steps from the level's start until the EMA first comes within max(0.5, 10%·I) of the truth (./trajectory.ts settleSteps). */
  emaSettle: number;
}

export interface CellRecord {
  kind: 'cell';
  file: string;
  spec: CellSpec;
  estimator: EstimatorId;
  critic: CriticKind;
  task: TaskId;
  batchRho: number | 'random';
  batchSize: number;
  seed: number;
  engine: string;
  backend: string;
  msPerStep: number;
  levels: LevelRecord[];
  /** For drawing: a compact cell keeps it at drawing precision (harness/sweep/compact.ts); statistics read the fields below. */
  trajectory: { step: number[]; estimate: number[]; ema: number[] };
  /** Largest finite per-step estimate among the trajectory's points, at full precision (./trajectory.ts maxEstimate). */
  maxEstimate: number;
  logN: number;
  provenance: Record<string, unknown>;
  /** Finite-sample protocol cells: the reported (best held-out) estimate and the steps run. */
  heldOut?: { estimate: number; final: number; steps: number };
}

/** A KSG job's result (the BMI preset's non-neural reference). */
export interface KsgRecord {
  kind: 'ksg';
  file: string;
  task: string;
  seed: number;
  size: number;
  k: number;
  estimate: number;
  trueMi: number;
  provenance: Record<string, unknown>;
}

export interface GanRecord {
  kind: 'gan';
  file: string;
  variant: GanVariant;
  /** The variant with its distinguishing options (src/labels.ts ganVariantLabel), e.g. `mice(blocked)`. */
  variantLabel: string;
  /** Named configuration (src/gan/setup.ts); 'v1' when the spec has none. */
  setup: string;
  code: 'continuous' | 'categorical';
  seed: number;
  steps: number;
  beta: number;
  engine: string;
  backend: string;
  modes: number;
  highQuality: number;
  /** KL(generated mode histogram ‖ uniform), nats (src/gan/modes.ts reverseKlUniform); NaN when the file has no per-mode counts. */
  reverseKl: number;
  /** Mean MI estimate over the last tenth of training (regularised variants); NaN otherwise. */
  miEstimate: number;
  samples: [number, number][];
  provenance: Record<string, unknown>;
}

export type StoreRecord = CellRecord | GanRecord | KsgRecord;

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const toNum = (v: unknown): number => (typeof v === 'number' ? v : NaN);

function need<T>(ok: boolean, field: string, v: T): T {
  if (!ok) throw new RecordError(`field '${field}' is missing or malformed`);
  return v;
}

/** Parse one decoded JSON value from a cell store. */
export function parseRecord(raw: unknown, file: string): StoreRecord {
  if (!isObj(raw)) throw new RecordError('not a JSON object');
  const spec = need(isObj(raw.spec), 'spec', raw.spec as Json);
  const provenance: Json = { ...(isObj(raw.provenance) ? raw.provenance : {}) };
  // The store's own version fields say which code produced the numbers.
  if (raw.codeVersion !== undefined) provenance.codeVersion = raw.codeVersion;
  if (raw.packageVersion !== undefined) provenance.packageVersion = raw.packageVersion;
  if (spec.kind === 'ksg') {
    need(typeof spec.task === 'string', 'spec.task', 0);
    need(typeof spec.seed === 'number', 'spec.seed', 0);
    return {
      kind: 'ksg', file, task: spec.task as string, seed: spec.seed as number, size: toNum(spec.size), k: toNum(spec.k),
      estimate: toNum(raw.estimate), trueMi: toNum(raw.trueMi), provenance,
    };
  }
  if (spec.kind === 'gan') {
    const samples = Array.isArray(raw.samples)
      ? (raw.samples as unknown[]).filter((p): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every((c) => typeof c === 'number'))
      : [];
    const variant = need(typeof (raw.variant ?? spec.variant) === 'string', 'variant', String(raw.variant ?? spec.variant) as GanVariant);
    const perMode = Array.isArray(raw.perMode) ? (raw.perMode as unknown[]).map(toNum) : null;
    return {
      kind: 'gan', file, variant,
      variantLabel: ganVariantLabel({
        variant, miceForm: typeof spec.miceForm === 'string' ? spec.miceForm : null,
        miceBlockPartition: typeof spec.miceBlockPartition === 'boolean' ? spec.miceBlockPartition : null,
        tau: typeof spec.tau === 'number' ? spec.tau : null,
      }),
      setup: typeof spec.setup === 'string' ? spec.setup : 'v1',
      code: spec.code === 'categorical' ? 'categorical' : 'continuous',
      seed: need(typeof (raw.seed ?? spec.seed) === 'number', 'seed', Number(raw.seed ?? spec.seed)),
      steps: toNum(spec.steps), beta: toNum(spec.beta),
      engine: typeof raw.engine === 'string' ? raw.engine : 'unknown',
      backend: typeof raw.backend === 'string' ? raw.backend : 'unknown',
      modes: toNum(raw.modes), highQuality: toNum(raw.highQuality),
      reverseKl: perMode && perMode.length === GRID_MEANS.length && perMode.every(Number.isFinite) ? reverseKlUniform(perMode) : NaN,
      miEstimate: toNum(raw.miEstimate),
      samples, provenance,
    };
  }
  need(typeof spec.estimator === 'string', 'spec.estimator', 0);
  need(typeof spec.critic === 'string', 'spec.critic', 0);
  need(typeof spec.task === 'string', 'spec.task', 0);
  need(typeof spec.batchSize === 'number', 'spec.batchSize', 0);
  need(typeof spec.seed === 'number', 'spec.seed', 0);
  need(Array.isArray(spec.mi), 'spec.mi', 0);
  const rho = spec.batchRho === 'random' ? 'random' : typeof spec.batchRho === 'number' ? spec.batchRho : 0;
  const levelsRaw = need(Array.isArray(raw.levels), 'levels', raw.levels as unknown[]);
  const tr = isObj(raw.trajectory) ? raw.trajectory : {};
  const arr = (v: unknown): number[] => (Array.isArray(v) ? v.map(toNum) : []);
  const estimate = arr(tr.estimate), ema = arr(tr.ema);
  // A compact cell leaves out `step` (each stride-th step and the last: derivable) and carries
  // the readings of its full-precision trajectory; a plain cell has every step and no readings.
  const step = Array.isArray(tr.step) ? arr(tr.step) : trajectorySteps(toNum(tr.stride), toNum(raw.steps));
  const trajectory = { step, estimate, ema };
  const readings = isObj(tr.readings) ? tr.readings : null;
  const reading = (key: string, k: number): number | null => {
    const v = readings?.[key];
    return Array.isArray(v) && k < v.length ? toNum(v[k]) : null;
  };
  const mi = (spec.mi as unknown[]).map(toNum);
  const upper = isUpperBound(spec.estimator as string);
  const L = toNum(spec.stepsPerLevel);
  const levels = levelsRaw.map((l, k): LevelRecord => {
    if (!isObj(l)) throw new RecordError(`field 'levels[${k}]' is malformed`);
    const w = Array.isArray(l.window) && l.window.length === 2 ? [toNum(l.window[0]), toNum(l.window[1])] as [number, number] : [NaN, NaN] as [number, number];
    const trueMi = Number.isFinite(toNum(l.trueMi)) ? toNum(l.trueMi) : mi[k];
    return {
      trueMi, window: w, mean: toNum(l.mean), bias: toNum(l.bias), variance: toNum(l.variance), mse: toNum(l.mse),
      violations: toNum(l.violations), nonFinite: Number.isFinite(toNum(l.nonFinite)) ? toNum(l.nonFinite) : 0,
      // A compact cell's stored reading was taken by this same function at write time, with the
      // same direction (below the truth for an upper bound), from the full-precision trajectory.
      emaViolations: reading('emaAbove', k) ?? emaShareAbove(trajectory, w, trueMi, upper),
      emaSettle: reading('settle', k) ?? settleSteps(trajectory, k * L, (k + 1) * L, trueMi),
    };
  });
  const s = spec as unknown as CellSpec;
  return {
    kind: 'cell', file,
    spec: { ...s, boundOptions: (isObj(spec.boundOptions) ? spec.boundOptions : {}) as BoundOptions, batchRho: rho },
    estimator: s.estimator, critic: s.critic, task: s.task, batchRho: rho, batchSize: s.batchSize, seed: s.seed,
    engine: typeof raw.engine === 'string' ? raw.engine : 'unknown',
    backend: typeof raw.backend === 'string' ? raw.backend : 'unknown',
    msPerStep: toNum(raw.msPerStep), levels, trajectory,
    maxEstimate: readings && 'maxEstimate' in readings ? toNum(readings.maxEstimate) : maxEstimate(trajectory),
    logN: Number.isFinite(toNum(raw.logN)) ? toNum(raw.logN) : Math.log(s.batchSize),
    provenance,
    ...(isObj(raw.heldOut) ? { heldOut: { estimate: toNum(raw.heldOut.estimate), final: toNum(raw.heldOut.final), steps: toNum(raw.heldOut.steps) } } : {}),
  };
}

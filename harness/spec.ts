/**
 * CellSpec defaults and validation, shared by `harness run`, `harness sweep` and config files.
 * Defaults are the paper's protocol (§5.1, §A.3): d = 20, n = 64, MI 2..10 nats × 4000 steps,
 * two hidden layers of 256, Adam lr 5e-4; spectral normalisation on for MICE only.
 */
import type { BoundDefinition, BoundOptions, CellSpec, CriticKind, TaskId } from '../src/types.js';
import { BACKENDS, CRITICS, ENGINES, NEWER_ESTIMATORS, VARIATIONAL_ESTIMATORS } from '../src/types.js';
import { UsageError } from '../src/errors.js';
import { boundPluginHash, getBound, knownEstimators } from '../src/bounds/index.js';
import { assertDerangementSupported } from '../src/bounds/derangement.js';
import { FDIME_DIVERGENCES } from '../src/bounds/fdime.js';
import { wasmOnlyReason } from '../src/engine/support.js';
import { taskEntropyY } from '../src/tasks/entropy.js';
import { getTask, isBuiltinStaircase, knownTaskIds } from '../src/tasks/registry.js';
import { FIELD_STAIRCASE_DEFS, isFieldStaircase } from '../src/tasks/fieldStaircases.js';
import { criticLayout } from '../src/critics/layout.js';
import { wasmMemoryProblem } from '../src/engine/limits.js';
import { MAX_SAMPLE_VALUES } from '../src/tasks/draw.js';

/**
 * Steps one run may take: the loop records one float64 estimate per step (800 MB at this
 * count), and a run this long would take days at the paper's size anyway.
 */
export const MAX_RUN_STEPS = 100_000_000;

export const CELL_DEFAULTS = {
  estimator: 'mice',
  critic: 'separable',
  task: 'gaussian',
  mi: [2, 4, 6, 8, 10],
  stepsPerLevel: 4000,
  batchSize: 64,
  dim: 20,
  batchRho: 0,
  seed: 0,
  hidden: 256,
  embed: 32,
  lr: 5e-4,
  engine: 'auto',
  backend: 'auto',
} as const satisfies Partial<CellSpec>;

/** Fill a partial spec with the defaults (no validation; see validateCellSpec). */
export function buildCellSpec(partial: Partial<CellSpec>): CellSpec {
  const estimator = partial.estimator ?? CELL_DEFAULTS.estimator;
  return {
    estimator,
    boundOptions: { ...(partial.boundOptions ?? {}) },
    // The variational-conditional estimators' default is the only critic they train.
    critic: partial.critic ?? estimatorCritics(estimator)?.[0] ?? CELL_DEFAULTS.critic,
    spectralNorm: partial.spectralNorm ?? (estimator === 'mice' || partial.spectralNormLayers === 'all'),
    ...(partial.spectralNormLayers === 'all' ? { spectralNormLayers: 'all' as const } : {}),
    task: partial.task ?? CELL_DEFAULTS.task,
    mi: [...(partial.mi ?? CELL_DEFAULTS.mi)],
    stepsPerLevel: partial.stepsPerLevel ?? CELL_DEFAULTS.stepsPerLevel,
    batchSize: partial.batchSize ?? CELL_DEFAULTS.batchSize,
    dim: partial.dim ?? CELL_DEFAULTS.dim,
    batchRho: partial.batchRho ?? CELL_DEFAULTS.batchRho,
    seed: partial.seed ?? CELL_DEFAULTS.seed,
    hidden: partial.hidden ?? CELL_DEFAULTS.hidden,
    embed: partial.embed ?? CELL_DEFAULTS.embed,
    lr: partial.lr ?? CELL_DEFAULTS.lr,
    engine: partial.engine ?? CELL_DEFAULTS.engine,
    backend: partial.backend ?? CELL_DEFAULTS.backend,
    // Optional fields only when set, so a default spec hashes as before they existed.
    ...(partial.dimY !== undefined && partial.dimY !== (partial.dim ?? CELL_DEFAULTS.dim) ? { dimY: partial.dimY } : {}),
    ...(partial.finiteSample ? { finiteSample: { ...partial.finiteSample } } : {}),
    ...withPlugins(estimator, partial.task ?? CELL_DEFAULTS.task),
    ...(partial.boundPrecision === 'float32' ? { boundPrecision: 'float32' as const } : {}),
    ...(partial.negatives === 'derangement' ? { negatives: 'derangement' as const } : {}),
  };
}

/** The sha256s of the plugin files providing this estimator and task, as the optional `plugins` field. */
export function withPlugins(estimator: string, task: TaskId): { plugins?: string[] } {
  const hashes = [boundPluginHash(estimator), getTask(task)?.pluginHash].filter((h): h is string => h !== undefined);
  return hashes.length ? { plugins: [...new Set(hashes)].sort() } : {};
}

/**
 * A task's shape for a cell: the built-in staircases (the paper's and the field's) take the
 * cell's d and staircase; any other task fixes its dimensions (dimY only when it differs from
 * dimX), and a fixed-MI task its one level.
 */
export function taskShape(task: TaskId, dim: number, mi: readonly number[]): { dim: number; dimY?: number; mi: number[] } {
  if (isBuiltinStaircase(task)) return { dim, mi: [...mi] };
  const t = getTask(task)?.task;
  if (!t) throw new UsageError(`task: unknown task '${task}' (known: ${knownTaskIds().join(', ')}; plugin tasks need --plugin)`);
  return {
    dim: t.dimX,
    ...(t.dimY !== t.dimX ? { dimY: t.dimY } : {}),
    mi: t.trueMi !== undefined ? [t.trueMi] : [...mi],
  };
}

/** Why a task refuses ρ_batch ≠ 0: eq. 18–19 chain the Gaussian task's x across a batch. */
export const BATCH_RHO_UNDEFINED = (id: string): string =>
  `only the Gaussian task and its transforms (gaussian, cubic, asinh, half-cube) take a within-batch correlation; task '${id}' needs 0`;

const BOUND_OPTION_KEYS = ['tau', 'alpha', 'emaRate', 'miceForm', 'miceBlockPartition', 'fdimeF'] as const;

/** Throw a UsageError naming the first offending field; return the spec unchanged otherwise. */
export function validateCellSpec(spec: CellSpec): CellSpec {
  const bad = (field: string, why: string, got: unknown): never => {
    throw new UsageError(`${field}: ${why} (got ${JSON.stringify(got) ?? String(got)})`);
  };
  const oneOf = (field: keyof CellSpec, choices: readonly string[]) => {
    if (!choices.includes(spec[field] as string)) bad(field, `must be one of ${choices.join(', ')}`, spec[field]);
  };
  const int = (field: keyof CellSpec, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = spec[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      bad(field, `must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`, v);
    }
  };
  oneOf('estimator', knownEstimators());
  oneOf('critic', CRITICS);
  if (typeof spec.task !== 'string' || !getTask(spec.task)) {
    bad('task', `must be a known task (see \`harness tasks\`; plugin tasks need --plugin)`, spec.task);
  }
  oneOf('engine', ENGINES);
  oneOf('backend', BACKENDS);
  if (typeof spec.spectralNorm !== 'boolean') bad('spectralNorm', 'must be a boolean', spec.spectralNorm);
  if (spec.spectralNormLayers !== undefined && spec.spectralNormLayers !== 'all') bad('spectralNormLayers', "must be 'all' or absent (the last layer)", spec.spectralNormLayers);
  if (spec.boundPrecision !== undefined && spec.boundPrecision !== 'float32') bad('boundPrecision', "must be 'float32' or absent (float64)", spec.boundPrecision);
  if (spec.spectralNormLayers === 'all' && !spec.spectralNorm) bad('spectralNormLayers', 'all layers need spectralNorm: true', spec.spectralNormLayers);
  if (spec.negatives !== undefined && spec.negatives !== 'derangement') bad('negatives', "must be 'derangement' or absent (all pairs)", spec.negatives);
  if (spec.negatives === 'derangement') assertDerangementSupported(getBound(spec.estimator), spec.estimator, 'negatives', 'leave negatives out (all pairs)');
  if (!Array.isArray(spec.mi) || spec.mi.length === 0) bad('mi', 'must be a non-empty list of MI values', spec.mi);
  spec.mi.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`mi[${i}]`, 'must be a finite number >= 0', v);
  });
  // Level statistics use each level's last half, so a level needs at least 2 steps.
  int('stepsPerLevel', 2);
  int('batchSize', 2);
  int('dim', 1);
  int('seed', 0, 0xffffffff);
  int('hidden', 1);
  int('embed', 1);
  if (typeof spec.lr !== 'number' || !(spec.lr > 0) || !Number.isFinite(spec.lr)) bad('lr', 'must be a finite number > 0', spec.lr);
  if (spec.batchRho !== 'random' && (typeof spec.batchRho !== 'number' || !(spec.batchRho >= 0 && spec.batchRho < 1))) {
    bad('batchRho', "must be in [0, 1) or 'random'", spec.batchRho);
  }
  validateBoundOptions(spec.boundOptions);
  validateTaskFields(spec, bad);
  validateNewerEstimator(spec, bad);
  checkResources(spec);
  return spec;
}

/**
 * The critic kinds an estimator trains: its bound's `critics` (the variational-conditional
 * estimators: ['variational']), or null for the usual joint and separable.
 */
export function estimatorCritics(estimator: string): readonly CriticKind[] | null {
  try { return getBound(estimator).critics ?? null; } catch { return null; }
}

/**
 * The estimators of issue 22 (FLO, BA, CLUB, L1Out, DoE) and the variational critic: the critic
 * each trains, no spectral norm (their networks have none), the wasm engine only, and for
 * Barber–Agakov a task that states H(Y).
 */
function validateNewerEstimator(spec: CellSpec, bad: (field: string, why: string, got: unknown) => never): void {
  const critics = estimatorCritics(spec.estimator) ?? ['joint', 'separable'];
  if (!critics.includes(spec.critic)) {
    bad('critic', spec.critic === 'variational'
      ? `only ${VARIATIONAL_ESTIMATORS.join(', ')} read the variational critic; ${spec.estimator} takes joint or separable`
      : `${spec.estimator} reads log q(y|x) and trains only the ${critics.join(' or ')} critic`, spec.critic);
  }
  const newer = (NEWER_ESTIMATORS as readonly string[]).includes(spec.estimator);
  if (newer && spec.spectralNorm) bad('spectralNorm', `${spec.estimator} has no spectrally normalised variant (leave sn off)`, spec.spectralNorm);
  const wasmOnly = wasmOnlyReason(spec);
  if (wasmOnly) {
    if (spec.engine === 'tfjs' || spec.engine === 'webgpu') bad('engine', `${wasmOnly} is wasm-only; use --engine wasm (or auto)`, spec.engine);
    if (spec.backend !== 'auto' && spec.backend !== 'wasm') bad('backend', `${wasmOnly} is wasm-only: the backend must be auto or wasm`, spec.backend);
  }
  if (getBoundOrNull(spec.estimator)?.needsEntropyY) taskEntropyY(spec);
}

function getBoundOrNull(name: string): BoundDefinition | null {
  try { return getBound(name); } catch { return null; }
}

/**
 * Sizes that no run could hold, refused before anything trains: the steps a run records, and
 * the WebAssembly memory the critic needs (src/engine/limits.ts).
 */
function checkResources(spec: CellSpec): void {
  const steps = spec.mi.length * spec.stepsPerLevel;
  if (steps > MAX_RUN_STEPS) {
    throw new UsageError(`--steps-per-level ${spec.stepsPerLevel}: ${spec.mi.length} MI levels × ${spec.stepsPerLevel} steps = ${steps} steps, more than the ${MAX_RUN_STEPS} one run can record`);
  }
  // The tfjs engine's wasm backend holds its tensors in a WebAssembly memory too, and its cpu
  // backend in typed arrays that fail near the same sizes (measured: --hidden 30 000 ran 160 s
  // into 10 GB before a RangeError), so the same estimate guards them. Only native TensorFlow
  // (asked for by name: --backend tensorflow) has limits of its own, not checked here.
  if (spec.engine === 'tfjs' && spec.backend === 'tensorflow') return;
  const layout = criticLayout(spec.critic, spec.dim, spec.hidden, spec.embed, spec.spectralNorm, spec.dimY ?? spec.dim, spec.spectralNormLayers ?? 'last', getBoundOrNull(spec.estimator)?.aux);
  const problem = wasmMemoryProblem(layout, spec.batchSize);
  if (problem) throw new UsageError(problem);
}

/** The optional fields (dimY, finiteSample, plugins) and their agreement with the task. */
function validateTaskFields(spec: CellSpec, bad: (field: string, why: string, got: unknown) => never): void {
  if (spec.dimY !== undefined) {
    if (!Number.isInteger(spec.dimY) || spec.dimY < 1) bad('dimY', 'must be an integer >= 1', spec.dimY);
    if (spec.dimY === spec.dim) bad('dimY', 'must be left out when it equals dim (so equal-dimension specs hash as before)', spec.dimY);
  }
  const t = getTask(spec.task)!.task;
  if (isFieldStaircase(spec.task)) {
    const def = FIELD_STAIRCASE_DEFS[spec.task];
    if (!def.batchRho && spec.batchRho !== 0) bad('batchRho', BATCH_RHO_UNDEFINED(spec.task), spec.batchRho);
    spec.mi.forEach((v, i) => {
      const problem = def.levelProblem(v, spec.dim);
      if (problem) bad(`mi[${i}]`, problem, v);
    });
  } else if (!isBuiltinStaircase(spec.task)) {
    if (spec.dim !== t.dimX || (spec.dimY ?? spec.dim) !== t.dimY) {
      bad('dim', `task '${t.id}' is ${t.dimX} × ${t.dimY} (dim ${t.dimX}${t.dimY !== t.dimX ? `, dimY ${t.dimY}` : ''})`, spec.dimY === undefined ? spec.dim : [spec.dim, spec.dimY]);
    }
    if (t.trueMi !== undefined && !(spec.mi.length === 1 && spec.mi[0] === t.trueMi)) {
      bad('mi', `task '${t.id}' has a fixed true MI: mi must be [${t.trueMi}]`, spec.mi);
    }
    if (spec.batchRho !== 0) bad('batchRho', BATCH_RHO_UNDEFINED(t.id), spec.batchRho);
  }
  const f = spec.finiteSample;
  if (f !== undefined) {
    if (f === null || typeof f !== 'object') bad('finiteSample', 'must be an object { size, testShare, evalEvery }', f);
    for (const k of Object.keys(f)) if (!['size', 'testShare', 'evalEvery'].includes(k)) bad(`finiteSample.${k}`, 'unknown key (known: size, testShare, evalEvery)', (f as unknown as Record<string, unknown>)[k]);
    if (!(typeof f.testShare === 'number' && f.testShare > 0 && f.testShare < 1)) bad('finiteSample.testShare', 'must be in (0, 1)', f.testShare);
    if (!(Number.isInteger(f.size) && f.size >= 2)) bad('finiteSample.size', 'must be an integer >= 2', f.size);
    const test = Math.ceil(f.testShare * f.size - 1e-9);
    if (test < spec.batchSize || f.size - test < spec.batchSize) {
      bad('finiteSample.size', `both the train part and the held-out part (${f.size - test} and ${test} points) must hold a batch of ${spec.batchSize}`, f.size);
    }
    const values = f.size * (spec.dim + (spec.dimY ?? spec.dim));
    if (values > MAX_SAMPLE_VALUES) {
      bad('finiteSample.size', `a sample of ${f.size} pairs × ${spec.dim + (spec.dimY ?? spec.dim)} values is ${values.toExponential(2)} values, more than the ${MAX_SAMPLE_VALUES} one sample may hold (--sample-size)`, f.size);
    }
    if (!(Number.isInteger(f.evalEvery) && f.evalEvery >= 1)) bad('finiteSample.evalEvery', 'must be an integer >= 1', f.evalEvery);
    if (spec.mi.length !== 1) bad('finiteSample', 'needs a task with one MI level (a fixed-MI task, or a one-level staircase)', spec.mi);
  }
  const want = withPlugins(spec.estimator, spec.task).plugins;
  const got = spec.plugins;
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    bad('plugins', want ? `must be the sha256 of the plugin file(s) providing '${spec.estimator}' / '${spec.task}': ${JSON.stringify(want)}` : 'must be left out: neither the estimator nor the task comes from a plugin', got);
  }
}

function validateBoundOptions(o: BoundOptions): void {
  const bad = (field: string, why: string, got: unknown): never => {
    throw new UsageError(`boundOptions.${field}: ${why} (got ${JSON.stringify(got) ?? String(got)})`);
  };
  if (o === null || typeof o !== 'object' || Array.isArray(o)) bad('', 'must be an object', o);
  for (const k of Object.keys(o)) {
    if (!(BOUND_OPTION_KEYS as readonly string[]).includes(k)) bad(k, `unknown option (known: ${BOUND_OPTION_KEYS.join(', ')})`, (o as Record<string, unknown>)[k]);
  }
  if (o.tau !== undefined && !(typeof o.tau === 'number' && o.tau > 0)) bad('tau', 'must be a number > 0 (Infinity = no clipping)', o.tau);
  if (o.alpha !== undefined && !(typeof o.alpha === 'number' && o.alpha >= 0 && o.alpha <= 1)) bad('alpha', 'must be in [0, 1]', o.alpha);
  if (o.emaRate !== undefined && !(typeof o.emaRate === 'number' && o.emaRate > 0 && o.emaRate <= 1)) bad('emaRate', 'must be in (0, 1]', o.emaRate);
  if (o.miceForm !== undefined && o.miceForm !== 'dv' && o.miceForm !== 'nwj') bad('miceForm', "must be 'dv' or 'nwj'", o.miceForm);
  if (o.miceBlockPartition !== undefined && typeof o.miceBlockPartition !== 'boolean') bad('miceBlockPartition', 'must be a boolean', o.miceBlockPartition);
  if (o.fdimeF !== undefined && !(FDIME_DIVERGENCES as readonly string[]).includes(o.fdimeF)) bad('fdimeF', `must be one of ${FDIME_DIVERGENCES.join(', ')}`, o.fdimeF);
}

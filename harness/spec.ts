/**
 * CellSpec defaults and validation, shared by `harness run`, `harness sweep` and config files.
 * Defaults are the paper's protocol (§5.1, §A.3): d = 20, n = 64, MI 2..10 nats × 4000 steps,
 * two hidden layers of 256, Adam lr 5e-4; spectral normalisation on for MICE only.
 */
import type { BoundOptions, CellSpec } from '../src/types.js';
import { BACKENDS, CRITICS, ENGINES, ESTIMATORS, TASKS } from '../src/types.js';
import { UsageError } from '../src/errors.js';

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
    critic: partial.critic ?? CELL_DEFAULTS.critic,
    spectralNorm: partial.spectralNorm ?? estimator === 'mice',
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
  };
}

const BOUND_OPTION_KEYS = ['tau', 'alpha', 'emaRate', 'miceForm', 'miceBlockPartition'] as const;

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
  oneOf('estimator', ESTIMATORS);
  oneOf('critic', CRITICS);
  oneOf('task', TASKS);
  oneOf('engine', ENGINES);
  oneOf('backend', BACKENDS);
  if (typeof spec.spectralNorm !== 'boolean') bad('spectralNorm', 'must be a boolean', spec.spectralNorm);
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
  return spec;
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
}

/**
 * `harness run`'s flags → a validated CellSpec. Pure (no I/O, no engine), so the browser
 * playground (web/playground.ts) builds its spec from its URL parameters with this same function
 * and trains exactly the cell `harness run` would.
 */
import type { CellSpec, CriticKind, FiniteSampleProtocol } from '../src/types.js';
import { CRITICS, ENGINES, BACKENDS, VARIATIONAL_ESTIMATORS } from '../src/types.js';
import { UsageError } from '../src/errors.js';
import { getBound, knownEstimators } from '../src/bounds/index.js';
import { FDIME_DIVERGENCES } from '../src/bounds/fdime.js';
import { assertDerangementSupported } from '../src/bounds/derangement.js';
import { isBuiltinStaircase, knownTaskIds } from '../src/tasks/registry.js';
import { FIELD_STAIRCASE_DEFS, isFieldStaircase } from '../src/tasks/fieldStaircases.js';
import { parseBatchRho, parseChoice, parseInteger, parseNumber, parseNumberList } from './parse.js';
import { BATCH_RHO_UNDEFINED, estimatorCritics, taskShape, validateCellSpec, withPlugins } from './spec.js';
import { BOUND_PRECISION_CHOICES, resolveBoundPrecision } from '../src/bounds/passes.js';

/** BMI's finite-sample protocol defaults (its neural estimators': 50% held out, evaluated every 250 steps). */
export const FINITE_SAMPLE_DEFAULTS = { testShare: 0.5, evalEvery: 250 } as const;

export interface RunFlags {
  estimator?: string; tau?: string; alpha?: string; emaRate?: string; miceForm?: string;
  partitionGrad?: boolean; spectralNorm?: boolean; spectralNormLayers?: string;
  critic: string; task: string; mi: string; stepsPerLevel: string; batchSize: string; dim: string;
  batchRho: string; seed: string; hidden: string; embed: string; lr: string;
  engine: string; backend: string; json?: boolean; out?: string;
  plugin?: string[]; sampleSize?: string; testShare?: string; evalEvery?: string; boundPrecision?: string;
  fdimeF?: string; negatives?: string;
}

/** Which flags the user gave (commander's option value source is 'cli' for those). */
export type GivenFlags = (flag: keyof RunFlags) => boolean;

export function specFromFlags(f: RunFlags, given: GivenFlags = () => true): CellSpec {
  if (f.estimator === undefined) throw new UsageError('--estimator: required');
  const estimator = parseChoice('--estimator', f.estimator, knownEstimators());
  const task = parseChoice('--task', f.task, knownTaskIds());
  let mi = parseNumberList('--mi', f.mi);
  for (const v of mi) if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`--mi: MI must be a finite number >= 0, got ${v}`);
  const tau = parseNumber('--tau', f.tau ?? '1');
  if (!(tau > 0)) throw new UsageError(`--tau: must be > 0, got ${f.tau}`);
  const alpha = parseNumber('--alpha', f.alpha ?? '0.5');
  if (!(alpha >= 0 && alpha <= 1)) throw new UsageError(`--alpha: must be in [0, 1], got ${f.alpha}`);
  const emaRate = parseNumber('--ema-rate', f.emaRate ?? '0.01');
  if (!(emaRate > 0 && emaRate <= 1)) throw new UsageError(`--ema-rate: must be in (0, 1], got ${f.emaRate}`);
  const boundOptions: CellSpec['boundOptions'] = {};
  if (estimator === 'smile') boundOptions.tau = tau;
  if (estimator === 'alpha-infonce') boundOptions.alpha = alpha;
  if (estimator === 'mine') boundOptions.emaRate = emaRate;
  if (estimator === 'mice') {
    boundOptions.miceForm = parseChoice('--mice-form', f.miceForm ?? 'dv', ['dv', 'nwj'] as const);
    boundOptions.miceBlockPartition = !f.partitionGrad;
  }
  if (estimator === 'fdime') boundOptions.fdimeF = parseChoice('--fdime-f', f.fdimeF ?? 'kl', FDIME_DIVERGENCES);
  else if (f.fdimeF !== undefined) throw new UsageError(`--fdime-f: only for --estimator fdime (got --estimator ${estimator})`);
  // f-DIME draws its negatives by derangement unless told otherwise; every other estimator takes all pairs.
  const negatives = f.negatives === undefined ? (estimator === 'fdime' ? 'derangement' : 'all') : parseChoice('--negatives', f.negatives, ['all', 'derangement'] as const);
  if (negatives === 'derangement') assertDerangementSupported(getBound(estimator), estimator, '--negatives derangement', 'use --negatives all');
  const snLayers = f.spectralNormLayers === undefined ? 'last' : parseChoice('--spectral-norm-layers', f.spectralNormLayers, ['last', 'all'] as const);
  if (snLayers === 'all' && f.spectralNorm === false) throw new UsageError('--spectral-norm-layers: all cannot be combined with --no-spectral-norm');
  const lr = parseNumber('--lr', f.lr);
  if (!(lr > 0)) throw new UsageError(`--lr: must be > 0, got ${f.lr}`);
  let dim = parseInteger('--dim', f.dim, 1);
  let dimY: number | undefined;
  if (isFieldStaircase(task)) {
    // Flag-named messages for what validateCellSpec would refuse as mi[i] / batchRho.
    const def = FIELD_STAIRCASE_DEFS[task];
    for (const v of mi) { const problem = def.levelProblem(v, dim); if (problem) throw new UsageError(`--mi: ${problem}`); }
    if (!def.batchRho && parseBatchRho('--batch-rho', f.batchRho) !== 0) throw new UsageError(`--batch-rho: ${BATCH_RHO_UNDEFINED(task)}`);
  } else if (!isBuiltinStaircase(task)) {
    // A BMI or plugin task fixes its dimensions (and a fixed-MI task its MI): flags may not contradict it.
    const shape = taskShape(task, dim, mi);
    if (given('dim') && dim !== shape.dim) throw new UsageError(`--dim: task '${task}' has dim_x = ${shape.dim}; leave --dim out`);
    if (given('mi') && JSON.stringify(mi) !== JSON.stringify(shape.mi)) throw new UsageError(`--mi: task '${task}' has a fixed true MI of ${shape.mi[0]} nats; leave --mi out`);
    if (given('batchRho') && parseBatchRho('--batch-rho', f.batchRho) !== 0) throw new UsageError(`--batch-rho: ${BATCH_RHO_UNDEFINED(task)}`);
    ({ dim, dimY, mi } = shape);
  }
  const finiteSample = finiteSampleFromFlags(f);
  const batchSize = parseInteger('--batch-size', f.batchSize, 2);
  // auto (the default): float32 from n = AUTO_FLOAT32_FROM (src/bounds/passes.ts), else float64.
  const precision = resolveBoundPrecision(f.boundPrecision === undefined ? 'auto' : parseChoice('--bound-precision', f.boundPrecision, BOUND_PRECISION_CHOICES), batchSize);
  // The flags are checked one by one above for flag-named messages; validateCellSpec is the same
  // final check a sweep's config file gets.
  return validateCellSpec({
    estimator,
    boundOptions,
    critic: criticFromFlags(f, given, estimator),
    // commander leaves spectralNorm undefined unless --spectral-norm or --no-spectral-norm is given.
    spectralNorm: f.spectralNorm ?? (estimator === 'mice' || snLayers === 'all'),
    ...(snLayers === 'all' ? { spectralNormLayers: 'all' as const } : {}),
    task,
    mi,
    stepsPerLevel: parseInteger('--steps-per-level', f.stepsPerLevel, 2),
    batchSize,
    dim,
    batchRho: parseBatchRho('--batch-rho', f.batchRho),
    seed: parseInteger('--seed', f.seed, 0),
    hidden: parseInteger('--hidden', f.hidden, 1),
    embed: parseInteger('--embed', f.embed, 1),
    lr,
    engine: parseChoice('--engine', f.engine, ENGINES),
    backend: parseChoice('--backend', f.backend, BACKENDS),
    ...(dimY !== undefined ? { dimY } : {}),
    ...(finiteSample ? { finiteSample } : {}),
    ...withPlugins(estimator, task),
    ...(precision === 'float32' ? { boundPrecision: 'float32' as const } : {}),
    ...(negatives === 'derangement' ? { negatives: 'derangement' as const } : {}),
  });
}

/**
 * --critic, whose default depends on the estimator: the variational-conditional estimators (ba,
 * club, l1out, doe) read log q(y|x) and train only the variational critic, which is their default;
 * every other estimator takes the joint or separable critic (default separable).
 */
function criticFromFlags(f: RunFlags, given: GivenFlags, estimator: string): CriticKind {
  const needs = estimatorCritics(estimator);
  if (!given('critic') && needs) return needs[0];
  const critic = parseChoice('--critic', f.critic, CRITICS);
  const allowed = needs ?? ['joint', 'separable'];
  if (!allowed.includes(critic)) {
    throw new UsageError(needs
      ? `--critic ${critic}: ${estimator} reads log q(y|x) and trains only the ${needs.join(' or ')} critic (its default: leave --critic out)`
      : `--critic ${critic}: only ${VARIATIONAL_ESTIMATORS.join(', ')} read the variational critic; ${estimator} takes joint or separable`);
  }
  return critic;
}

function finiteSampleFromFlags(f: RunFlags): FiniteSampleProtocol | undefined {
  if (f.sampleSize === undefined) {
    if (f.testShare !== undefined || f.evalEvery !== undefined) throw new UsageError('--test-share and --eval-every need --sample-size (the finite-sample protocol)');
    return undefined;
  }
  const testShare = f.testShare === undefined ? FINITE_SAMPLE_DEFAULTS.testShare : parseNumber('--test-share', f.testShare);
  if (!(testShare > 0 && testShare < 1)) throw new UsageError(`--test-share: must be in (0, 1), got ${f.testShare}`);
  return {
    size: parseInteger('--sample-size', f.sampleSize, 2),
    testShare,
    evalEvery: f.evalEvery === undefined ? FINITE_SAMPLE_DEFAULTS.evalEvery : parseInteger('--eval-every', f.evalEvery, 1),
  };
}

/**
 * `harness run`'s flags → a validated CellSpec. Pure (no I/O, no engine), so the browser
 * playground (web/playground.ts) builds its spec from its URL parameters with this same function
 * and trains exactly the cell `harness run` would.
 */
import type { CellSpec } from '../src/types.js';
import { CRITICS, TASKS, ENGINES, BACKENDS, ESTIMATORS } from '../src/types.js';
import { UsageError } from '../src/errors.js';
import { parseBatchRho, parseChoice, parseInteger, parseNumber, parseNumberList } from './parse.js';
import { validateCellSpec } from './spec.js';

export interface RunFlags {
  estimator?: string; tau?: string; alpha?: string; emaRate?: string; miceForm?: string;
  partitionGrad?: boolean; spectralNorm?: boolean;
  critic: string; task: string; mi: string; stepsPerLevel: string; batchSize: string; dim: string;
  batchRho: string; seed: string; hidden: string; embed: string; lr: string;
  engine: string; backend: string; json?: boolean; out?: string;
}

export function specFromFlags(f: RunFlags): CellSpec {
  if (f.estimator === undefined) throw new UsageError('--estimator: required');
  const estimator = parseChoice('--estimator', f.estimator, ESTIMATORS);
  const mi = parseNumberList('--mi', f.mi);
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
  const lr = parseNumber('--lr', f.lr);
  if (!(lr > 0)) throw new UsageError(`--lr: must be > 0, got ${f.lr}`);
  // The flags are checked one by one above for flag-named messages; validateCellSpec is the same
  // final check a sweep's config file gets.
  return validateCellSpec({
    estimator,
    boundOptions,
    critic: parseChoice('--critic', f.critic, CRITICS),
    // commander leaves spectralNorm undefined unless --spectral-norm or --no-spectral-norm is given.
    spectralNorm: f.spectralNorm ?? estimator === 'mice',
    task: parseChoice('--task', f.task, TASKS),
    mi,
    stepsPerLevel: parseInteger('--steps-per-level', f.stepsPerLevel, 2),
    batchSize: parseInteger('--batch-size', f.batchSize, 2),
    dim: parseInteger('--dim', f.dim, 1),
    batchRho: parseBatchRho('--batch-rho', f.batchRho),
    seed: parseInteger('--seed', f.seed, 0),
    hidden: parseInteger('--hidden', f.hidden, 1),
    embed: parseInteger('--embed', f.embed, 1),
    lr,
    engine: parseChoice('--engine', f.engine, ENGINES),
    backend: parseChoice('--backend', f.backend, BACKENDS),
  });
}

/**
 * The sweep grid: estimator variants × critics × tasks × ρ_batch × batch sizes × seeds, plus an
 * optional GAN section (variants × seeds). A grid is plain data (presets, config files and flags
 * all produce one); expandGrid turns it into the list of jobs, each a CellSpec or a GanSpec.
 */
import type { BackendChoice, CellSpec, CriticKind, EngineChoice, GanSpec, GanVariant, TaskName } from '../../src/types.js';
import { UsageError } from '../../src/errors.js';
import { buildCellSpec, validateCellSpec } from '../spec.js';
import { parseVariant } from './variant.js';

export type Job = CellSpec | GanSpec;

export interface GanGrid {
  variants: GanVariant[];
  steps: number;
  /** β for the MI-regularised variants (vanilla always gets 0). */
  beta: number;
}

export interface Grid {
  /** Estimator variants (see ./variant.ts), e.g. 'smile:tau=1'. */
  estimators: string[];
  critics: CriticKind[];
  tasks: TaskName[];
  batchRho: (number | 'random')[];
  seeds: number[];
  batchSizes: number[];
  mi: number[];
  stepsPerLevel: number;
  dim: number;
  hidden: number;
  embed: number;
  lr: number;
  engine: EngineChoice;
  backend: BackendChoice;
  /** GAN runs (paper §5.3), one per variant × seed; absent = none. */
  gan?: GanGrid;
}

export function isGan(job: Job): job is GanSpec {
  return (job as GanSpec).kind === 'gan';
}

/** `--seeds 10` means seeds 0..9; a list ("0,3,7") means exactly those. */
export function seedRange(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** Every job of the grid, in axis order (the store sorts by hash later). Throws UsageError. */
export function expandGrid(g: Grid): Job[] {
  const jobs: Job[] = [];
  const variants = g.estimators.map((e, i) => {
    try { return parseVariant(e); } catch (err) {
      throw new UsageError(`estimators[${i}]: ${(err as Error).message}`);
    }
  });
  for (const v of variants) for (const critic of g.critics) for (const task of g.tasks)
    for (const batchRho of g.batchRho) for (const batchSize of g.batchSizes) for (const seed of g.seeds) {
      jobs.push(validateCellSpec(buildCellSpec({
        estimator: v.estimator, boundOptions: v.boundOptions, spectralNorm: v.spectralNorm,
        critic, task, batchRho, batchSize, seed,
        mi: g.mi, stepsPerLevel: g.stepsPerLevel, dim: g.dim, hidden: g.hidden, embed: g.embed,
        lr: g.lr, engine: g.engine, backend: g.backend,
      })));
    }
  if (g.gan) {
    if (!Number.isInteger(g.gan.steps) || g.gan.steps < 1) throw new UsageError(`gan.steps: must be an integer >= 1 (got ${g.gan.steps})`);
    if (!(g.gan.beta >= 0) || !Number.isFinite(g.gan.beta)) throw new UsageError(`gan.beta: must be a finite number >= 0 (got ${g.gan.beta})`);
    for (const variant of g.gan.variants) for (const seed of g.seeds) {
      jobs.push({ kind: 'gan', variant, seed, steps: g.gan.steps, beta: variant === 'vanilla' ? 0 : g.gan.beta, backend: g.backend });
    }
  }
  if (jobs.length === 0) throw new UsageError('the grid is empty: give at least one estimator, critic, task, ρ_batch, batch size and seed');
  return jobs;
}

/** Rough relative cost of a job, in "separable n=64 h=256 steps", for ordering and ETA only. */
export function jobCost(job: Job): number {
  if (isGan(job)) return job.steps * 4;
  const steps = job.mi.length * job.stepsPerLevel;
  const n = job.batchSize / 64, h = job.hidden / 256;
  // Separable: O(n·d·h + n·h²) per step; joint: O(n²·h²) (the pair layers), ~20× separable at n = 64.
  const perStep = job.critic === 'joint' ? 20 * n * n * h * h : n * h * h;
  return steps * Math.max(perStep, 1e-3);
}

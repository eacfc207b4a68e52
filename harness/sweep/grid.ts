/**
 * The sweep grid: estimator variants × critics × tasks × ρ_batch × batch sizes × seeds, plus an
 * optional GAN section (variants × seeds). A grid is plain data (presets, config files and flags
 * all produce one); expandGrid turns it into the list of jobs, each a CellSpec or a GanSpec.
 */
import type { BackendChoice, CellSpec, CriticKind, EngineChoice, FiniteSampleProtocol, GanSpec, GanVariant, KsgSpec, TaskId } from '../../src/types.js';
import { UsageError } from '../../src/errors.js';
import { buildCellSpec, estimatorCritics, taskShape, validateCellSpec } from '../spec.js';
import { parseVariant } from '../../src/variant.js';
import { getTask } from '../../src/tasks/registry.js';
import { MAX_SAMPLE_VALUES } from '../../src/tasks/draw.js';
import { gridSpec } from '../../src/gan/setup.js';
import { resolveBoundPrecision, type BoundPrecisionChoice } from '../../src/bounds/passes.js';

export type { Job } from '../../src/types.js';
import type { Job } from '../../src/types.js';

export interface GanGrid {
  variants: GanVariant[];
  steps: number;
  /** β for the MI-regularised variants (vanilla always gets 0). */
  beta: number;
  /** Named configuration (src/gan/setup.ts); absent = 'v1'. */
  setup?: 'grid';
  /** GAN engine for the 'grid' setup (absent = auto). */
  engine?: EngineChoice;
  /**
   * Explicit arms ('grid' setup), each × every seed; when present they replace variants × β.
   * An arm's absent fields take the defaults (β = the grid's beta, continuous code, the GAN's
   * default MICE reading).
   */
  arms?: GanArm[];
}

/** One arm of a GAN scan: a variant with its reading, code and β. */
export interface GanArm {
  variant: GanVariant;
  beta?: number;
  code?: 'continuous' | 'categorical';
  miceBlockPartition?: boolean;
  miceForm?: 'dv' | 'nwj';
  tau?: number;
}

export interface Grid {
  /** Estimator variants (see ./variant.ts), e.g. 'smile:tau=1'. */
  estimators: string[];
  critics: CriticKind[];
  /** Task ids: the paper's staircase tasks, BMI tasks ('bmi:…'), plugin tasks. */
  tasks: TaskId[];
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
  /**
   * The bounds' n² exponentials (src/bounds/passes.ts): absent or 'auto' = float64 below
   * n = AUTO_FLOAT32_FROM (256) and float32 from it, as `harness run`; a preset that reaches it pins float64.
   */
  boundPrecision?: BoundPrecisionChoice;
  /** GAN runs (paper §5.3), one per variant × seed; absent = none. */
  gan?: GanGrid;
  /** BMI's finite-sample protocol for every cell (src/engine/finiteSample.ts); absent = a fresh batch per step. */
  finiteSample?: FiniteSampleProtocol;
  /**
   * Size the critics by the task's dimensions (`criticSize`) instead of `hidden`/`embed`; the BMI
   * preset's "critics sized for the task". Absent or false: the grid's hidden/embed everywhere.
   */
  sizeCriticsForTask?: boolean;
  /**
   * The joint critic only on tasks with d_x + d_y at most this (the BMI preset's budget: a joint
   * step costs n² pair evaluations, about 3× a separable step's time at 10 inputs and 13× at 100,
   * docs/bmi.md). Absent: the joint critic on every task. Other critics are not affected.
   */
  jointMaxInputs?: number;
  /** KSG jobs, one per task × seed, on the finite-sample protocol's fixed sample (needs finiteSample). */
  ksg?: { k: number };
}

/**
 * Critic width for a task of dimensions d_x × d_y (the BMI preset). BMI's own neural estimators
 * use one small MLP (16, 8) for every task; ours keep the paper's two hidden layers and scale
 * the width with the input: h = 64 up to 10 input coordinates (BMI's 1×1 … 5×5), h = 128 above
 * (25 × 25, 50 × 50); the separable critic embeds in e = 16 dimensions.
 */
export function criticSize(dimX: number, dimY: number): { hidden: number; embed: number } {
  return { hidden: dimX + dimY <= 10 ? 64 : 128, embed: 16 };
}

export function isKsg(job: Job): job is KsgSpec {
  return (job as KsgSpec).kind === 'ksg';
}

export function isGan(job: Job): job is GanSpec {
  return (job as GanSpec).kind === 'gan';
}

/** A training cell (neither a GAN run nor a KSG job). */
export function isCell(job: Job): job is CellSpec {
  return !('kind' in job);
}

/** `--seeds 10` means seeds 0..9; a list ("0,3,7") means exactly those. */
export function seedRange(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/**
 * The most jobs one sweep plans: each planned job is a spec object and a hash in memory (~1 KB),
 * and 100 000 paper-size cells are already ~3 CPU-years. A larger grid is bad input, refused
 * before anything is allocated (a grid of 10⁹ seeds used to exhaust the heap).
 */
export const MAX_GRID_JOBS = 100_000;

/** An upper bound on the grid's job count (cells before the joint-input filter, plus KSG and GAN runs), without expanding it. */
export function gridJobBound(g: Grid): number {
  const cells = g.estimators.length * g.critics.length * g.tasks.length * g.batchRho.length * g.batchSizes.length * g.seeds.length;
  const ksg = g.ksg ? g.tasks.length * g.seeds.length : 0;
  const gan = g.gan ? (g.gan.arms?.length ?? g.gan.variants.length) * g.seeds.length : 0;
  return cells + ksg + gan;
}

/** Refuse a grid too large to plan, naming the axes that multiply out (UsageError). */
export function checkGridSize(g: Grid): void {
  const n = gridJobBound(g);
  if (n <= MAX_GRID_JOBS) return;
  const axes = `${g.estimators.length} estimators (--estimators) × ${g.critics.length} critics (--critics) × ${g.tasks.length} tasks (--tasks) × ${g.batchRho.length} ρ_batch (--batch-rho) × ${g.batchSizes.length} batch sizes (--batch-sizes) × ${g.seeds.length} seeds (--seeds)`;
  throw new UsageError(`the grid has ${n.toExponential(2).replace('e+', 'e')} jobs (${axes}${g.gan || g.ksg ? ', plus GAN/KSG runs' : ''}); at most ${MAX_GRID_JOBS} per sweep`);
}

/** Every job of the grid, in axis order (the store sorts by hash later). Throws UsageError. */
export function expandGrid(g: Grid): Job[] {
  checkGridSize(g);
  const jobs: Job[] = [];
  const variants = g.estimators.map((e, i) => {
    try { return parseVariant(e); } catch (err) {
      throw new UsageError(`estimators[${i}]: ${(err as Error).message}`);
    }
  });
  const shapes = new Map(g.tasks.map((t, i) => {
    try { return [t, taskShape(t, g.dim, g.mi)] as const; } catch (err) {
      throw new UsageError(`tasks[${i}]: ${(err as Error).message.replace(/^task: /, '')}`);
    }
  }));
  // An estimator that trains its own critic kind (ba, club, l1out, doe: the variational critic)
  // gets that critic once, whatever the critics axis; every other estimator takes the axis's joint
  // and separable critics (a 'variational' entry there is for the former only).
  const criticsOf = (estimator: string): CriticKind[] => [...(estimatorCritics(estimator) ?? g.critics.filter((c) => c !== 'variational'))];
  for (const v of variants) for (const critic of criticsOf(v.estimator)) for (const task of g.tasks)
    for (const batchRho of g.batchRho) for (const batchSize of g.batchSizes) for (const seed of g.seeds) {
      const shape = shapes.get(task)!;
      if (critic === 'joint' && g.jointMaxInputs !== undefined && shape.dim + (shape.dimY ?? shape.dim) > g.jointMaxInputs) continue;
      const size = g.sizeCriticsForTask ? criticSize(shape.dim, shape.dimY ?? shape.dim) : { hidden: g.hidden, embed: g.embed };
      jobs.push(validateCellSpec(buildCellSpec({
        estimator: v.estimator, boundOptions: v.boundOptions, spectralNorm: v.spectralNorm, spectralNormLayers: v.spectralNormLayers,
        ...(v.negatives ? { negatives: v.negatives } : {}),
        critic, task, batchRho, batchSize, seed,
        mi: shape.mi, stepsPerLevel: g.stepsPerLevel, dim: shape.dim, dimY: shape.dimY, hidden: size.hidden, embed: size.embed,
        lr: g.lr, engine: g.engine, backend: g.backend,
        ...(g.finiteSample ? { finiteSample: g.finiteSample } : {}),
        ...(resolveBoundPrecision(g.boundPrecision ?? 'auto', batchSize) === 'float32' ? { boundPrecision: 'float32' as const } : {}),
      })));
    }
  if (g.ksg) {
    if (!g.finiteSample) throw new UsageError('ksg: needs finiteSample (KSG runs on the finite-sample protocol\'s fixed sample)');
    if (!(Number.isInteger(g.ksg.k) && g.ksg.k >= 1)) throw new UsageError(`ksg.k: must be an integer >= 1 (got ${g.ksg.k})`);
    // KSG counts k neighbours among the whole sample: k = size would fail in every job, after planning.
    if (g.ksg.k >= g.finiteSample.size) throw new UsageError(`ksg.k: must be less than the sample size finiteSample.size = ${g.finiteSample.size} (got ${g.ksg.k})`);
    for (const task of g.tasks) {
      const t = getTask(task);
      if (t?.task.trueMi === undefined) continue; // KSG is for fixed-MI tasks
      const values = g.finiteSample.size * (t.task.dimX + t.task.dimY);
      if (values > MAX_SAMPLE_VALUES) throw new UsageError(`finiteSample.size: a sample of ${g.finiteSample.size} pairs of task '${task}' is ${values.toExponential(2)} values, more than the ${MAX_SAMPLE_VALUES} one sample may hold`);
      for (const seed of g.seeds) {
        jobs.push({ kind: 'ksg', task, seed, size: g.finiteSample.size, k: g.ksg.k, ...(t.pluginHash ? { plugins: [t.pluginHash] } : {}) });
      }
    }
  }
  if (g.gan) {
    if (!Number.isInteger(g.gan.steps) || g.gan.steps < 1) throw new UsageError(`gan.steps: must be an integer >= 1 (got ${g.gan.steps})`);
    if (!(g.gan.beta >= 0) || !Number.isFinite(g.gan.beta)) throw new UsageError(`gan.beta: must be a finite number >= 0 (got ${g.gan.beta})`);
    const gan = g.gan;
    if (gan.arms) {
      if (gan.setup !== 'grid') throw new UsageError("gan.arms: needs gan.setup 'grid'");
      gan.arms.forEach((arm, i) => {
        if (arm.beta !== undefined && !(arm.beta >= 0 && Number.isFinite(arm.beta))) throw new UsageError(`gan.arms[${i}].beta: must be a finite number >= 0 (got ${arm.beta})`);
        for (const seed of g.seeds) {
          jobs.push(gridSpec(arm.variant, seed, {
            steps: gan.steps, beta: arm.beta ?? gan.beta, backend: g.backend,
            ...(gan.engine ? { engine: gan.engine } : {}),
            ...(arm.code ? { code: arm.code } : {}),
            ...(arm.miceBlockPartition !== undefined ? { miceBlockPartition: arm.miceBlockPartition } : {}),
            ...(arm.miceForm ? { miceForm: arm.miceForm } : {}),
            ...(arm.tau !== undefined ? { tau: arm.tau } : {}),
          }));
        }
      });
    } else if (gan.setup === 'grid') {
      for (const variant of gan.variants) for (const seed of g.seeds) {
        jobs.push(gridSpec(variant, seed, { steps: gan.steps, beta: gan.beta, backend: g.backend, ...(gan.engine ? { engine: gan.engine } : {}) }));
      }
    } else {
      for (const variant of gan.variants) for (const seed of g.seeds) {
        if (variant === 'smile' || variant === 'infonce') throw new UsageError(`gan.variants: '${variant}' needs gan.setup 'grid'`);
        jobs.push({ kind: 'gan', variant, seed, steps: gan.steps, beta: variant === 'vanilla' ? 0 : gan.beta, backend: g.backend });
      }
    }
  }
  if (jobs.length === 0) {
    const why = g.jointMaxInputs !== undefined && g.critics.every((c) => c === 'joint')
      ? ` (jointMaxInputs ${g.jointMaxInputs} keeps the joint critic off tasks with more inputs; a config's "jointMaxInputs": null lifts it)` : '';
    throw new UsageError(`the grid is empty: give at least one estimator, critic, task, ρ_batch, batch size and seed${why}`);
  }
  return jobs;
}

/** Rough relative cost of a job, in "separable n=64 h=256 steps", for ordering and ETA only. */
export function jobCost(job: Job): number {
  // GAN: v1 (tfjs) ≈ 4 separable steps per step; 'grid' (wasm) ≈ 2 (measured ms/step, docs/gan.md).
  if (isGan(job)) return job.steps * (job.setup === 'grid' ? 2 : 4);
  if (isKsg(job)) {
    // About as long as a few thousand separable steps at the BMI sizes (O(N² d) for wide tasks).
    const t = getTask(job.task)?.task;
    const d = t ? t.dimX + t.dimY : 2;
    return (job.size / 5000) ** 2 * (d <= 6 ? 500 : 200 * d);
  }
  const steps = job.mi.length * job.stepsPerLevel;
  const n = job.batchSize / 64, h = job.hidden / 256;
  // The finite-sample protocol's held-out evaluations add about one forward pass per point held out per evalEvery steps.
  // Separable: O(n·d·h + n·h²) per step; joint: O(n²·h²) (the pair layers), ~20× separable at n = 64.
  const perStep = job.critic === 'joint' ? 20 * n * n * h * h : n * h * h;
  return steps * Math.max(perStep, 1e-3);
}

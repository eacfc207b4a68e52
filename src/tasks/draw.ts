/**
 * Drawing data for a cell, whatever its task: the paper's Gaussian/Cubic through sampleBatch
 * exactly as before (so their data streams are unchanged bit for bit), the field's staircases
 * through their own samplers at the cell's dim, every other task through its TaskDefinition's
 * sampler, checked for shape and converted to the engines' float32 rows.
 * Also the fixed sample of BMI's finite-sample protocol (standardised, as BMI does).
 */
import type { CellSpec, TaskDefinition, TaskId } from '../types.js';
import type { Rng } from '../rng.js';
import { UsageError } from '../errors.js';
import { sampleBatch } from './batch.js';
import { builtinStaircase, getTask, isBuiltinStaircase, isPaperTask } from './registry.js';
import { FIELD_STAIRCASE_DEFS, isFieldStaircase } from './fieldStaircases.js';

export interface Rows {
  /** n×dimX row-major. */
  x: Float32Array;
  /** n×dimY row-major. */
  y: Float32Array;
}

/**
 * The most values (n × (dimX + dimY)) one drawn sample may hold: 10⁷ pairs of a 1 × 1 task. A
 * task draws its whole sample at once (its stream order fixes the numbers), as float64 for BMI's
 * tasks and plugins, and `harness sample` prints ~27 bytes a value: this bounds both near half a
 * gigabyte. Larger samples (`harness sample --n`, the finite-sample protocol's size) are refused
 * as bad input rather than ending in an allocation failure.
 */
export const MAX_SAMPLE_VALUES = 20_000_000;

/** The task `id`; a built-in staircase at dimension `dim` (default: the paper's d = 20). */
export function requireTask(id: TaskId, dim?: number): TaskDefinition {
  if (dim !== undefined && isBuiltinStaircase(id)) return builtinStaircase(id, dim);
  const t = getTask(id);
  if (!t) throw new UsageError(`task: unknown task '${id}' (see \`harness tasks\`; plugin tasks need --plugin)`);
  return t.task;
}

/** Draw n pairs from a task's sampler and check their shape and finiteness. */
export function drawFromTask(task: TaskDefinition, rng: Rng, n: number, mi: number, batchRho: number | 'random' = 0): { x: ArrayLike<number>; y: ArrayLike<number> } {
  const s = task.sample(n, rng, { mi, batchRho });
  if (!s || typeof s !== 'object' || s.x?.length !== n * task.dimX || s.y?.length !== n * task.dimY) {
    throw new Error(`task '${task.id}': sample(${n}) must return x of length ${n * task.dimX} and y of length ${n * task.dimY}`);
  }
  return s;
}

/** One training batch for a cell (the stream protocol). */
export function drawBatch(spec: CellSpec, rng: Rng, n: number, mi: number): Rows {
  if (isPaperTask(spec.task)) {
    const b = sampleBatch(spec.task, rng, n, spec.dim, mi, spec.batchRho);
    return { x: b.x, y: b.y };
  }
  if (isFieldStaircase(spec.task)) return FIELD_STAIRCASE_DEFS[spec.task].sample(rng, n, spec.dim, mi, spec.batchRho);
  const s = drawFromTask(requireTask(spec.task), rng, n, mi, spec.batchRho);
  return { x: Float32Array.from(s.x), y: Float32Array.from(s.y) };
}

export interface FixedSample {
  /** size×dimX, standardised per coordinate. */
  x: Float64Array;
  /** size×dimY, standardised per coordinate. */
  y: Float64Array;
  dimX: number;
  dimY: number;
}

/**
 * `size` points from the task (a built-in staircase at dimension `dim`, the cell's), each
 * coordinate standardised to mean 0 and (population) standard
 * deviation 1 over the whole sample, as BMI does before splitting (ProductSpace(standardize=True);
 * its benchmark also rescales every task). A constant coordinate is only centred.
 */
export function fixedSample(taskId: TaskId, rng: Rng, size: number, mi: number, dim?: number): FixedSample {
  const task = requireTask(taskId, dim);
  const s = drawFromTask(task, rng, size, mi);
  return { x: standardise(s.x, size, task.dimX), y: standardise(s.y, size, task.dimY), dimX: task.dimX, dimY: task.dimY };
}

export function standardise(a: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = Float64Array.from(a);
  for (let k = 0; k < d; k++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += out[i * d + k];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (out[i * d + k] - m) ** 2;
    const sd = Math.sqrt(v / n);
    const inv = sd > 0 ? 1 / sd : 1;
    for (let i = 0; i < n; i++) out[i * d + k] = (out[i * d + k] - m) * inv;
  }
  return out;
}

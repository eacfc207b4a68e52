/**
 * The WebGPU lane of the pool: which jobs it may train, how it groups them into batches of K,
 * and where their cells live.
 *
 * Addresses. A cell trained on WebGPU does not have the numbers of the same spec on the wasm
 * engine: float32 sums in another order agree at step 0 to ~1e-7 and drift apart over training
 * (test/webgpu-engine.test.ts bounds it at 5e-2 of the estimate over 200 steps), beyond the
 * bound-precision rule. So it must not take the wasm cell's address: a job with engine 'auto'
 * that the GPU lane trains is stored as its *twin*, the same spec with engine 'webgpu' — exactly
 * the cell `--engine webgpu` writes for it — and a sweep counts an auto job as done when either
 * its own cell or its twin is in the store. Nothing already published moves, a store written on
 * a GPU machine re-runs nothing on a CPU-only one, and the report sees the engine in the spec.
 */
import type { CellSpec } from '../../src/types.js';
import { batchKey, unsupported } from '../../src/engine/webgpu/loop.js';
import { batchBytes } from '../../src/engine/webgpu/runtime.js';
import { criticLayout } from '../../src/critics/layout.js';
import { isCell, type Job } from './grid.js';
import { jobHash } from './hash.js';
import type { PendingJob } from './pool.js';

/** The GPU lane's settings, decided by the sweep from the adapter probe. */
export interface WebGpuLane {
  /** Cells per batch (K). */
  batch: number;
  /** Take a software adapter (tests); `auto` alone never does. */
  allowSoftware: boolean;
  /** The adapter's description, for the progress line. */
  adapter: string;
  /** The device's largest storage buffer (bytes): a batch is cut to what fits. */
  maxBinding?: number;
}

/** How many cells of this shape fit one batch on a device whose buffers hold maxBinding bytes. */
export function batchFit(job: CellSpec, maxBinding: number): number {
  const layout = criticLayout(job.critic, job.dim, job.hidden, job.embed, job.spectralNorm, job.dimY ?? job.dim, job.spectralNormLayers ?? 'last');
  return Math.floor(maxBinding / batchBytes(layout, job.batchSize, 1).largest);
}

/** Default K. Not measured on a hardware GPU yet (none lent): see docs/engine.md. */
export const DEFAULT_GPU_BATCH = 64;

/** May the WebGPU lane train this job? Cells the engine supports, engine auto or webgpu, backend auto. */
export function gpuBatchable(job: Job): job is CellSpec {
  return isCell(job) && (job.engine === 'auto' || job.engine === 'webgpu') && job.backend === 'auto' && unsupported(job) === null;
}

/** The cell the GPU lane writes for a job: the same spec with engine 'webgpu', at its own address. */
export function gpuTwin(job: CellSpec): PendingJob {
  const twin: CellSpec = { ...job, engine: 'webgpu' };
  return { job: twin, hash: jobHash(twin) };
}

/** The address under which an auto job may already be done on the GPU lane (null: none). */
export function twinHash(job: Job): string | null {
  return isCell(job) && job.engine === 'auto' && gpuBatchable(job) ? gpuTwin(job).hash : null;
}

/**
 * The next batch (indices into the queue, ascending): the first batchable job and up to K − 1
 * more of the same batchKey, in queue order (the queue is longest-first, so like shapes sit
 * together), cut to what the device's buffers hold (at least one: a cell too large for the
 * device fails with the engine's own --gpu-batch message). Empty when nothing is batchable.
 */
export function pickBatch(queue: readonly PendingJob[], k: number, maxBinding = Infinity): number[] {
  const first = queue.findIndex((p) => gpuBatchable(p.job));
  if (first < 0) return [];
  const key = batchKey(queue[first].job as CellSpec);
  k = Math.max(1, Math.min(k, batchFit(queue[first].job as CellSpec, maxBinding)));
  const picked = [first];
  for (let i = first + 1; i < queue.length && picked.length < k; i++) {
    const j = queue[i].job;
    if (gpuBatchable(j) && batchKey(j) === key) picked.push(i);
  }
  return picked;
}

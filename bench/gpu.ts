/**
 * The WebGPU engine's benchmark (`harness bench --engine webgpu --gpu-batch K,…`): K cells of
 * the bench shape (NWJ, d = 20, h = 256, e = 32, batch n; seeds 0…K−1) trained together by the
 * sweep's own batched loop (src/engine/webgpu/loop.ts) — data drawn on the CPU per cell, one
 * set of dispatches for all K, the K score matrices read back, each cell's bound on the CPU,
 * backward and Adam on the device. Timed as the difference of two runs (S and 2S steps), so
 * buffer creation and pipeline compilation drop out: ms per step per cell = Δt / (S · K).
 * FLOPs as bench/step.ts (per cell; K cells do K times the work).
 *
 * Bytes over the bus per step: up K·(n·d + n·d_y)·4 (the batches) + K·n²·4 (∂loss/∂S), down
 * K·n²·4 (the scores); at n = 64 that is 16 KiB + 11 KiB per cell each way.
 */
import type { CriticKind } from '../src/types.js';
import type { GpuHandle } from '../src/engine/webgpu/gpu.js';
import { trainBatch } from '../src/engine/webgpu/loop.js';
import { batchBytes } from '../src/engine/webgpu/runtime.js';
import { criticLayout } from '../src/critics/layout.js';
import { buildCellSpec } from '../harness/spec.js';
import { BENCH_SHAPE, flopsPerStep } from './step.js';

export interface GpuBenchResult {
  engine: 'webgpu';
  adapter: string;
  fallback: boolean;
  critic: CriticKind;
  batchSize: number;
  /** Cells per batch. */
  k: number;
  /** Timed steps (of all K cells). */
  steps: number;
  msPerStepPerCell: number;
  /** Achieved by the batch: K · FLOPs per step / time per step. */
  gflops: number;
}

/** How many cells of the bench shape fit one batch on this device (its largest buffer). */
export function benchFit(handle: GpuHandle, critic: CriticKind, n: number): number {
  const { d, h, e } = BENCH_SHAPE;
  const per = batchBytes(criticLayout(critic, d, h, e, false), n, 1).largest;
  return Math.floor(handle.device.limits.maxStorageBufferBindingSize / per);
}

async function timeBatch(handle: GpuHandle, critic: CriticKind, n: number, k: number, steps: number): Promise<number> {
  const { d, h, e } = BENCH_SHAPE;
  const specs = Array.from({ length: k }, (_, seed) => buildCellSpec({
    estimator: 'nwj', critic, seed, mi: [2], stepsPerLevel: steps, batchSize: n, dim: d, hidden: h, embed: e, engine: 'webgpu',
  }));
  const t0 = performance.now();
  await trainBatch(handle, specs);
  return performance.now() - t0;
}

/** steps: timed steps (the difference of S and 2S); default: about 2 s of the batch. */
export async function benchWebGpu(handle: GpuHandle, critic: CriticKind, n: number, k: number, steps?: number): Promise<GpuBenchResult> {
  let s = steps;
  if (s === undefined) {
    const probe = (await timeBatch(handle, critic, n, k, 6)) - (await timeBatch(handle, critic, n, k, 3));
    const perStep = Math.max(probe / 3, 0.05);
    s = Math.max(3, Math.min(500, Math.round(2000 / perStep)));
  }
  const a = await timeBatch(handle, critic, n, k, s);
  const b = await timeBatch(handle, critic, n, k, 2 * s);
  const perStep = Math.max(b - a, 1e-3) / s;
  return {
    engine: 'webgpu', adapter: handle.info.description, fallback: handle.info.fallback, critic, batchSize: n, k, steps: s,
    msPerStepPerCell: perStep / k, gflops: (k * flopsPerStep(critic, { ...BENCH_SHAPE, n })) / (perStep * 1e6),
  };
}

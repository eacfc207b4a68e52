/**
 * The training loop for K cells at once on the WebGPU engine: the shared loop of ../train.ts
 * (same data streams, same bounds, same updateFromScores, same summary), with the critic's work
 * for all K cells in one set of dispatches (./runtime.ts) per step.
 *
 * Per step: every cell's batch is drawn on the CPU from its own data stream — cells whose data
 * is the same (seed, task, ρ_batch, n, d, staircase: the data stream depends on the seed only)
 * share one draw, so a batch of estimators at one seed costs one draw — then one forward pass
 * for all K, the K score matrices read back, each cell's bound evaluated by the TypeScript bound
 * as on every engine, and one backward pass + Adam step for all K. A cell whose scores turn
 * non-finite stops there (divergedAt), as in trainLoop; its slice of the batch is then frozen.
 * Negatives by derangement: the GPU still scores all n² pairs, and each such cell's bound reads
 * only the (i, i) and (i, σ(i)) entries (updateFromScores), σ from the cell's own stream as on
 * every engine, so the values are the wasm engine's; only the cost saving is the wasm joint critic's.
 *
 * Cells batch together when their critic has the same shape: batchKey() says which fields
 * must agree. Everything else (estimator and its options, seed, task, ρ_batch, learning rate,
 * bound precision) may differ within a batch.
 */
import type { BoundDefinition, BoundState, CellResult, CellSpec } from '../../types.js';
import type { CriticRuntime } from '../types.js';
import { DEFAULT_ADAM } from '../types.js';
import { criticLayout, initParams, initSpectralU } from '../../critics/layout.js';
import { dataStream, initStream, type Rng } from '../../rng.js';
import { drawDerangement } from '../../bounds/derangement.js';
import { getBound } from '../../bounds/index.js';
import { miAtStep } from '../../tasks/index.js';
import { drawBatch } from '../../tasks/draw.js';
import { UsageError } from '../../errors.js';
import { wasmOnlyReason } from '../support.js';
import { negativesStream, summarise, updateFromScores, type TrainOptions, type TrainOutput } from '../train.js';
import { WebGpuBatch } from './runtime.js';
import type { GpuHandle } from './gpu.js';

/** What a WebGPU cell adds to its CellResult: where it ran and with how many cells. */
export interface GpuRun {
  adapter: string;
  fallback: boolean;
  /** Cells trained together in this batch (K). */
  batch: number;
  /** Wall time of the whole batch, ms (the cell's wallMs is its 1/K share). */
  batchWallMs: number;
}

/** The fields cells must share to train in one batch (the critic's shape and the step count). */
export function batchKey(s: CellSpec): string {
  const spectral = s.spectralNorm ? (s.spectralNormLayers ?? 'last') : 'off';
  return [s.critic, s.batchSize, s.dim, s.dimY ?? s.dim, s.hidden, s.embed, spectral, s.mi.length * s.stepsPerLevel].join('|');
}

/** Why the WebGPU engine cannot train this cell, or null. */
export function unsupported(s: CellSpec): string | null {
  if (s.critic !== 'joint' && s.critic !== 'separable') return `the ${s.critic} critic`;
  const wasmOnly = wasmOnlyReason(s);
  if (wasmOnly) return wasmOnly;
  if (s.finiteSample) return "BMI's finite-sample protocol (--sample-size)";
  return null;
}

function dataKey(s: CellSpec): string {
  return JSON.stringify([s.seed, s.task, s.batchRho, s.batchSize, s.dim, s.dimY ?? s.dim, s.mi, s.stepsPerLevel]);
}

export async function trainBatch(gpu: GpuHandle, specs: CellSpec[], options: TrainOptions = {}): Promise<CellResult[]> {
  if (specs.length === 0) return [];
  const key = batchKey(specs[0]);
  for (const s of specs) {
    const why = unsupported(s);
    if (why) throw new UsageError(`--engine webgpu: ${why} is not supported by the WebGPU engine (use --engine wasm)`);
    if (batchKey(s) !== key) throw new RangeError(`webgpu engine: cells of different shapes in one batch (${batchKey(s)} vs ${key})`);
  }
  const s0 = specs[0];
  const K = specs.length, n = s0.batchSize, dimY = s0.dimY ?? s0.dim;
  const layout = criticLayout(s0.critic, s0.dim, s0.hidden, s0.embed, s0.spectralNorm, dimY, s0.spectralNormLayers ?? 'last');
  const cells = specs.map((s) => {
    const rng = initStream(s.seed, s.critic, s.dim, s.hidden, s.embed, dimY);
    const params = initParams(layout, rng);
    return { params, spectralU: initSpectralU(layout, rng), adam: { ...DEFAULT_ADAM, lr: s.lr } };
  });
  const batch = new WebGpuBatch(gpu.device, layout, n, cells);
  try {
    const out = await loop(batch, specs, options);
    const backend = 'webgpu';
    const rt = { engine: 'webgpu', backend } as unknown as CriticRuntime;
    return specs.map((s, z) => {
      const r = summarise(s, rt, { ...out.runs[z], wallMs: out.wallMs / K });
      const gpuRun: GpuRun = { adapter: gpu.info.description, fallback: gpu.info.fallback, batch: K, batchWallMs: out.wallMs };
      return { ...r, gpu: gpuRun };
    });
  } finally {
    batch.dispose();
  }
}

interface LoopOutput {
  runs: Omit<TrainOutput, 'wallMs'>[];
  wallMs: number;
}

async function loop(batch: WebGpuBatch, specs: CellSpec[], options: TrainOptions): Promise<LoopOutput> {
  const K = specs.length, n = batch.n;
  const s0 = specs[0];
  const dx = s0.dim, dy = s0.dimY ?? s0.dim;
  const steps = s0.mi.length * s0.stepsPerLevel;
  const bounds: BoundDefinition[] = specs.map((s) => getBound(s.estimator));
  const negatives = specs.map((s, z) => negativesStream(s, bounds[z]));
  const sigma = new Int32Array(n);
  // One data stream per distinct data key; cells index into it.
  const streams = new Map<string, { rng: Rng; spec: CellSpec; members: number[] }>();
  specs.forEach((s, z) => {
    const k = dataKey(s);
    const e = streams.get(k);
    if (e) e.members.push(z); else streams.set(k, { rng: dataStream(s.seed), spec: s, members: [z] });
  });
  const xs = new Float32Array(K * n * dx), ys = new Float32Array(K * n * dy);
  const dLoss = new Float32Array(K * n * n);
  const active = new Uint8Array(K).fill(1);
  const states: (BoundState | undefined)[] = Array(K).fill(undefined);
  const estimates = specs.map(() => new Float64Array(steps).fill(NaN));
  const divergedAt: (number | null)[] = Array(K).fill(null);
  let z0 = 0;
  const sink = { step: (d: Float32Array) => { dLoss.set(d.subarray(0, n * n), z0 * n * n); } } as unknown as CriticRuntime;
  const every = options.progressEvery ?? 100;
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    for (const { rng, spec, members } of streams.values()) {
      const b = drawBatch(spec, rng, n, miAtStep(spec.mi, spec.stepsPerLevel, t));
      for (const z of members) { xs.set(b.x.subarray(0, n * dx), z * n * dx); ys.set(b.y.subarray(0, n * dy), z * n * dy); }
    }
    const S = await batch.scores(xs, ys);
    for (let z = 0; z < K; z++) {
      if (!active[z]) continue;
      const s = specs[z];
      z0 = z;
      const der = negatives[z];
      const out = updateFromScores(sink, bounds[z], S.subarray(z * n * n, (z + 1) * n * n), n, s.boundOptions, states[z], s.boundPrecision, der ? drawDerangement(der, n, sigma) : undefined);
      if (!out) { active[z] = 0; divergedAt[z] = t; dLoss.fill(0, z * n * n, (z + 1) * n * n); continue; }
      states[z] = out.state;
      estimates[z][t] = out.estimate;
    }
    if (!active.some((a) => a)) break;
    batch.step(dLoss, active);
    if (options.onProgress && (t % every === 0 || t === steps - 1)) {
      const z = active.indexOf(1);
      if (z >= 0) options.onProgress({ step: t, steps, estimate: estimates[z][t], trueMi: miAtStep(specs[z].mi, specs[z].stepsPerLevel, t) });
    }
  }
  // The last step's update lands before the wall time is taken (and before dispose).
  await batch.finish();
  return { runs: specs.map((_, z) => ({ estimates: estimates[z], divergedAt: divergedAt[z] })), wallMs: performance.now() - t0 };
}

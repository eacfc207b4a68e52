/**
 * The training-step benchmark behind `harness bench`: one full step (forward, the shared NWJ
 * bound's estimate and gradient, backward, Adam) at the paper's size (or any batch size n),
 * timed with tinybench for any engine/backend, and the PyTorch reference of the same step
 * (bench/torch_step.py).
 *
 * FLOPs per step (a multiply-add counts 2), the algorithmic minimum of the matrix products,
 * the same count for every engine (tfjs's autodiff does an extra forward pass; not counted):
 *   separable: per tower, forward 2n(dh + h² + he), weight gradients 2n(dh + h² + he), input
 *              gradients 2n(h² + he) (none for the first layer); plus S = FGᵀ and its two
 *              gradients, 6n²e. At n = 64, d = 20, h = 256, e = 32: 60.0 MFLOP.
 *   joint:     pair layer-2 forward 2n²h², its weight and input gradients 4n²h², the last layer
 *              forward and backward 6n²h, the decomposed first layer (A = X W_xᵀ, B = Y W_yᵀ and
 *              their weight gradients) 8ndh. At the same size: 1.62 GFLOP.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import type { BackendChoice, CriticKind } from '../src/types.js';
import type { Engine } from '../src/engine/types.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { dataStream, initStream } from '../src/rng.js';
import { sampleBatch } from '../src/tasks/index.js';
import { getBound } from '../src/bounds/index.js';
import type { BoundPrecision } from '../src/bounds/passes.js';
import { updateFromScores } from '../src/engine/train.js';
import { UsageError } from '../src/errors.js';

export interface BenchShape { n: number; d: number; h: number; e: number }
export const BENCH_SHAPE: BenchShape = { n: 64, d: 20, h: 256, e: 32 };

export interface BenchResult {
  engine: string;
  backend: string;
  critic: CriticKind;
  /** Batch size n of the timed step (d, h, e as BENCH_SHAPE). */
  batchSize: number;
  msPerStep: number;
  gflops: number;
  /** Threads the engine used (the wasm engine's optional 2-thread split; 1 otherwise). */
  threads: number;
  /** Precision of the bound's n² exponentials (float64: the default, bit for bit Math.exp). */
  boundPrecision: BoundPrecision;
  /** Which of `harness bench --rounds K` measurements this is (1…K). */
  round?: number;
}

export function flopsPerStep(critic: CriticKind, s: BenchShape = BENCH_SHAPE): number {
  const { n, d, h, e } = s;
  if (critic === 'separable') {
    const tower = 2 * n * (d * h + h * h + h * e) * 2 + 2 * n * (h * h + h * e);
    return 2 * tower + 6 * n * n * e;
  }
  return 6 * n * n * h * h + 6 * n * n * h + 8 * n * d * h;
}

export interface StepBenchOptions {
  critic: CriticKind;
  backend: BackendChoice;
  /** Kernel variant (wasm engine: 'relaxed' | 'simd'). */
  variant?: string;
  /** Threads (wasm engine: 1 or 2). */
  threads?: number;
  /** Batch size n (default BENCH_SHAPE.n = 64). */
  batchSize?: number;
  /** Timed steps; undefined: as many as fit in about `budgetMs` (at least 5, at most 200). */
  steps?: number;
  budgetMs?: number;
  /**
   * 'wall' (default): elapsed time. 'cpu': this process's CPU time (user + system), which a
   * shared, loaded machine inflates far less; equal to wall time for a one-thread step on an
   * idle core.
   */
  clock?: Clock;
  /** The bound's n² exponentials: 'float64' (default) or the opt-in 'float32' (src/bounds/passes.ts). */
  boundPrecision?: BoundPrecision;
}

export type Clock = 'wall' | 'cpu';

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Time one training step of `engine` with tinybench; the median step time is reported. */
export async function benchStep(engine: Engine, o: StepBenchOptions): Promise<BenchResult> {
  const s: BenchShape = { ...BENCH_SHAPE, n: o.batchSize ?? BENCH_SHAPE.n };
  const layout = criticLayout(o.critic, s.d, s.h, s.e, false);
  const init = initStream(0, o.critic, s.d, s.h, s.e);
  const rt = await engine.create(layout, initParams(layout, init), {
    adam: DEFAULT_ADAM, backend: o.backend, spectralU: initSpectralU(layout, init), variant: o.variant,
    threads: o.threads,
  });
  try {
    const rng = dataStream(0);
    // 16 batches cycle (4 when n > 256: they are only data; the step's cost does not depend on them).
    const batches = Array.from({ length: s.n > 256 ? 4 : 16 }, () => sampleBatch('gaussian', rng, s.n, s.d, 2, 0));
    const nwj = getBound('nwj');
    let i = 0;
    const step = (): void => {
      const b = batches[i++ % batches.length];
      // The training loop's own update (divergence check, bound, dLoss/dS hand-off, backward, Adam).
      const out = updateFromScores(rt, nwj, rt.scores(b.x, b.y, s.n), s.n, {}, undefined, o.boundPrecision);
      if (!out) throw new UsageError(`--steps: the critic's scores overflowed after ${i} training steps on the benchmark's ${batches.length} fixed batches; time fewer steps`);
    };
    // Warm-up (JIT, first-call allocation), and a first estimate of the step time.
    const t0 = performance.now();
    for (let k = 0; k < 3; k++) step();
    const est = (performance.now() - t0) / 3;
    const iterations = o.steps ?? Math.max(5, Math.min(200, Math.round((o.budgetMs ?? 3000) / est)));
    const bench = new Bench({ iterations, time: 0, warmup: false, ...(o.clock === 'cpu' ? { now: cpuNow } : {}) });
    bench.add('step', step);
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state === 'errored') throw r.error;
    if (!('latency' in r)) throw new Error(`bench: the step did not complete (${r.state})`);
    const ms = r.latency.p50 ?? r.latency.mean;
    return {
      engine: rt.engine, backend: rt.backend, critic: o.critic, batchSize: s.n, msPerStep: ms,
      gflops: flopsPerStep(o.critic, s) / (ms * 1e6), threads: o.threads ?? 1, boundPrecision: o.boundPrecision ?? 'float64',
    };
  } finally {
    rt.dispose();
  }
}

export interface TorchResult { critic: CriticKind; n: number; msPerStep: number; torch: string; threads: number; blas: string; device?: 'cpu' | 'cuda'; gpu?: string | null }

/** The Python that has torch, or null: $MI_HARNESS_PYTHON, /usr/bin/python3, then python3 on PATH. */
export function findTorchPython(): { python: string; version: string } | null {
  const candidates = [process.env.MI_HARNESS_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return null;
}

/** Run bench/torch_step.py for one critic at batch size n on one BLAS thread. */
export function benchTorch(python: string, critic: CriticKind, steps: number, clock: Clock = 'wall', n = BENCH_SHAPE.n, device: 'cpu' | 'cuda' = 'cpu'): TorchResult {
  const script = fileURLToPath(new URL('../../bench/torch_step.py', import.meta.url));
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const args = [script, '--critic', critic, '--steps', String(steps), '--clock', clock, '--n', String(n), ...(device === 'cuda' ? ['--device', 'cuda'] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', env, timeout: 3_600_000 });
  if (r.status !== 0) throw new Error(`bench/torch_step.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

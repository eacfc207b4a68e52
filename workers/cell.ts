/**
 * The Piscina worker: one job in (a CellSpec or a GanSpec), one result out. A worker lives on a
 * lane: the single 'gpu' lane owns the CUDA device (the native tfjs addon cannot load in a second
 * thread); 'cpu' lanes pin backend 'auto' to 'wasm' so they never touch the native addon.
 *
 * TEST-ONLY fault injection: MI_HARNESS_FAULT="<selector>:<mode>[,…]" where selector is a hash
 * prefix (≥ 4 hex digits), an estimator variant label (e.g. `nwj`, `smile:tau=1`), `gan` or `*`,
 * and mode is throw | hang | oom | flaky (throws on the first attempt only) | slow (waits 300 ms
 * first, then runs normally: lets a test kill a sweep mid-run). Read here and
 * nowhere else; never set it outside tests.
 */
import type { CellResult, CellSpec, GanResult, GanSpec, Job, KsgResult, KsgSpec } from '../src/types.js';
import { variantLabel } from '../src/variant.js';
import { ensurePlugins, type PluginRef } from './plugins.js';
import { threadCpuMs } from './cpu.js';

export interface CellTask {
  job: Job;
  hash: string;
  lane: 'gpu' | 'cpu';
  attempt: number;
  /** The sweep's --plugin files: loaded (once per worker) before the job runs. */
  plugins?: PluginRef[];
}

export interface ProbeTask { probe: 'cuda' }

/**
 * The WebGPU lane's task: K cells of one critic shape (harness/sweep/gpuLane.ts), each already
 * its engine-'webgpu' twin, trained together on this worker's device.
 */
export interface BatchTask {
  batch: { job: Job; hash: string }[];
  lane: 'gpu';
  /** Take a software adapter (tests and explicit --engine webgpu). */
  allowSoftware: boolean;
  plugins?: PluginRef[];
}

/** Load the engine modules before the first timed job, so a cell's time limit is its own. */
export type WarmTask = { warm: 'gpu' | 'cpu' } | { warm: 'webgpu'; allowSoftware: boolean };

export interface CellOutput {
  result: CellResult | GanResult | KsgResult;
  engine: string;
  backend: string;
  wallMs: number;
  /** CPU time of this worker thread over the job, ms (threadCpuMs); null where it cannot be told apart. */
  cpuMs: number | null;
  startedAt: string;
  finishedAt: string;
}

export default async function work(task: CellTask | BatchTask | ProbeTask | WarmTask): Promise<CellOutput | CellOutput[] | { cuda: boolean } | null> {
  if ('probe' in task) return { cuda: await probeCuda() };
  if ('warm' in task) {
    if (task.warm === 'webgpu') await warmWebGpu(task.allowSoftware); else await warm(task.warm);
    return null;
  }
  if ('batch' in task) return runBatch(task);
  const startedAt = new Date();
  const t0 = performance.now();
  const c0 = threadCpuMs();
  injectFault(task);
  await ensurePlugins(task.plugins);
  const { job } = task;
  const result = isGan(job) ? await runGan(job, task.lane) : isKsg(job) ? await runKsg(job) : await runTrainingCell(job, task.lane);
  const finishedAt = new Date();
  const c1 = threadCpuMs();
  return {
    result,
    engine: result.engine,
    backend: result.backend,
    wallMs: performance.now() - t0,
    cpuMs: cellCpu(c0, c1, result.backend, 1),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}

function isGan(job: Job): job is GanSpec {
  return (job as GanSpec).kind === 'gan';
}

function isKsg(job: Job): job is KsgSpec {
  return (job as KsgSpec).kind === 'ksg';
}

async function runKsg(spec: KsgSpec): Promise<KsgResult> {
  const { runKsgJob } = await import('../src/estimators/run.js');
  return runKsgJob(spec);
}

function onLane<T extends { backend: CellSpec['backend'] }>(spec: T, lane: 'gpu' | 'cpu'): T {
  return lane === 'cpu' && spec.backend === 'auto' ? { ...spec, backend: 'wasm' } : spec;
}

async function runTrainingCell(spec: CellSpec, lane: 'gpu' | 'cpu'): Promise<CellResult> {
  const { runCell } = await import('../src/engine/run.js');
  return runCell(onLane(spec, lane));
}

async function runGan(spec: GanSpec, lane: 'gpu' | 'cpu'): Promise<GanResult> {
  // A variable specifier: src/gan/run.ts is another module's, and may not be built yet.
  const path = '../src/gan/run.js';
  const mod = (await import(path)) as { runGanCell(spec: GanSpec): Promise<GanResult> };
  return mod.runGanCell(onLane(spec, lane));
}

async function warmWebGpu(allowSoftware: boolean): Promise<void> {
  try {
    const { acquireGpu } = await import('../src/engine/webgpu/gpu.js');
    await acquireGpu(allowSoftware);
  } catch { /* the batch itself will report it */ }
}

async function runBatch(task: BatchTask): Promise<CellOutput[]> {
  const startedAt = new Date();
  const t0 = performance.now();
  const c0 = threadCpuMs();
  await ensurePlugins(task.plugins);
  const { acquireGpu, trainBatch } = await import('../src/engine/webgpu/index.js');
  const probe = await acquireGpu(task.allowSoftware);
  if (!probe.ok) throw new Error(`webgpu lane: ${probe.why}`);
  const results = await trainBatch(probe.handle, task.batch.map((b) => b.job as CellSpec));
  const finishedAt = new Date().toISOString();
  const wallMs = (performance.now() - t0) / results.length;
  // The batch's K cells share this thread's time, as they share the wall time: an even split.
  const c1 = threadCpuMs();
  return results.map((result) => ({
    result, engine: result.engine, backend: result.backend, wallMs, cpuMs: cellCpu(c0, c1, result.backend, results.length),
    startedAt: startedAt.toISOString(), finishedAt,
  }));
}

/**
 * A cell's share of this thread's CPU time. Every engine the sweep runs computes on the worker's
 * own thread (the wasm engine's optional gemm helper thread is `threads: 2`, which the sweep never
 * asks for); the native tfjs backend computes in TensorFlow's own thread pool, which no
 * per-thread clock sees: null there rather than a number that leaves most of the work out.
 */
function cellCpu(c0: number | null, c1: number | null, backend: string, cells: number): number | null {
  if (c0 === null || c1 === null || backend.startsWith('tfjs-tensorflow')) return null;
  return (c1 - c0) / cells;
}

async function warm(lane: 'gpu' | 'cpu'): Promise<void> {
  try {
    const { selectEngine } = await import('../src/engine/select.js');
    await selectEngine('auto', lane === 'cpu' ? 'wasm' : 'auto');
  } catch { /* the job itself will report it */ }
}

async function probeCuda(): Promise<boolean> {
  try {
    const path = '../src/engine/tfjs/backends.js';
    const mod = (await import(path)) as { cudaAvailable?: () => Promise<boolean> };
    return mod.cudaAvailable ? await mod.cudaAvailable() : false;
  } catch { return false; }
}

function injectFault(task: CellTask): void {
  const raw = process.env.MI_HARNESS_FAULT;
  if (!raw) return;
  for (const entry of raw.split(',')) {
    const cut = entry.lastIndexOf(':');
    if (cut < 0) continue;
    const selector = entry.slice(0, cut).trim(), mode = entry.slice(cut + 1).trim();
    if (!matches(selector, task)) continue;
    if (mode === 'throw' || (mode === 'flaky' && task.attempt === 1)) {
      throw new Error(`injected fault (MI_HARNESS_FAULT=${entry}) on attempt ${task.attempt}`);
    }
    if (mode === 'slow') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    if (mode === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    if (mode === 'oom') {
      const hog: number[][] = [];
      for (;;) hog.push(new Array(1 << 20).fill(task.attempt));
    }
  }
}

function matches(selector: string, task: CellTask): boolean {
  if (selector === '*') return true;
  if (/^[0-9a-f]{4,64}$/.test(selector) && task.hash.startsWith(selector)) return true;
  if (isGan(task.job)) return selector === 'gan' || selector === `gan:${task.job.variant}`;
  if (isKsg(task.job)) return selector === 'ksg';
  return selector === variantLabel(task.job) || selector === task.job.estimator;
}

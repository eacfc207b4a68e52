/**
 * The pool: runs pending jobs on Piscina workers, one job per task, and writes each result to
 * the cell store the moment it arrives. A failing attempt (throw, timeout, worker out of memory
 * or crashed) is retried up to `retries` times, then recorded in failures/ — never as a result —
 * and the sweep carries on. Timeouts abort the Piscina task, which terminates its worker thread.
 *
 * Lanes: with a usable CUDA backend, lane 0 is a one-thread pool that owns the GPU and takes
 * joint-critic (and GAN) jobs first; every other lane is a CPU worker running the wasm engine,
 * taking separable jobs first. Whether CUDA is usable is asked of the GPU worker itself (the
 * native addon must load in the thread that will use it), or injected by the caller.
 *
 * With a WebGPU adapter (the caller's `webgpu`, decided by the sweep's probe) lane 0 is the
 * WebGPU lane instead: it takes K cells of one critic shape at a time (./gpuLane.ts) and trains
 * them in one batch on its worker, writing each under its WebGPU address; the CPU lanes take the
 * jobs it cannot train (GANs, KSG, the finite-sample protocol, explicit wasm/tfjs cells). A
 * failed batch charges an attempt to each of its cells, which go back to the queue.
 */
import { storeWriteError } from '../output.js';
import { Piscina } from 'piscina';
import type { BatchTask, CellTask, CellOutput, ProbeTask, WarmTask } from '../../workers/cell.js';
import { gpuBatchable, gpuTwin, pickBatch, type WebGpuLane } from './gpuLane.js';
import type { CellResult, CellSpec, GanResult } from '../../src/types.js';
import type { Job } from './grid.js';
import { isCell, isGan } from './grid.js';
import { CELL_FORMAT, FAILURE_FORMAT, type CellFile, type CellStore } from './store.js';
import { CODE_VERSION, PACKAGE_VERSION } from './hash.js';
import type { MachineProvenance } from './provenance.js';
import { jobLabel } from './label.js';
import { MAX_TIMEOUT_MS } from './flags.js';
import type { PluginRef } from '../../workers/plugins.js';

export type Lane = 'gpu' | 'cpu';

export interface PendingJob {
  job: Job;
  hash: string;
}

export type SweepEvent =
  | { type: 'plan'; total: number; cached: number; pending: number; corrupt: number; shard: string | null; out: string }
  | { type: 'lanes'; lanes: Lane[]; gpu?: string }
  | { type: 'corrupt'; hash: string; reason: string; /** The file, when a store names one (`<hash>.json.br` or `<hash>.json`). */ file?: string }
  | { type: 'start'; hash: string; label: string; attempt: number; lane: Lane }
  | { type: 'done'; hash: string; label: string; attempt: number; wallMs: number; engine: string; backend: string; lane?: Lane }
  | { type: 'retry'; hash: string; label: string; attempt: number; error: string }
  | { type: 'failed'; hash: string; label: string; attempts: number; error: string }
  | { type: 'summary'; total: number; cached: number; done: number; failed: number; exitCode: number; summaryFile: string | null; poolMs?: number };

export interface PoolOptions {
  jobs: PendingJob[];
  store: CellStore;
  workers: number;
  retries: number;
  /** Per attempt; 0 = no limit. */
  timeoutMs: number;
  /** V8 old-generation limit per worker (MB). */
  heapMb: number;
  /** Whether a CUDA lane exists: a boolean (tests) or 'probe' (ask a worker). */
  cuda: boolean | 'probe';
  /** A WebGPU lane (replaces the CUDA lane); null or absent: none. */
  webgpu?: WebGpuLane | null;
  machine: MachineProvenance;
  onEvent(e: SweepEvent): void;
  /** Stop dispatching and terminate running jobs (SIGINT); nothing is recorded for those. */
  signal?: AbortSignal;
  /** Worker file (tests may substitute one). */
  workerFile?: URL;
  /** --plugin files every worker loads (by path, checked against their hash) before its jobs. */
  plugins?: PluginRef[];
}

export interface PoolOutcome {
  done: number;
  failed: string[];
  lanes: Lane[];
}

/** Loading the engine in a fresh worker takes seconds; this only guards against a stuck load. */
const WARM_TIMEOUT_MS = 10 * 60_000;

const WORKER_FILE = new URL('../../workers/cell.js', import.meta.url);

/** Lane layout for a worker count: the GPU lane (if any) first. */
export function planLanes(workers: number, cuda: boolean): Lane[] {
  const n = Math.max(1, Math.floor(workers));
  return cuda ? ['gpu', ...Array<Lane>(n - 1).fill('cpu')] : Array<Lane>(n).fill('cpu');
}

/** Wants a GPU: joint critics (O(n²) pair network) and GANs (tfjs engine only). */
export function prefersGpu(job: Job): boolean {
  return isGan(job) || (isCell(job) && job.critic === 'joint');
}

/**
 * Which queued job a lane takes next (index into the queue, or −1 when empty): the GPU lane
 * takes the first GPU-preferring job, CPU lanes (when a GPU lane exists) the first other job;
 * either falls back to the queue's head so no lane idles while work remains.
 */
export function pickJob(queue: readonly PendingJob[], lane: Lane, hasGpuLane: boolean, webgpuLane = false): number {
  if (queue.length === 0) return -1;
  // Beside a WebGPU lane the CPU lanes take only what it cannot train: it trains K at a time.
  if (webgpuLane && lane === 'cpu') return queue.findIndex((p) => !gpuBatchable(p.job));
  if (lane === 'gpu') {
    const i = queue.findIndex((p) => prefersGpu(p.job));
    return i >= 0 ? i : 0;
  }
  if (hasGpuLane) {
    const i = queue.findIndex((p) => !prefersGpu(p.job));
    return i >= 0 ? i : 0;
  }
  return 0;
}

/** Does any job let the engine choose (so a GPU could be used at all)? */
export function mayUseGpu(jobs: readonly PendingJob[]): boolean {
  return jobs.some(({ job }) => 'backend' in job && (job.backend === 'auto' || job.backend === 'tensorflow'));
}

export async function runPool(o: PoolOptions): Promise<PoolOutcome> {
  const file = (o.workerFile ?? WORKER_FILE).href;
  const queue = [...o.jobs];
  const failed: string[] = [];
  let done = 0;
  if (queue.length === 0) return { done, failed, lanes: [] };
  // One single-thread pool per lane, so a lane's worker can be replaced without touching the others.
  const newPool = () => new Piscina({
    filename: file, minThreads: 1, maxThreads: 1, idleTimeout: 60_000, resourceLimits: { maxOldGenerationSizeMb: o.heapMb },
  });
  // Warm a worker (module loading, wasm compilation) outside any job's time limit: a tight
  // --timeout must bound the cell, not the seconds a busy machine needs to load the engine.
  const warm = (pool: Piscina, lane: Lane) => {
    const task: WarmTask = lane === 'gpu' && o.webgpu ? { warm: 'webgpu', allowSoftware: o.webgpu.allowSoftware } : { warm: lane };
    return pool.run(task, { signal: AbortSignal.timeout(WARM_TIMEOUT_MS) }).catch(() => null);
  };

  let gpuPool: Piscina | null = null;
  const webgpu = o.webgpu ?? null;
  let cuda = o.cuda === true && !webgpu;
  if (o.cuda === 'probe' && !webgpu && mayUseGpu(queue)) {
    gpuPool = newPool();
    const probe: ProbeTask = { probe: 'cuda' };
    cuda = await gpuPool.run(probe).then((r: { cuda: boolean }) => r.cuda === true, () => false);
    if (!cuda) { await gpuPool.destroy(); gpuPool = null; }
  }
  const gpuLane = cuda || webgpu !== null;
  const lanes = webgpu
    ? planLanes(1 + Math.min(o.workers - 1, queue.filter((p) => !gpuBatchable(p.job)).length), true)
    : planLanes(Math.min(o.workers, queue.length + (cuda ? 1 : 0)), cuda);
  o.onEvent({ type: 'lanes', lanes, ...(webgpu ? { gpu: `WebGPU, ${webgpu.adapter}, batches of ${webgpu.batch}` } : {}) });
  const pools = lanes.map((lane) => (lane === 'gpu' ? (gpuPool ??= newPool()) : newPool()));
  await Promise.all(pools.map((pool, k) => warm(pool, lanes[k])));

  const attempts = new Map<string, { attempt: number; error: string; at: string }[]>();
  const running = new Set<AbortController>();
  const stopAll = () => { for (const c of running) c.abort(new Error('sweep interrupted')); };
  o.signal?.addEventListener('abort', stopAll, { once: true });

  const runLane = async (k: number) => {
    const lane = lanes[k];
    if (lane === 'gpu' && webgpu) return runBatches(k, webgpu);
    while (!o.signal?.aborted) {
      const i = pickJob(queue, lane, gpuLane, webgpu !== null);
      if (i < 0) return;
      const [p] = queue.splice(i, 1);
      const attempt = (attempts.get(p.hash)?.length ?? 0) + 1;
      const label = jobLabel(p.job);
      o.onEvent({ type: 'start', hash: p.hash, label, attempt, lane });
      const ctl = new AbortController();
      running.add(ctl);
      let timedOut = false;
      const timer = o.timeoutMs > 0 ? setTimeout(() => { timedOut = true; ctl.abort(new Error('timeout')); }, o.timeoutMs) : null;
      try {
        const task: CellTask = { job: p.job, hash: p.hash, lane, attempt, ...(o.plugins?.length ? { plugins: o.plugins } : {}) };
        const out = (await pools[k].run(task, { signal: ctl.signal })) as CellOutput;
        // A store that cannot be written (disk full, read-only) stops the sweep with one line:
        // retrying the cell cannot help, and the cells already written are kept.
        try {
          await o.store.writeCell(cellFile(p, out, lane, attempt, o.machine));
        } catch (err) {
          throw new StoreWriteFailure(storeWriteError(o.store.cellPath(p.hash), err));
        }
        o.store.clearFailure(p.hash);
        done++;
        o.onEvent({ type: 'done', hash: p.hash, label, attempt, wallMs: out.wallMs, engine: out.engine, backend: out.backend, lane });
      } catch (err) {
        if (err instanceof StoreWriteFailure) throw err.cause;
        if (o.signal?.aborted) return;
        const error = timedOut ? `timed out after ${formatMs(o.timeoutMs)} (worker terminated)` : describe(err);
        // A failed job may leave its worker broken (a module that failed to load stays failed,
        // wasm memory may be corrupt): the next job on a CPU lane gets a fresh worker. The GPU
        // lane keeps its thread, which holds the native addon.
        if (lane === 'cpu') {
          const old = pools[k];
          pools[k] = newPool();
          await Promise.all([old.destroy(), warm(pools[k], lane)]);
        }
        await settleFailure(p, attempt, error);
      } finally {
        if (timer) clearTimeout(timer);
        running.delete(ctl);
      }
    }
  };

  /** A failed attempt: back to the queue while retries last, else a failure file. */
  const settleFailure = async (p: PendingJob, attempt: number, error: string) => {
    const label = jobLabel(p.job);
    const history = attempts.get(p.hash) ?? [];
    history.push({ attempt, error, at: new Date().toISOString() });
    attempts.set(p.hash, history);
    if (attempt <= o.retries) {
      o.onEvent({ type: 'retry', hash: p.hash, label, attempt, error });
      queue.push(p);
      return;
    }
    failed.push(p.hash);
    try {
      await o.store.writeFailure({
        format: FAILURE_FORMAT, hash: p.hash, codeVersion: CODE_VERSION, packageVersion: PACKAGE_VERSION,
        spec: p.job, attempts: history,
      });
    } catch (e) {
      throw storeWriteError(o.store.failurePath(p.hash), e);
    }
    o.onEvent({ type: 'failed', hash: p.hash, label, attempts: attempt, error });
  };

  /** The WebGPU lane: K cells of one shape per task, each written under its WebGPU address. */
  const runBatches = async (k: number, w: WebGpuLane) => {
    while (!o.signal?.aborted) {
      const picked = pickBatch(queue, w.batch, w.maxBinding);
      if (picked.length === 0) return;
      const batch = picked.reverse().map((i) => queue.splice(i, 1)[0]).reverse();
      const attemptOf = (p: PendingJob) => (attempts.get(p.hash)?.length ?? 0) + 1;
      for (const p of batch) o.onEvent({ type: 'start', hash: p.hash, label: jobLabel(p.job), attempt: attemptOf(p), lane: 'gpu' });
      const ctl = new AbortController();
      running.add(ctl);
      let timedOut = false;
      // Each cell keeps its own budget: K cells of a batch share one attempt of K × the limit.
      // Node's timers hold at most 2³¹ − 1 ms (a longer delay fires after 1 ms): a batch's limit stops there.
      const limit = Math.min(o.timeoutMs * batch.length, MAX_TIMEOUT_MS);
      const timer = o.timeoutMs > 0 ? setTimeout(() => { timedOut = true; ctl.abort(new Error('timeout')); }, limit) : null;
      try {
        const task: BatchTask = {
          batch: batch.map((p) => gpuTwin(p.job as CellSpec)), lane: 'gpu', allowSoftware: w.allowSoftware,
          ...(o.plugins?.length ? { plugins: o.plugins } : {}),
        };
        const outs = (await pools[k].run(task, { signal: ctl.signal })) as CellOutput[];
        for (let z = 0; z < batch.length; z++) {
          const p = batch[z], twin = task.batch[z], attempt = attemptOf(p);
          try {
            await o.store.writeCell(cellFile(twin, outs[z], 'gpu', attempt, o.machine));
          } catch (err) {
            throw new StoreWriteFailure(storeWriteError(o.store.cellPath(twin.hash), err));
          }
          o.store.clearFailure(p.hash);
          done++;
          o.onEvent({ type: 'done', hash: twin.hash, label: jobLabel(p.job), attempt, wallMs: outs[z].wallMs, engine: outs[z].engine, backend: outs[z].backend, lane: 'gpu' });
        }
      } catch (err) {
        if (err instanceof StoreWriteFailure) throw err.cause;
        if (o.signal?.aborted) return;
        const error = timedOut ? `timed out after ${formatMs(limit)} (a batch of ${batch.length}; worker terminated)` : describe(err);
        // The worker may hold a lost device: the next batch gets a fresh one.
        const old = pools[k];
        pools[k] = newPool();
        await Promise.all([old.destroy(), warm(pools[k], 'gpu')]);
        for (const p of batch) await settleFailure(p, attemptOf(p), error);
      } finally {
        if (timer) clearTimeout(timer);
        running.delete(ctl);
      }
    }
  };

  try {
    await Promise.all(lanes.map((_, k) => runLane(k)));
  } finally {
    o.signal?.removeEventListener('abort', stopAll);
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
  return { done, failed, lanes };
}

function cellFile(p: PendingJob, out: CellOutput, lane: Lane, attempt: number, m: MachineProvenance): CellFile {
  // The stored spec is the hashed one; the worker may have pinned backend 'auto' to its lane's.
  return {
    ...(out.result as CellResult | GanResult),
    format: CELL_FORMAT, hash: p.hash, codeVersion: CODE_VERSION, packageVersion: PACKAGE_VERSION,
    spec: p.job,
    provenance: {
      engine: out.engine, backend: out.backend, lane, versions: m.versions, cpu: m.cpu, platform: m.platform,
      gitCommit: m.gitCommit, wallMs: out.wallMs, cpuMs: out.cpuMs ?? null, startedAt: out.startedAt, finishedAt: out.finishedAt, attempt,
      ...('gpu' in out.result && out.result.gpu ? { gpu: out.result.gpu } : {}),
    },
  } as CellFile;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return (code ? `${code}: ` : '') + err.message.split('\n')[0];
  }
  return String(err);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Carries a store write error out of a lane's retry loop (it is not the cell's failure). */
class StoreWriteFailure extends Error {
  constructor(override readonly cause: Error) { super(cause.message); }
}

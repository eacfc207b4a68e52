/**
 * One sweep, start to end: expand the grid, hash and sort the jobs, take this shard's slice,
 * skip what the store already holds (re-running corrupt files), run the rest on the pool, then
 * write the summary / report. Returns the exit code (0 all done, 3 completed with failures).
 * Everything that can reject user input runs before the store is touched.
 */
import { join } from 'node:path';
import { EXIT } from '../exit.js';
import type { Grid, Job } from './grid.js';
import { expandGrid, jobCost } from './grid.js';
import { jobHash } from './hash.js';
import { jobLabel } from './label.js';
import { formatMs, runPool, type PendingJob, type SweepEvent } from './pool.js';
import { machineProvenance } from './provenance.js';
import { finishStore } from './report.js';
import { shardSlice, type Shard } from './shard.js';
import { CellStore } from './store.js';
import type { PluginRef } from '../../workers/plugins.js';
import { UsageError } from '../../src/errors.js';
import { isCell } from './grid.js';
import { gpuBatchable, twinHash, type WebGpuLane } from './gpuLane.js';
import { unsupported } from '../../src/engine/webgpu/loop.js';
import { describeProbe, probeWebGpu, usable } from '../gpu-probe.js';

export interface SweepOptions {
  grid: Grid;
  out: string;
  shard: Shard | null;
  workers: number;
  retries: number;
  timeoutMs: number;
  heapMb: number;
  cuda: boolean | 'probe';
  /**
   * The WebGPU lane: K cells per batch; allowSoftware takes a software adapter under auto
   * (tests); off: never probe (--no-gpu). Absent: off.
   */
  webgpu?: { batch: number; allowSoftware: boolean; off: boolean };
  onEvent(e: SweepEvent): void;
  /** Companion stores for the end-of-sweep report's field table (RunFlags.reportWith). */
  reportWith?: string[];
  /** Render the report's SVG figures (RunFlags.reportPlots; default true). */
  reportPlots?: boolean;
  /** --plugin files, loaded by every worker. */
  plugins?: PluginRef[];
  /** Human output (the summary table, warnings); null with --json. */
  print: ((s: string) => void) | null;
  signal?: AbortSignal;
}

/** The grid's jobs with their hashes: deduplicated, sorted by hash, sliced to the shard. */
export function planJobs(grid: Grid, shard: Shard | null): PendingJob[] {
  const byHash = new Map<string, Job>();
  for (const job of expandGrid(grid)) byHash.set(jobHash(job), job);
  const sorted = [...byHash.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([hash, job]) => ({ hash, job }));
  return shardSlice(sorted, shard);
}

export function dryRun(jobs: PendingJob[], print: (s: string) => void, json = false): void {
  if (json) {
    for (const p of jobs) print(JSON.stringify({ type: 'job', hash: p.hash, label: jobLabel(p.job), spec: p.job }) + '\n');
    return;
  }
  for (const p of jobs) print(`${p.hash.slice(0, 12)}  ${jobLabel(p.job)}\n`);
  const steps = jobs.reduce((s, p) => s + ('kind' in p.job ? (p.job.kind === 'gan' ? p.job.steps : 0) : p.job.mi.length * p.job.stepsPerLevel), 0);
  print(`${jobs.length} jobs, ${steps} training steps in all\n`);
}

/**
 * Whether the sweep gets a WebGPU lane. Jobs that ask for engine 'webgpu' need one (any adapter,
 * software included, as `harness run --engine webgpu`), and must all be cells it can train: bad
 * input otherwise. Auto jobs get one only from a hardware adapter, unless allowSoftware.
 */
export async function decideWebGpuLane(o: SweepOptions, jobs: readonly PendingJob[]): Promise<WebGpuLane | null> {
  const w = o.webgpu;
  const explicit = jobs.filter((p) => isCell(p.job) && p.job.engine === 'webgpu');
  for (const p of explicit) {
    const why = isCell(p.job) ? unsupported(p.job) : null;
    if (why || !gpuBatchable(p.job)) throw new UsageError(`--engine webgpu: ${why ?? `backend '${(p.job as { backend: string }).backend}'`} is not supported by the WebGPU engine (${jobLabel(p.job)}; use --engine wasm)`);
  }
  if (explicit.length === 0 && (!w || w.off || !jobs.some((p) => gpuBatchable(p.job)))) return null;
  const probe = await probeWebGpu();
  const allowSoftware = explicit.length > 0 || (w?.allowSoftware ?? false);
  if (!usable(probe, allowSoftware)) {
    if (explicit.length > 0) throw new UsageError(`--engine webgpu: not available on this machine: ${describeProbe(probe)}`);
    return null;
  }
  return { batch: w?.batch ?? 1, allowSoftware, adapter: probe.info.description, maxBinding: probe.limits.maxStorageBufferBindingSize };
}

export async function runSweep(o: SweepOptions, jobs: PendingJob[]): Promise<number> {
  const webgpu = await decideWebGpuLane(o, jobs);
  const store = new CellStore(o.out);
  // A pack that cannot be read would make every cell in it look missing: refuse, do not re-run them.
  const badPack = store.packIndex().problems[0];
  if (badPack) throw new UsageError(`--out: ${join(o.out, 'cells', badPack.pack)}: ${badPack.reason}; restore it (e.g. \`git checkout -- ${o.out}/cells\`) or move it away to re-run its cells`);
  store.ensure();
  store.sweepTempFiles();
  const pending: PendingJob[] = [];
  let cached = 0, corrupt = 0;
  for (const p of jobs) {
    const r = store.check(p.hash);
    if (r.state === 'ok') { cached++; continue; }
    // An auto job trained on a WebGPU lane lives at its twin's address (./gpuLane.ts).
    const twin = twinHash(p.job);
    if (twin && store.check(twin).state === 'ok') { cached++; continue; }
    if (r.state === 'corrupt') { corrupt++; o.onEvent({ type: 'corrupt', hash: p.hash, reason: r.reason, ...(r.file ? { file: r.file } : {}) }); }
    pending.push(p);
  }
  // Longest first, so the last jobs to finish are short ones (less idle tail); hash breaks ties.
  pending.sort((a, b) => jobCost(b.job) - jobCost(a.job) || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  o.onEvent({
    type: 'plan', total: jobs.length, cached, pending: pending.length, corrupt,
    shard: o.shard ? `${o.shard.index}/${o.shard.count}` : null, out: o.out,
  });
  const t0 = performance.now();
  const outcome = await runPool({
    jobs: pending, store, workers: o.workers, retries: o.retries, timeoutMs: o.timeoutMs, heapMb: o.heapMb,
    cuda: o.cuda, webgpu, machine: machineProvenance(), onEvent: o.onEvent, signal: o.signal, plugins: o.plugins,
  });
  if (o.signal?.aborted) return 130;
  const poolMs = performance.now() - t0;
  const finished = await finishStore(o.out, { with: o.reportWith, plots: o.reportPlots });
  const exitCode = outcome.failed.length > 0 ? EXIT.completedWithFailures : EXIT.ok;
  // The summary event first: it stops a live progress bar before the table is printed.
  o.onEvent({
    type: 'summary', total: jobs.length, cached, done: outcome.done, failed: outcome.failed.length, exitCode,
    summaryFile: finished.summaryFile, poolMs,
  });
  for (const w of finished.warnings) process.stderr.write(`harness: warning: ${w}\n`);
  if (o.print) {
    o.print(finished.summary);
    const rate = outcome.done > 0 ? `; ${outcome.done} cell(s) in ${formatMs(poolMs)} (${Math.round((outcome.done / poolMs) * 3_600_000)} cells/hour)` : '';
    o.print(`summary written to ${finished.summaryFile}${finished.report ? '; report written' : ''}${rate}\n`);
  }
  return exitCode;
}

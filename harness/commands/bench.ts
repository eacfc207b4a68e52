/**
 * `harness bench`: ms/step and GFLOP/s of one full training step (forward, NWJ bound, backward,
 * Adam) at d = 20, h = 256, e = 32 and each batch size n of --batch-size (default 64), for each
 * critic × engine/backend available here (bench/step.ts states the FLOP count). --vs-torch also
 * times the identical step in PyTorch on one thread (bench/torch_step.py) at each n and prints
 * the ratio ours/PyTorch. --bound-precision (default auto: float64 below n = 256, float32 from
 * it, as `harness run`; or a list such as float64,float32) sets the bound passes' precision
 * (src/bounds/passes.ts). --rounds K repeats every measurement, ours and PyTorch's in turn, K
 * times at each n and reports each ratio's median and range: PyTorch's step time moves more
 * between runs than ours, so one run's ratio is one draw.
 */
import { cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import type { BackendChoice, CriticKind } from '../../src/types.js';
import type { Engine } from '../../src/engine/types.js';
import { loadEngine } from '../../src/engine/select.js';
import { UsageError } from '../../src/errors.js';
import { criticLayout } from '../../src/critics/layout.js';
import { wasmMemoryProblem } from '../../src/engine/limits.js';
import { parseChoice, parseInteger, parseNumberList } from '../parse.js';
import { BENCH_SHAPE, benchStep, benchTorch, findTorchPython, flopsPerStep, type BenchResult } from '../../bench/step.js';
import { AUTO_FLOAT32_FROM, BOUND_PRECISION_CHOICES, resolveBoundPrecision, type BoundPrecision } from '../../src/bounds/passes.js';
import { median } from '../../src/stats/describe.js';
import { benchFit, benchWebGpu, type GpuBenchResult } from '../../bench/gpu.js';
import type { GpuHandle } from '../../src/engine/webgpu/gpu.js';

interface BenchFlags {
  critic: string; engine: string; steps?: string; clock: string; json?: boolean; vsTorch?: boolean; batchSize: string;
  boundPrecision: string; rounds: string; gpuBatch: string;
}

interface Case { engineName: 'wasm' | 'tfjs'; engine: Engine; backend: BackendChoice; variant?: string; threads?: number }

export interface Ratio { engine: string; backend: string; threads: number; critic: CriticKind; batchSize: number; boundPrecision: string; ratio: number; round: number }

/** One case's ratio over the rounds: PyTorch's step varies more between runs than ours (docs/engine.md). */
export interface RatioSummary { engine: string; backend: string; threads: number; critic: CriticKind; batchSize: number; boundPrecision: string; rounds: number; median: number; min: number; max: number }

export function register(program: Command): void {
  program.command('bench')
    .description('time one training step per critic × engine/backend × batch size (ms/step, GFLOP/s)')
    .option('--critic <kind>', 'joint | separable | both', 'both')
    .option('--engine <engine>', 'wasm | tfjs | all | webgpu (the WebGPU engine at each --gpu-batch K, beside the wasm engine)', 'all')
    .option('--gpu-batch <list>', 'with --engine webgpu: cells per batch K, comma-separated, e.g. 1,16,64,256,1120', '1,16,64')
    .option('--batch-size <list>', 'batch sizes n, comma-separated (d = 20, h = 256, e = 32)', '64')
    .option('--steps <N>', 'timed steps per case (default: about 3 s worth, 5 to 200)')
    .option('--clock <clock>', 'wall (elapsed) | cpu (process CPU time: robust on a loaded, shared machine)', 'wall')
    .option('--bound-precision <list>', `the NWJ bound's n² exponentials: auto (default, as \`harness run\`: float64 below n = ${AUTO_FLOAT32_FROM}, float32 from it), float64 (bit for bit Math.exp), float32 (SIMD), or a list such as float64,float32 (each, back to back)`, 'auto')
    .option('--json', 'print { "results": [{ engine, backend, critic, batchSize, threads, boundPrecision, msPerStep, gflops, round }], … }')
    .option('--vs-torch', 'also time the identical step in PyTorch (one thread) at each n and print the ratio')
    .option('--rounds <K>', 'measure every case, and PyTorch, K times in turn at each n; with --vs-torch, report each ratio\'s median and range over the rounds', '1')
    .action(async (flags: BenchFlags) => {
      const critic = parseChoice('--critic', flags.critic, ['joint', 'separable', 'both'] as const);
      const engineChoice = parseChoice('--engine', flags.engine, ['wasm', 'tfjs', 'all', 'webgpu'] as const);
      // Checked whatever the engine, so a bad list is refused even where it would go unused.
      const gpuBatches = parseGpuBatches(flags.gpuBatch);
      const clock = parseChoice('--clock', flags.clock, ['wall', 'cpu'] as const);
      // A list: each precision timed back to back at each n, beside the same PyTorch step.
      const choices = flags.boundPrecision.split(',').map((p) => parseChoice('--bound-precision', p.trim(), BOUND_PRECISION_CHOICES));
      const precisionsAt = (n: number): BoundPrecision[] => [...new Set(choices.map((p) => resolveBoundPrecision(p, n)))];
      const steps = flags.steps === undefined ? undefined : parseInteger('--steps', flags.steps, 1);
      // tinybench keeps every sample: a count beyond this is a typo, not a benchmark.
      if (steps !== undefined && steps > MAX_BENCH_STEPS) throw new UsageError(`--steps: at most ${MAX_BENCH_STEPS} timed steps per case, got ${steps}`);
      const rounds = parseInteger('--rounds', flags.rounds, 1);
      if (rounds > MAX_ROUNDS) throw new UsageError(`--rounds: at most ${MAX_ROUNDS}, got ${rounds}`);
      const sizes = parseBatchSizes(flags.batchSize);
      const critics: CriticKind[] = critic === 'both' ? ['separable', 'joint'] : [critic];
      for (const c of critics) for (const n of sizes) checkBenchMemory(c, n);
      const log = (s: string): void => { if (!flags.json) process.stdout.write(s); };
      const notes: string[] = [];
      const cases = await availableCases(engineChoice === 'webgpu' ? 'wasm' : engineChoice, notes);
      const gpu = engineChoice === 'webgpu' ? await benchGpuHandle() : null;
      if (gpu) notes.push('webgpu rows: ms per step per cell (the batch of K cells per step ÷ K) and the GFLOP/s the whole batch achieves');
      if (gpu?.info.fallback) notes.push(`webgpu: ${gpu.info.description} is a software adapter: its figures say nothing about a GPU`);
      const py = flags.vsTorch ? findTorchPython() : null;
      if (flags.vsTorch && !py) notes.push('torch: python3 cannot import torch here (Debian: apt-get install python3-torch libopenblas0-pthread); PyTorch comparison skipped');
      for (const n of notes) log(`note: ${n}\n`);
      const loadStart = loadavg();
      log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}, ${clock} clock\n`);
      log(`${'engine'.padEnd(8)}${'backend'.padEnd(BACKEND_WIDTH)}${'threads'.padEnd(8)}${'critic'.padEnd(11)}${'n'.padStart(6)}${'ms/step'.padStart(11)}${'GFLOP/s'.padStart(10)}  bound\n`);
      const results: BenchResult[] = [];
      const torchRows: BenchResult[] = [];
      const gpuRows: (GpuBenchResult & { round: number })[] = [];
      const ratios: Ratio[] = [];
      // n, then critic, then every case and PyTorch (round after round): each ratio is taken
      // minutes apart at most.
      for (const n of sizes) {
        for (const c of critics) {
          for (let round = 1; round <= rounds; round++) {
            const mine: BenchResult[] = [];
            for (const k of cases.flatMap((c) => precisionsAt(n).map((boundPrecision) => ({ ...c, boundPrecision })))) {
              if ((k.threads ?? 1) > 1 && wasmMemoryProblem(criticLayout(c, BENCH_SHAPE.d, BENCH_SHAPE.h, BENCH_SHAPE.e, false), n, k.threads)) {
                log(`note: ${c} n=${n}: the 2-thread build's 1 GiB shared memory cannot hold this step; skipped\n`);
                continue;
              }
              const r = { ...await benchStep(k.engine, { critic: c, backend: k.backend, variant: k.variant, threads: k.threads, steps, clock, batchSize: n, boundPrecision: k.boundPrecision }), round };
              mine.push(r);
              log(row(r));
            }
            results.push(...mine);
            if (gpu) {
              for (const k of gpuBatches) {
                const fit = benchFit(gpu, c, n);
                if (k > fit) { log(`note: webgpu ${c} n=${n} K=${k}: the device's largest buffer holds ${fit} cells; skipped\n`); continue; }
                const g = { ...await benchWebGpu(gpu, c, n, k, steps), round };
                gpuRows.push(g);
                log(gpuRow(g));
              }
            }
            if (!py) continue;
            // Same budget as ours: the steps given, or about 3 s at the best step time just measured.
            const best = Math.min(...mine.map((r) => r.msPerStep));
            const torchSteps = steps ?? Math.max(5, Math.min(200, Math.round(3000 / (Number.isFinite(best) ? best : 100))));
            const t = benchTorch(py.python, c, torchSteps, clock, n);
            const shape = { ...BENCH_SHAPE, n };
            const tr: BenchResult = {
              engine: 'torch', backend: `pytorch-${t.torch}-${t.blas}-${t.threads}thread`, critic: c, batchSize: n,
              msPerStep: t.msPerStep, gflops: flopsPerStep(c, shape) / (t.msPerStep * 1e6), threads: t.threads,
              boundPrecision: 'float32', round,
            };
            torchRows.push(tr);
            log(row(tr));
            if (gpu) {
              // PyTorch on CUDA, where torch has a device: the K = 1 target (docs/engine.md).
              try {
                const tc = benchTorch(py.python, c, Math.max(torchSteps, 50), clock, n, 'cuda');
                const cr: BenchResult = {
                  engine: 'torch', backend: `pytorch-${tc.torch}-cuda`, critic: c, batchSize: n, msPerStep: tc.msPerStep,
                  gflops: flopsPerStep(c, shape) / (tc.msPerStep * 1e6), threads: 1, boundPrecision: 'float32', round,
                };
                torchRows.push(cr);
                log(row(cr) + (tc.gpu ? `        (${tc.gpu})\n` : ''));
              } catch {
                if (round === 1 && n === sizes[0] && c === critics[0]) log('note: torch has no CUDA device here; PyTorch-on-CUDA skipped\n');
              }
            }
            for (const r of mine) ratios.push({ engine: r.engine, backend: r.backend, threads: r.threads, critic: c, batchSize: n, boundPrecision: r.boundPrecision, ratio: r.msPerStep / t.msPerStep, round });
          }
        }
      }
      const out: Record<string, unknown> = { results, ...(gpu ? { webgpu: gpuRows } : {}) };
      if (flags.vsTorch) {
        out.torch = py ? torchRows : null;
        if (py) {
          log('ratio ours/PyTorch (ms per step; < 1 is faster than PyTorch on its one thread):\n');
          const what = (q: Omit<Ratio, 'ratio' | 'round'>): string => `  ${q.critic.padEnd(10)} n=${String(q.batchSize).padEnd(5)} ${q.engine}/${q.backend}${q.threads > 1 ? ` (${q.threads} threads)` : ''}${q.boundPrecision === 'float32' ? ', float32 bound' : ''}: `;
          if (rounds === 1) {
            for (const q of ratios) log(`${what(q)}${q.ratio.toFixed(2)}\n`);
          } else {
            const summary = summariseRatios(ratios);
            log(`(median over ${rounds} rounds, and the range)\n`);
            for (const q of summary) log(`${what(q)}${q.median.toFixed(2)} (${q.min.toFixed(2)}–${q.max.toFixed(2)})\n`);
            out.ratioSummary = summary;
          }
          out.ratios = ratios;
        }
      }
      const loadEnd = loadavg();
      log(`load average at the end: ${loadEnd.map((l) => l.toFixed(2)).join(' ')}\n`);
      out.machine = { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, loadavg: loadStart, loadavgEnd: loadEnd, clock };
      if (flags.json) process.stdout.write(JSON.stringify(out) + '\n');
    });
}

/** --gpu-batch: a comma-separated list of integers ≥ 1 (a batch beyond the device is skipped with a note). */
function parseGpuBatches(raw: string): number[] {
  const ks = parseNumberList('--gpu-batch', raw);
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > MAX_GPU_BATCH) throw new UsageError(`--gpu-batch: cells per batch must be integers from 1 to ${MAX_GPU_BATCH}, got ${k}`);
  }
  return ks;
}

/** The WebGPU device for --engine webgpu (software adapters too: they are noted); asked of a child first so a missing one is one line. */
async function benchGpuHandle(): Promise<GpuHandle> {
  const { probeWebGpu, describeProbe } = await import('../gpu-probe.js');
  const p = await probeWebGpu();
  if (!p.ok) throw new UsageError(`--engine webgpu: not available on this machine: ${describeProbe(p)}`);
  const { acquireGpu } = await import('../../src/engine/webgpu/gpu.js');
  const g = await acquireGpu(true);
  if (!g.ok) throw new UsageError(`--engine webgpu: ${g.why}`);
  return g.handle;
}

function gpuRow(r: GpuBenchResult): string {
  const name = `${r.adapter.slice(0, BACKEND_WIDTH - 8)} K=${r.k}`;
  return `${'webgpu'.padEnd(8)}${name.padEnd(BACKEND_WIDTH)}${'-'.padEnd(8)}${r.critic.padEnd(11)}${String(r.batchSize).padStart(6)}${r.msPerStepPerCell.toFixed(2).padStart(11)}${r.gflops.toFixed(1).padStart(10)}  ${resolveBoundPrecision('auto', r.batchSize)}\n`;
}

/** --batch-size: a comma-separated list of integers ≥ 2. */
function parseBatchSizes(raw: string): number[] {
  const sizes = parseNumberList('--batch-size', raw);
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 2) throw new UsageError(`--batch-size: batch sizes must be integers ≥ 2, got ${n}`);
  }
  return sizes;
}

/** Refuse, before any timing, a batch size whose step the wasm engine could not hold. */
function checkBenchMemory(critic: CriticKind, n: number): void {
  const { d, h, e } = BENCH_SHAPE;
  const problem = wasmMemoryProblem(criticLayout(critic, d, h, e, false), n);
  // The problem names its flag (--batch-size N: …).
  if (problem) throw new UsageError(problem);
}

const BACKEND_WIDTH = 34;
/**
 * Timed steps per case: 10× the automatic budget's most. Each step is a real Adam update on 16
 * fixed batches, and NWJ's critic overfits them until its scores overflow somewhere between
 * 5 000 and 20 000 steps (measured at n = 8 and 64), which ended the benchmark mid-way.
 */
const MAX_BENCH_STEPS = 2_000;
const MAX_ROUNDS = 100;
const MAX_GPU_BATCH = 100_000;

/** Each case's ratios over the rounds: median, minimum and maximum, in the order first measured. */
export function summariseRatios(ratios: readonly Ratio[]): RatioSummary[] {
  const groups = new Map<string, Ratio[]>();
  for (const q of ratios) {
    const key = JSON.stringify([q.engine, q.backend, q.threads, q.critic, q.batchSize, q.boundPrecision]);
    groups.set(key, [...(groups.get(key) ?? []), q]);
  }
  return [...groups.values()].map((g) => {
    const v = g.map((q) => q.ratio);
    const { engine, backend, threads, critic, batchSize, boundPrecision } = g[0];
    return { engine, backend, threads, critic, batchSize, boundPrecision, rounds: v.length, median: median(v), min: Math.min(...v), max: Math.max(...v) };
  });
}

function row(r: BenchResult): string {
  return `${r.engine.padEnd(8)}${r.backend.padEnd(BACKEND_WIDTH)}${String(r.threads).padEnd(8)}${r.critic.padEnd(11)}${String(r.batchSize).padStart(6)}${r.msPerStep.toFixed(2).padStart(11)}${r.gflops.toFixed(1).padStart(10)}  ${r.engine === 'torch' ? 'float32' : r.boundPrecision}\n`;
}

/** Every engine/backend combination that loads here; what does not is noted, not fatal. */
async function availableCases(choice: 'wasm' | 'tfjs' | 'all', notes: string[]): Promise<Case[]> {
  const cases: Case[] = [];
  if (choice === 'wasm' || choice === 'all') {
    try {
      const wasm = await loadEngine('wasm');
      const { bestVariant } = await import('../../src/engine/wasm/index.js');
      if ((await bestVariant()) === 'relaxed') cases.push({ engineName: 'wasm', engine: wasm, backend: 'wasm', variant: 'relaxed' });
      else notes.push('wasm engine: relaxed SIMD unavailable in this runtime; plain SIMD only');
      if (await wasm.available('wasm')) cases.push({ engineName: 'wasm', engine: wasm, backend: 'wasm', variant: 'simd' });
      // The optional 2-thread split, best variant only (needs a second idle core to pay off).
      const best = cases.find((c) => c.engineName === 'wasm');
      if (best && cpus().length >= 2) cases.push({ ...best, threads: 2 });
    } catch (err) {
      notes.push(`wasm engine not loaded (${err instanceof Error ? err.message : String(err)}); run npm run build`);
    }
  }
  if (choice === 'tfjs' || choice === 'all') {
    try {
      const tfjs = await loadEngine('tfjs');
      for (const b of ['tensorflow', 'wasm', 'cpu'] as BackendChoice[]) {
        if (await tfjs.available(b)) cases.push({ engineName: 'tfjs', engine: tfjs, backend: b });
      }
    } catch (err) {
      notes.push(`tfjs engine not loaded (${err instanceof Error ? err.message : String(err)}); skipped`);
    }
  }
  return cases;
}

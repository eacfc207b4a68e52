/**
 * `harness bench`: ms/step and GFLOP/s of one full training step (forward, NWJ bound, backward,
 * Adam) at n = 64, d = 20, h = 256, e = 32, for each critic × engine/backend available here
 * (bench/step.ts states the FLOP count). --vs-torch also times the identical step in PyTorch on
 * one thread (bench/torch_step.py) and prints the ratio ours/PyTorch.
 */
import { cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import type { BackendChoice, CriticKind } from '../../src/types.js';
import type { Engine } from '../../src/engine/types.js';
import { loadEngine } from '../../src/engine/select.js';
import { parseChoice, parseInteger } from '../parse.js';
import { benchStep, benchTorch, findTorchPython, flopsPerStep, type BenchResult } from '../../bench/step.js';

interface BenchFlags { critic: string; engine: string; steps?: string; clock: string; json?: boolean; vsTorch?: boolean }

interface Case { engineName: 'wasm' | 'tfjs'; engine: Engine; backend: BackendChoice; variant?: string; threads?: number }

export function register(program: Command): void {
  program.command('bench')
    .description('time one training step per critic × engine/backend (ms/step, GFLOP/s)')
    .option('--critic <kind>', 'joint | separable | both', 'both')
    .option('--engine <engine>', 'wasm | tfjs | all', 'all')
    .option('--steps <N>', 'timed steps per case (default: about 3 s worth, 5 to 200)')
    .option('--clock <clock>', 'wall (elapsed) | cpu (process CPU time: robust on a loaded, shared machine)', 'wall')
    .option('--json', 'print { "results": [{ engine, backend, critic, msPerStep, gflops }] }')
    .option('--vs-torch', 'also time the identical step in PyTorch (one thread) and print the ratio')
    .action(async (flags: BenchFlags) => {
      const critic = parseChoice('--critic', flags.critic, ['joint', 'separable', 'both'] as const);
      const engineChoice = parseChoice('--engine', flags.engine, ['wasm', 'tfjs', 'all'] as const);
      const clock = parseChoice('--clock', flags.clock, ['wall', 'cpu'] as const);
      const steps = flags.steps === undefined ? undefined : parseInteger('--steps', flags.steps, 1);
      const critics: CriticKind[] = critic === 'both' ? ['separable', 'joint'] : [critic];
      const log = (s: string): void => { if (!flags.json) process.stdout.write(s); };
      const notes: string[] = [];
      const cases = await availableCases(engineChoice, notes);
      for (const n of notes) log(`note: ${n}\n`);
      log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${clock} clock\n`);
      log(`${'engine'.padEnd(8)}${'backend'.padEnd(BACKEND_WIDTH)}${'threads'.padEnd(8)}${'critic'.padEnd(11)}${'ms/step'.padStart(10)}${'GFLOP/s'.padStart(10)}\n`);
      const results: BenchResult[] = [];
      for (const c of critics) {
        for (const k of cases) {
          const r = await benchStep(k.engine, { critic: c, backend: k.backend, variant: k.variant, threads: k.threads, steps, clock });
          results.push(r);
          log(row(r));
        }
      }
      const out: Record<string, unknown> = { results };
      if (flags.vsTorch) {
        const py = findTorchPython();
        if (!py) {
          log('torch: python3 cannot import torch here (Debian: apt-get install python3-torch libopenblas0-pthread); PyTorch comparison skipped\n');
          out.torch = null;
        } else {
          const torchRows: BenchResult[] = [];
          const ratios: { engine: string; backend: string; threads: number; critic: CriticKind; ratio: number }[] = [];
          for (const c of critics) {
            const t = benchTorch(py.python, c, steps ?? (c === 'joint' ? 30 : 200), clock);
            const tr: BenchResult = {
              engine: 'torch', backend: `pytorch-${t.torch}-${t.blas}-${t.threads}thread`, critic: c,
              msPerStep: t.msPerStep, gflops: flopsPerStep(c) / (t.msPerStep * 1e6), threads: t.threads,
            };
            torchRows.push(tr);
            log(row(tr));
            for (const r of results.filter((x) => x.critic === c)) {
              ratios.push({ engine: r.engine, backend: r.backend, threads: r.threads, critic: c, ratio: r.msPerStep / t.msPerStep });
            }
          }
          log('ratio ours/PyTorch (ms per step; < 1 is faster than PyTorch on its one thread):\n');
          for (const q of ratios) log(`  ${q.critic.padEnd(10)} ${q.engine}/${q.backend}${q.threads > 1 ? ` (${q.threads} threads)` : ''}: ${q.ratio.toFixed(2)}\n`);
          out.torch = torchRows;
          out.ratios = ratios;
        }
      }
      out.machine = { cpu: cpus()[0]?.model ?? null, cores: cpus().length, node: process.version, loadavg: loadavg(), clock };
      if (flags.json) process.stdout.write(JSON.stringify(out) + '\n');
    });
}

const BACKEND_WIDTH = 34;

function row(r: BenchResult): string {
  return `${r.engine.padEnd(8)}${r.backend.padEnd(BACKEND_WIDTH)}${String(r.threads).padEnd(8)}${r.critic.padEnd(11)}${r.msPerStep.toFixed(2).padStart(10)}${r.gflops.toFixed(1).padStart(10)}\n`;
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

/**
 * ms per GAN training step (paper §5.3; src/gan/loop.ts gridTrainStep) on each GAN engine, and
 * the identical step in PyTorch on one thread (bench/torch_gan_step.py), for two sets of networks:
 *  - grid:   the 'grid' setup (src/gan/setup.ts): G 8+25 → 128 → 128 → 2, D 2 → 256 → 256 → 1, ReLU;
 *  - pacgan: PacGAN's 2D-grid networks: G 2+25 → 4 × 400 (BN, ReLU) → 2, D 2 → 3 × 200 maxout(5) → 1.
 * Batch 100, vanilla (no MI term: PyTorch runs the adversarial step only); plus the wasm engine with
 * +MICE for the cost of the MI term. Median of the timed steps after a warm-up; --clock cpu times
 * this process's CPU time (robust on a loaded machine; the PyTorch script does the same).
 *
 *   node dist/bench/gan.js [--clock wall|cpu] [--steps N] [--vs-torch] [--nets grid,pacgan] [--tfjs]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createWasmGanEngine } from '../src/gan/wasm.js';
import { TfjsGanEngine } from '../src/gan/tfjsNets.js';
import type { GanEngine } from '../src/gan/engine.js';
import { createGridGan, gridTrainStep } from '../src/gan/loop.js';
import { GRID_SETUP, type GridSetup } from '../src/gan/setup.js';
import { findTorchPython } from './step.js';
import { initTf } from '../src/engine/tfjs/backends.js';
import type { GanVariant } from '../src/types.js';

export const GAN_BENCH_NETS: Record<string, GridSetup> = {
  grid: { ...GRID_SETUP },
  pacgan: { ...GRID_SETUP, noiseDim: 2, genHidden: 400, genLayers: 4, genBatchNorm: true, discHidden: 200, discLayers: 3, maxoutPieces: 5, initStd: 0.02 },
};

/** The torch script's flags for the same networks. */
function torchFlags(s: GridSetup): string[] {
  return ['--batch', String(s.batchSize), '--zdim', String(s.noiseDim), '--noise', 'uniform', '--onehot', '25',
    '--g-hidden', String(s.genHidden), '--g-layers', String(s.genLayers), ...(s.genBatchNorm ? [] : ['--no-bn']),
    '--d-hidden', String(s.discHidden), '--d-layers', String(s.discLayers), '--pieces', String(s.maxoutPieces),
    '--lr', String(s.lrG), '--lr-d', String(s.lrD), '--beta1', String(s.adamBeta1), '--schedule', s.schedule, '--ema', String(s.emaDecay)];
}

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

export function timeSteps(engine: GanEngine, setup: GridSetup, variant: GanVariant, steps: number, clock: 'wall' | 'cpu'): number {
  const g = createGridGan(engine, { ...setup, steps: 1e6 }, { variant, seed: 0, beta: 0.1, code: 'categorical' });
  const now = clock === 'cpu' ? cpuNow : () => performance.now();
  for (let i = 0; i < Math.max(3, Math.ceil(steps / 10)); i++) gridTrainStep(g);
  const t: number[] = [];
  for (let i = 0; i < steps; i++) { const a = now(); gridTrainStep(g); t.push(now() - a); }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
  const clock = opt('--clock', 'cpu') as 'wall' | 'cpu';
  const steps = Number(opt('--steps', '40'));
  const nets = opt('--nets', 'grid,pacgan').split(',');
  const rows: string[][] = [];
  process.stdout.write(`machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${clock} clock, median of ${steps} steps\n`);
  const py = args.includes('--vs-torch') ? findTorchPython() : null;
  for (const name of nets) {
    const setup = GAN_BENCH_NETS[name];
    if (!setup) throw new Error(`--nets: unknown '${name}' (known: ${Object.keys(GAN_BENCH_NETS).join(', ')})`);
    const wasm = (await createWasmGanEngine())!;
    const ours = timeSteps(wasm, setup, 'vanilla', steps, clock);
    const mice = timeSteps(wasm, setup, 'mice', steps, clock);
    rows.push([name, 'wasm engine (' + wasm.backend + ')', ours.toFixed(2), '']);
    rows.push([name, 'wasm engine, +MICE', mice.toFixed(2), '']);
    if (args.includes('--tfjs')) {
      const { tf, backend } = await initTf('wasm');
      const t = timeSteps(new TfjsGanEngine(tf, backend), setup, 'vanilla', Math.max(5, Math.ceil(steps / 4)), clock);
      rows.push([name, `tfjs engine (${backend})`, t.toFixed(2), (t / ours).toFixed(2)]);
    }
    if (py) {
      const script = fileURLToPath(new URL('../../bench/torch_gan_step.py', import.meta.url));
      const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
      const r = spawnSync(py.python, [script, ...torchFlags(setup), '--steps', String(steps), '--clock', clock], { encoding: 'utf8', env, timeout: 600_000 });
      if (r.status !== 0) throw new Error(`torch_gan_step.py: ${r.stderr.trim().split('\n').pop()}`);
      const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as { msPerStep: number; torch: string };
      rows.push([name, `PyTorch ${t.torch}, 1 thread`, t.msPerStep.toFixed(2), (t.msPerStep / ours).toFixed(2)]);
    }
  }
  process.stdout.write(['| nets | engine | ms/step | × wasm |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

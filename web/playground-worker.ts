/**
 * The playground's Web Worker: trains one cell with the same code as `harness run` — the shared
 * training loop (src/engine/train.ts), bounds, tasks, data and initialisation streams, and the
 * wasm engine on the same AssemblyScript kernels (fetched as .wasm files beside this script and
 * handed to the loader as bytes), or the WebGPU engine's WGSL kernels through navigator.gpu. Posts the estimate as it trains (at most every 100 ms) and the
 * run's per-level statistics at the end.
 */
import type { RunMessage, WorkerMessage } from './protocol.js';
import { provideKernelBytes } from '../src/engine/wasm/kernels.js';
import { provideBoundMathBytes } from '../src/bounds/passes.js';
import { wasmEngine } from '../src/engine/wasm/index.js';
import { webgpuEngine } from '../src/engine/webgpu/index.js';
import { trainCell } from '../src/engine/cell.js';
import { EMA_RATE } from '../src/engine/train.js';

/** Points the chart receives at most; the loop still trains every step. */
const MAX_POINTS = 2000;

const scope = self as unknown as { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<RunMessage>) => void) | null };
const post = (m: WorkerMessage) => scope.postMessage(m);

async function kernels(): Promise<void> {
  const get = async (build: 'relaxed' | 'simd') => {
    const r = await fetch(new URL(`./kernels-${build}.wasm`, import.meta.url));
    if (!r.ok) throw new Error(`kernels-${build}.wasm: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const [relaxed, simd] = await Promise.all([get('relaxed'), get('simd')]);
  provideKernelBytes({ relaxed, simd });
  // The bounds' n² passes (src/bounds/passes.ts); without them the same numbers come from plain loops.
  const r = await fetch(new URL('./boundmath.wasm', import.meta.url));
  if (r.ok) provideBoundMathBytes(new Uint8Array(await r.arrayBuffer()));
}

scope.onmessage = async (e) => {
  if (e.data.type !== 'run') return;
  const spec = e.data.spec;
  try {
    await kernels();
    // WebGPU: navigator.gpu in this worker; the bound and data stay on the CPU side (here) as in Node.
    const engine = spec.engine === 'webgpu' ? webgpuEngine : wasmEngine;
    if (engine === wasmEngine && !(await wasmEngine.available('auto'))) throw new Error('this browser cannot run the WebAssembly SIMD kernels');
    if (engine === webgpuEngine && !(await webgpuEngine.available('auto'))) throw new Error('this browser has no usable WebGPU adapter (navigator.gpu)');
    const steps = spec.mi.length * spec.stepsPerLevel;
    const stride = Math.max(1, Math.ceil(steps / MAX_POINTS));
    let step: number[] = [], estimate: (number | null)[] = [], ema: (number | null)[] = [];
    let m = NaN;
    let last = performance.now();
    let started = false;
    const flush = (done: number) => {
      post({ type: 'progress', step, estimate, ema, done });
      step = []; estimate = []; ema = [];
      last = performance.now();
    };
    const result = await trainCell(engine, spec, {
      progressEvery: 1,
      onProgress: (p) => {
        if (!started) { started = true; post({ type: 'started', backend: spec.engine === 'webgpu' ? 'webgpu' : 'wasm', steps }); }
        const fin = Number.isFinite(p.estimate);
        // The same EMA as the report's trajectories (summarise in src/engine/train.ts).
        if (fin) m = Number.isFinite(m) ? m + EMA_RATE * (p.estimate - m) : p.estimate;
        if (p.step % stride === 0 || p.step === steps - 1) {
          step.push(p.step); estimate.push(fin ? p.estimate : null); ema.push(Number.isFinite(m) ? m : null);
        }
        if (performance.now() - last > 100) flush(p.step + 1);
      },
    });
    const ran = result.levels.length ? steps : 0;
    flush(ran);
    const diverged = result.trajectory.estimate.findIndex((x) => !Number.isFinite(x));
    post({
      type: 'done', levels: result.levels, msPerStep: result.msPerStep, wallMs: result.wallMs, backend: result.backend, steps: result.steps,
      divergedAt: diverged >= 0 ? result.trajectory.step[diverged] : null, logN: result.logN,
    });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

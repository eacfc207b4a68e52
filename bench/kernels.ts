/**
 * Kernel-level benchmark of the wasm engine (tinybench): GFLOP/s of each matrix product of one
 * training step at the paper's size, and the Adam pass, for each kernel build. For tuning the
 * kernels; `harness bench` is the user-facing number.
 *
 *   node dist/bench/kernels.js [--clock cpu]
 */
import { Bench } from 'tinybench';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import type { KernelExports } from '../src/engine/wasm/kernels.js';

// The runtime's internals, for driving single kernels on its real buffers.
interface Internals {
  k: KernelExports;
  P: number; G: number; M: number; V: number;
  jH1: number; jH2: number; jDz2: number; jDh1: number;
  towersBuf: { input: number; h1: number; h2: number; out: number; dOut: number }[];
  dH: number; dH1: number;
  wPtr(slot: unknown): number;
  p(offset: number): number;
  g(offset: number): number;
}

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const clock = process.argv.includes('--clock') && process.argv[process.argv.indexOf('--clock') + 1] === 'cpu' ? 'cpu' : 'wall';

async function main(): Promise<void> {
  const variants = (await bestVariant()) === 'relaxed' ? ['relaxed', 'simd'] : ['simd'];
  const n = 64, d = 20, h = 256, e = 32;
  for (const variant of variants) {
    const bench = new Bench({ iterations: 20, time: 0, ...(clock === 'cpu' ? { now: cpuNow } : {}) });
    const flops = new Map<string, number>();
    const add = (name: string, f: number, fn: () => void): void => { flops.set(name, f); bench.add(name, fn); };
    for (const kind of ['joint', 'separable'] as const) {
      const layout = criticLayout(kind, d, h, e, false);
      const rng = new Rng(['kernels', kind]);
      const rt = await wasmEngine.create(layout, initParams(layout, rng), {
        adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng), variant,
      }) as WasmCriticRuntime;
      const x = Float32Array.from({ length: n * d }, () => rng.normal());
      const y = Float32Array.from({ length: n * d }, () => rng.normal());
      rt.scores(x, y, n);
      rt.step(new Float32Array(n * n).fill(1e-3));
      const I = rt as unknown as Internals;
      const k = I.k;
      const [l0, l1] = layout.towers[0];
      if (kind === 'joint') {
        const R = n * n;
        add(`joint forward H1·W2ᵀ ${R}×${h}×${h}`, 2 * R * h * h, () => k.gemm(R, h, h, I.jH1, h, 1, I.wPtr(l1), 1, h, I.jH2, h, 0, I.p(l1.bias.offset), 1));
        add(`joint ∂W2 = dZ2ᵀ·H1 ${h}×${h}×${R}`, 2 * R * h * h, () => k.gemm(h, h, R, I.jDz2, 1, h, I.jH1, h, 1, I.g(l1.weight.offset), h, 0, 0, 0));
        add(`joint dH1 = dZ2·W2 ${R}×${h}×${h}`, 2 * R * h * h, () => k.gemm(R, h, h, I.jDz2, h, 1, I.wPtr(l1), h, 1, I.jDh1, h, 0, 0, 0));
      } else {
        const b = I.towersBuf[0];
        add(`separable forward H1·W2ᵀ ${n}×${h}×${h}`, 2 * n * h * h, () => k.gemm(n, h, h, b.h1, h, 1, I.wPtr(l1), 1, h, b.h2, h, 0, I.p(l1.bias.offset), 1));
        add(`separable ∂W2 = dZ2ᵀ·H1 ${h}×${h}×${n}`, 2 * n * h * h, () => k.gemm(h, h, n, I.dH, 1, h, b.h1, h, 1, I.g(l1.weight.offset), h, 0, 0, 0));
        add(`separable dH1 = dZ2·W2 ${n}×${h}×${h}`, 2 * n * h * h, () => k.gemm(n, h, h, I.dH, h, 1, I.wPtr(l1), h, 1, I.dH1, h, 0, 0, 0));
        add(`separable forward X·W1ᵀ ${n}×${h}×${d}`, 2 * n * h * d, () => k.gemm(n, h, d, b.input, d, 1, I.wPtr(l0), 1, d, b.h1, h, 0, I.p(l0.bias.offset), 1));
        add(`separable Adam, ${layout.size} parameters`, 0, () => k.adam(I.P, I.G, I.M, I.V, layout.size, 1e-4, 0.9, 0.999, 1e-8, 0.5));
      }
    }
    await bench.run();
    console.log(`kernels: ${variant === 'relaxed' ? 'wasm-simd-relaxed' : 'wasm-simd'} (${clock} clock)`);
    for (const t of bench.tasks) {
      const r = t.result;
      if (!('latency' in r)) continue;
      const ms = r.latency.p50 ?? r.latency.mean;
      const f = flops.get(t.name) ?? 0;
      console.log(`  ${t.name.padEnd(42)} ${(ms * 1000).toFixed(0).padStart(7)} µs${f ? `  ${(f / (ms * 1e6)).toFixed(1).padStart(6)} GFLOP/s` : ''}`);
    }
  }
}

await main();

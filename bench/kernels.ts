/**
 * Kernel-level benchmark of the wasm engine (tinybench): GFLOP/s of every matrix product of one
 * training step, recorded from a real step at each batch size, and the NWJ bound's n² pass, for
 * each kernel build. For tuning the kernels and for finding where a step's time goes as n grows;
 * `harness bench` is the user-facing number.
 *
 *   node dist/bench/kernels.js [--batch-size 64,256,1024] [--critic separable|joint|both] [--clock cpu]
 */
import { Bench } from 'tinybench';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { getBound } from '../src/bounds/index.js';
import { gradBuffer, withBoundPrecision } from '../src/bounds/passes.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import type { KernelExports } from '../src/engine/wasm/kernels.js';
import type { CriticKind } from '../src/types.js';

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const clock = arg('--clock', 'wall') === 'cpu' ? 'cpu' : 'wall';
const sizes = arg('--batch-size', '64').split(',').map(Number);
const criticArg = arg('--critic', 'separable');
const critics: CriticKind[] = criticArg === 'both' ? ['separable', 'joint'] : [criticArg as CriticKind];

type GemmArgs = Parameters<KernelExports['gemm']>;

async function main(): Promise<void> {
  const variants = (await bestVariant()) === 'relaxed' ? ['relaxed', 'simd'] : ['simd'];
  const d = 20, h = 256, e = 32;
  for (const variant of variants) {
    for (const kind of critics) {
      for (const n of sizes) {
        const layout = criticLayout(kind, d, h, e, false);
        const rng = new Rng(['kernels', kind]);
        const rt = await wasmEngine.create(layout, initParams(layout, rng), {
          adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng), variant,
        }) as WasmCriticRuntime;
        const x = Float32Array.from({ length: n * d }, () => rng.normal());
        const y = Float32Array.from({ length: n * d }, () => rng.normal());
        // Record every gemm of one step (forward and backward) with its arguments.
        const internals = rt as unknown as { k: KernelExports };
        const k = internals.k;
        const calls: GemmArgs[] = [];
        internals.k = Object.create(k, { gemm: { value: (...a: GemmArgs) => { calls.push(a); k.gemm(...a); } } }) as KernelExports;
        const s = Float32Array.from(rt.scores(x, y, n));
        const nwj = getBound('nwj');
        const g = nwj.evaluate(s, n).grad;
        rt.step(Float32Array.from(g, (v) => -v));
        internals.k = k;
        const bench = new Bench({ iterations: n >= 512 || kind === 'joint' ? 5 : 20, time: 0, ...(clock === 'cpu' ? { now: cpuNow } : {}) });
        const flops = new Map<string, number>();
        calls.forEach((a, i) => {
          const [m, nn, kk] = a;
          const name = `${String(i).padStart(2)} ${m}×${nn}×${kk} (A strides ${a[4]},${a[5]}; B ${a[7]},${a[8]})`;
          flops.set(name, 2 * m * nn * kk);
          bench.add(name, () => k.gemm(...a));
        });
        flops.set('NWJ bound (n² pass, float64)', 0);
        bench.add('NWJ bound (n² pass, float64)', () => { nwj.evaluate(s, n, undefined, undefined, gradBuffer(n)); });
        flops.set('NWJ bound (n² pass, float32 exponentials)', 0);
        bench.add('NWJ bound (n² pass, float32 exponentials)', () => {
          withBoundPrecision('float32', () => nwj.evaluate(s, n, undefined, undefined, gradBuffer(n)));
        });
        await bench.run();
        console.log(`${variant === 'relaxed' ? 'wasm-simd-relaxed' : 'wasm-simd'} ${kind} n = ${n} (${clock} clock)`);
        let total = 0, totalFlops = 0;
        for (const t of bench.tasks) {
          const r = t.result;
          if (!('latency' in r)) continue;
          const ms = r.latency.p50 ?? r.latency.mean;
          const f = flops.get(t.name) ?? 0;
          if (f) { total += ms; totalFlops += f; }
          console.log(`  ${t.name.padEnd(52)} ${(ms * 1000).toFixed(0).padStart(8)} µs${f ? `  ${(f / (ms * 1e6)).toFixed(1).padStart(6)} GFLOP/s` : ''}`);
        }
        console.log(`  ${'all products'.padEnd(52)} ${(total * 1000).toFixed(0).padStart(8)} µs  ${(totalFlops / (total * 1e6)).toFixed(1).padStart(6)} GFLOP/s`);
        rt.dispose();
      }
    }
  }
}

await main();

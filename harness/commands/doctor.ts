/**
 * `harness doctor`: every engine and backend this machine could train on, available or not and
 * why, and what `--engine auto` would pick for a single cell and for a sweep. Nothing is trained;
 * the WebGPU adapter is asked of a child process (../gpu-probe.ts) so driver noise stays out.
 */
import { createRequire } from 'node:module';
import type { Command } from 'commander';

export interface EngineCheck {
  engine: 'wasm' | 'tfjs' | 'webgpu';
  /** Kernel variant or backend. */
  variant: string;
  available: boolean;
  why: string;
}

const require = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try { require.resolve(`${pkg}/package.json`); return true; } catch { return false; }
}

async function wasmChecks(): Promise<EngineCheck[]> {
  const { kernelModule } = await import('../../src/engine/wasm/kernels.js');
  const out: EngineCheck[] = [];
  for (const [variant, what] of [['relaxed', 'relaxed SIMD (fused multiply-add)'], ['simd', '128-bit SIMD']] as const) {
    const m = await kernelModule(variant).catch(() => null);
    out.push({ engine: 'wasm', variant, available: m !== null, why: m ? `${what} kernels compile in this runtime` : `the ${what} kernels are not built or this runtime cannot run them` });
    const mt = await kernelModule(variant, true).catch(() => null);
    out.push({
      engine: 'wasm', variant: `${variant}+threads`, available: mt !== null,
      why: mt ? 'shared-memory build: a helper thread splits the largest products (bench only)' : 'no shared-memory build here',
    });
  }
  return out;
}

async function tfjsChecks(): Promise<EngineCheck[]> {
  const out: EngineCheck[] = [];
  const natives = [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu', 'CUDA'],
    ['tensorflow', '@tensorflow/tfjs-node', 'native CPU'],
  ] as const;
  let loaded: string | null = null;
  try {
    const { tfBackendAvailable, cudaAvailable } = await import('../../src/engine/tfjs/backends.js');
    const cuda = await cudaAvailable();
    const native = await tfBackendAvailable('tensorflow');
    loaded = cuda ? 'gpu' : native ? 'cpu' : null;
    for (const [variant, pkg, what] of natives) {
      const ok = variant === 'tensorflow-gpu' ? loaded === 'gpu' : loaded !== null;
      const why = ok ? `${pkg} loads (${what})`
        : installed(pkg) ? `${pkg} is installed but does not load (libtensorflow${variant === 'tensorflow-gpu' ? ' or CUDA' : ''} missing)`
        : `${pkg}: not installed; it downloads libtensorflow at install time (from outside the npm registry), so it is never a dependency`;
      out.push({ engine: 'tfjs', variant, available: ok, why });
    }
    for (const b of ['wasm', 'cpu'] as const) {
      const ok = await tfBackendAvailable(b);
      out.push({ engine: 'tfjs', variant: b, available: ok, why: ok ? `@tensorflow/tfjs-backend-${b}` : `@tensorflow/tfjs-backend-${b} did not register` });
    }
  } catch (err) {
    out.push({ engine: 'tfjs', variant: '*', available: false, why: `tfjs failed to load: ${(err as Error).message.split('\n')[0]}` });
  }
  return out;
}

async function webgpuChecks(): Promise<EngineCheck[]> {
  const { probeWebGpu, describeProbe } = await import('../gpu-probe.js');
  const p = await probeWebGpu();
  if (!p.ok) return [{ engine: 'webgpu', variant: 'dawn', available: false, why: p.why }];
  const mib = Math.floor(p.limits.maxStorageBufferBindingSize / 2 ** 20);
  return [{ engine: 'webgpu', variant: 'dawn', available: true, why: `${describeProbe(p)}; largest buffer ${mib} MiB` }];
}

export async function doctor(): Promise<{ checks: EngineCheck[]; auto: { cell: string; sweep: string } }> {
  const [w, t, g] = await Promise.all([wasmChecks(), tfjsChecks(), webgpuChecks()]);
  const checks = [...w, ...t, ...g];
  const has = (engine: string, variant: string) => checks.some((c) => c.engine === engine && c.variant === variant && c.available);
  const wasm = has('wasm', 'relaxed') ? 'wasm (relaxed SIMD)' : has('wasm', 'simd') ? 'wasm (SIMD)' : 'tfjs (wasm/cpu backend)';
  const cell = has('tfjs', 'tensorflow-gpu') ? 'tfjs on CUDA' : wasm;
  const gpu = g[0];
  const hardware = gpu.available && !/software adapter only/.test(gpu.why);
  const sweep = hardware ? `a WebGPU lane (batches of K cells) + ${wasm} on the other workers`
    : has('tfjs', 'tensorflow-gpu') ? `a CUDA lane (tfjs) + ${wasm} on the other workers`
    : `${wasm} on every worker${gpu.available ? ' (the software adapter is taken only with --engine webgpu or --allow-software-gpu)' : ''}`;
  return { checks, auto: { cell, sweep } };
}

export function register(program: Command): void {
  program.command('doctor')
    .description('list every engine and backend: available or not, and why; what --engine auto picks')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const r = await doctor();
      if (flags.json) { process.stdout.write(JSON.stringify(r) + '\n'); return; }
      const w = Math.max(...r.checks.map((c) => `${c.engine} ${c.variant}`.length));
      const lines = r.checks.map((c) => `${`${c.engine} ${c.variant}`.padEnd(w)}  ${c.available ? 'available    ' : 'not available'}  ${c.why}`);
      process.stdout.write(`${lines.join('\n')}\n\n--engine auto: one cell (harness run) → ${r.auto.cell}; a sweep → ${r.auto.sweep}\n`);
    });
}

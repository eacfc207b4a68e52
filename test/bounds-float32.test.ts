/**
 * The opt-in float32 bound passes (boundPrecision: 'float32', assembly/boundmath32.ts): the
 * WebAssembly SIMD code gives the bits of its plain-JavaScript mirror; each bound's estimate and
 * gradient stay within float32 rounding of the float64 default's, and the gradient matches
 * finite differences of the float32 objective; the default is untouched after float32 use; and
 * `harness run --bound-precision float32` trains the same cell to within float32 rounding; and the
 * command line default `auto` picks float32 from n = 256; presets that reach it pin float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getBound } from '../src/bounds/index.js';
import { AUTO_FLOAT32_FROM, boundPrecision, expf32, expfScalar, passBackend, resolveBoundPrecision, setPassBackend, withBoundPrecision } from '../src/bounds/passes.js';
import { Rng } from '../src/rng.js';
import type { BoundOptions, BoundOutput, BoundState, EstimatorName } from '../src/types.js';
import { buildCellSpec } from '../harness/spec.js';
import { jobHash } from '../harness/sweep/hash.js';

const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

const CASES: [EstimatorName, BoundOptions][] = [
  ['nwj', {}], ['dv', {}], ['mine', {}], ['smile', { tau: 1 }], ['smile', {}], ['infonce', {}], ['js', {}],
  ['tuba', {}], ['mice', {}], ['mice', { miceBlockPartition: false }], ['mice', { miceForm: 'nwj' }],
  ['alpha-infonce', { alpha: 0.5 }], ['flatnce', {}],
];

function scores(n: number, scale: number, tag: string): Float32Array {
  const rng = new Rng(['bounds-float32', tag, n, scale]);
  return Float32Array.from({ length: n * n }, (_, k) => scale * rng.normal() + (k % (n + 1) === 0 ? scale : 0));
}

/** Two evaluations (the second with the first's state), as the training loop makes them. */
function evalTwice(name: EstimatorName, o: BoundOptions, s: ArrayLike<number>, n: number): BoundOutput[] {
  const b = getBound(name);
  let state: BoundState | undefined;
  const outs: BoundOutput[] = [];
  for (let r = 0; r < 2; r++) {
    const out = b.evaluate(s, n, o, state);
    outs.push({ ...out, grad: Float64Array.from(out.grad) });
    state = out.state;
  }
  return outs;
}

const bits = (x: number): string => Buffer.from(Float64Array.of(x).buffer).toString('hex');

test('float32 passes: WebAssembly SIMD and the plain-JavaScript mirror give the same bits (every bound, n = 2 … 1 024)', () => {
  assert.equal(passBackend(), 'wasm-simd');
  for (const n of [2, 3, 5, 16, 67, 1024]) {
    for (const scale of [0.1, 3, 40]) {
      const s = scores(n, scale, 'mirror');
      for (const [name, o] of CASES) {
        if (n === 1024 && name !== 'nwj' && name !== 'infonce' && name !== 'flatnce' && name !== 'dv') continue;
        const wasm = withBoundPrecision('float32', () => evalTwice(name, o, s, n));
        setPassBackend('js');
        const js = withBoundPrecision('float32', () => evalTwice(name, o, s, n));
        setPassBackend('wasm-simd');
        for (let r = 0; r < 2; r++) {
          const what = `${name}${JSON.stringify(o)} n=${n} scale=${scale} eval ${r}`;
          assert.equal(bits(wasm[r].estimate), bits(js[r].estimate), `${what}: estimate`);
          assert.equal(bits(wasm[r].objective), bits(js[r].objective), `${what}: objective`);
          const a = new Uint8Array(wasm[r].grad.buffer), b = new Uint8Array(js[r].grad.buffer);
          assert.ok(Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0, `${what}: gradient bits`);
        }
      }
    }
  }
});

test('expf: WebAssembly and the mirror agree bit for bit, within 1 float32 ulp of exp, with +∞, 0 and NaN at the edges', () => {
  // expf32 runs the module's vector code on one lane (the passes' backend is WebAssembly here).
  const rng = new Rng(['expf']);
  let worst = 0;
  const edges = [0, -0, 1, -1, 2 ** -30, -86.59, -86.6, -86.61, 88.72, 88.7228394, 88.7229, 1e5, -1e5, Infinity, -Infinity, NaN];
  const xs = [...edges.map(Math.fround), ...Array.from({ length: 300_000 }, () => Math.fround(-90 + 180 * rng.uniform()))];
  for (const x of xs) {
    const got = expf32(x), mirror = expfScalar(x);
    assert.ok(Object.is(got, mirror), `expf(${x}): WebAssembly ${got}, mirror ${mirror}`);
    if (x >= -86.5 && x <= 88.7) worst = Math.max(worst, Math.abs(got - Math.exp(x)) / (Math.exp(x) * 2 ** -23));
  }
  assert.ok(worst <= 1, `max error ${worst.toFixed(3)} float32 ulps`);
  assert.equal(expfScalar(0), 1);
  assert.equal(expfScalar(Math.fround(88.8)), Infinity);
  assert.equal(expfScalar(-Infinity), 0);
  assert.equal(expfScalar(Math.fround(-87)), 0);
  assert.ok(Number.isNaN(expfScalar(NaN)));
});

test('float32 passes: each bound within float32 rounding of the float64 default (estimate and gradient)', () => {
  for (const n of [3, 16, 64, 257]) {
    for (const scale of [0.1, 3, 40]) {
      const s = scores(n, scale, 'tolerance');
      for (const [name, o] of CASES) {
        const f64 = evalTwice(name, o, s, n);
        const f32 = withBoundPrecision('float32', () => evalTwice(name, o, s, n));
        for (let r = 0; r < 2; r++) {
          const what = `${name}${JSON.stringify(o)} n=${n} scale=${scale} eval ${r}`;
          // Relative to the terms' size: estimates are differences of O(scale) quantities.
          const tol = 1e-6 * (1 + scale + Math.abs(f64[r].estimate));
          assert.ok(Math.abs(f32[r].estimate - f64[r].estimate) <= tol, `${what}: estimate ${f32[r].estimate} vs ${f64[r].estimate}`);
          // Entry by entry, as the float32 the engine takes: an exponential's argument x is
          // rounded to float32 (relative error 2⁻²⁴|x|) and expf adds ≤ 1 ulp, so the entry's
          // relative error is under 2⁻²³(|x| + 3), |x| ≤ |ln|g|| + ln n; InfoNCE's diagonal
          // (1 − e)/n cancels, hence the 1/n there; 0 below e^−86.6 (≈ 2·10⁻³⁸).
          for (let k = 0; k < n * n; k++) {
            const a = Math.fround(f64[r].grad[k]), b = Math.fround(f32[r].grad[k]);
            if (!Number.isFinite(a)) { assert.equal(b, a, `${what}: gradient entry ${k}`); continue; }
            const rel = 2 ** -23 * (3 + Math.abs(Math.log(Math.abs(a) || 1)) + Math.log(n));
            const tol = rel * (Math.abs(a) + (k % (n + 1) === 0 ? 1 / n : 0)) + 1e-37;
            assert.ok(Math.abs(a - b) <= tol, `${what}: gradient entry ${k}: ${b} (float32 passes) vs ${a}`);
          }
        }
      }
    }
  }
});

test('float32 passes: the gradient matches central finite differences of the float32 objective', () => {
  const n = 12;
  const s0 = Float64Array.from(scores(n, 1, 'fd'));
  // The bounds whose gradient is their objective's (MINE's and blocked MICE's hold a term fixed
  // on purpose; SMILE's clip at τ = 1 has kinks a finite difference can straddle).
  const plain: [EstimatorName, BoundOptions][] = [
    ['nwj', {}], ['dv', {}], ['tuba', {}], ['infonce', {}], ['js', {}], ['smile', {}], ['flatnce', {}],
    ['mice', { miceForm: 'dv', miceBlockPartition: false }], ['mice', { miceForm: 'nwj', miceBlockPartition: false }],
    ['alpha-infonce', { alpha: 0.3 }],
  ];
  for (const [name, o] of plain) {
    const b = getBound(name);
    withBoundPrecision('float32', () => {
      const g = Float64Array.from(b.evaluate(s0, n, o).grad);
      const rng = new Rng(['fd', name]);
      for (let t = 0; t < 8; t++) {
        const k = Math.floor(rng.uniform() * n * n);
        const h = 1e-2;
        const sp = Float64Array.from(s0), sm = Float64Array.from(s0);
        sp[k] += h; sm[k] -= h;
        const fd = (b.evaluate(sp, n, o).objective - b.evaluate(sm, n, o).objective) / (2 * h);
        assert.ok(Math.abs(fd - g[k]) <= 2e-4 * (1 + Math.abs(g[k])) + 2e-5, `${name}${JSON.stringify(o)} entry ${k}: finite difference ${fd} vs gradient ${g[k]}`);
      }
    });
  }
});

test('withBoundPrecision: scoped, restored after an exception, and the float64 default is untouched by float32 use', () => {
  const n = 64;
  const s = scores(n, 3, 'scope');
  const before = evalTwice('nwj', {}, s, n);
  assert.equal(boundPrecision(), 'float64');
  assert.throws(() => withBoundPrecision('float32', () => { throw new Error('inside'); }), /inside/);
  assert.equal(boundPrecision(), 'float64');
  withBoundPrecision('float32', () => evalTwice('infonce', {}, s, n));
  const after = evalTwice('nwj', {}, s, n);
  assert.equal(bits(after[0].estimate), bits(before[0].estimate));
  assert.deepEqual(after[1].grad, before[1].grad);
  const f32 = withBoundPrecision('float32', () => evalTwice('nwj', {}, s, n));
  assert.notEqual(bits(f32[0].estimate), bits(before[0].estimate), 'float32 must differ in the last bits (else it is not in use)');
});

test('boundPrecision: absent from a default spec (its address unchanged), part of the address when float32', () => {
  const plain = buildCellSpec({ estimator: 'nwj' });
  assert.equal('boundPrecision' in plain, false);
  const f32 = buildCellSpec({ estimator: 'nwj', boundPrecision: 'float32' });
  assert.equal(f32.boundPrecision, 'float32');
  assert.notEqual(jobHash(f32), jobHash(plain));
  assert.equal(jobHash(buildCellSpec({ estimator: 'nwj' })), jobHash(plain));
});

test('harness run --bound-precision float32: the same cell to within float32 rounding; a bad value exits 2 naming the flag', () => {
  const args = ['run', '--estimator', 'nwj', '--mi', '2', '--steps-per-level', '20', '--batch-size', '128', '--hidden', '64', '--json'];
  const a = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const b = spawnSync(process.execPath, [cli, ...args, '--bound-precision', 'float32'], { encoding: 'utf8' });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const ja = JSON.parse(a.stdout), jb = JSON.parse(b.stdout);
  assert.equal(ja.boundPrecision, undefined);
  assert.equal(jb.boundPrecision, 'float32');
  let same = true;
  ja.trajectory.estimate.forEach((e: number, i: number) => {
    const f = jb.trajectory.estimate[i];
    assert.ok(Math.abs(e - f) <= 1e-4 * (1 + Math.abs(e)), `step ${i}: ${e} vs ${f}`);
    if (e !== f) same = false;
  });
  assert.equal(same, false, 'the float32 run must not be the float64 one');
  const bad = spawnSync(process.execPath, [cli, ...args, '--bound-precision', 'float16'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^harness: --bound-precision/);
  const bench = spawnSync(process.execPath, [cli, 'bench', '--bound-precision', 'half'], { encoding: 'utf8' });
  assert.equal(bench.status, 2);
  assert.match(bench.stderr, /--bound-precision/);
});

test('auto, the command line default: float64 below n = 256, float32 from it; presets keep float64; explicit choices win', async () => {
  const { specFromFlags } = await import('../harness/runSpec.js');
  const { expandGrid } = await import('../harness/sweep/grid.js');
  const { gridFromFlags } = await import('../harness/sweep/flags.js');
  const { PRESET_NAMES, preset } = await import('../harness/sweep/presets.js');
  assert.equal(AUTO_FLOAT32_FROM, 256);
  assert.equal(resolveBoundPrecision('auto', 255), 'float64');
  assert.equal(resolveBoundPrecision('auto', 256), 'float32');
  assert.equal(resolveBoundPrecision('float64', 4096), 'float64');
  assert.equal(resolveBoundPrecision('float32', 2), 'float32');
  // harness run: the flag's absence is auto, resolved by --batch-size.
  const flags = {
    estimator: 'nwj', critic: 'separable', task: 'gaussian', mi: '2', stepsPerLevel: '20', batchSize: '64', dim: '20',
    batchRho: '0', seed: '0', hidden: '256', embed: '32', lr: '5e-4', engine: 'auto', backend: 'auto',
  };
  assert.equal('boundPrecision' in specFromFlags(flags), false);
  assert.equal('boundPrecision' in specFromFlags({ ...flags, batchSize: '255' }), false);
  assert.equal(specFromFlags({ ...flags, batchSize: '256' }).boundPrecision, 'float32');
  assert.equal('boundPrecision' in specFromFlags({ ...flags, batchSize: '1024', boundPrecision: 'float64' }), false);
  assert.equal(specFromFlags({ ...flags, boundPrecision: 'float32' }).boundPrecision, 'float32');
  // A sweep resolves per cell: the same spec `harness run` builds at each n.
  const cells = expandGrid(gridFromFlags({ preset: 'quick', estimators: 'nwj', tasks: 'gaussian', seeds: '1', batchRho: '0', batchSizes: '128,256,1024' })) as { batchSize: number; boundPrecision?: string }[];
  assert.deepEqual(cells.map((c) => [c.batchSize, c.boundPrecision ?? 'float64']), [[128, 'float64'], [256, 'float32'], [1024, 'float32']]);
  const f64 = expandGrid(gridFromFlags({ preset: 'quick', estimators: 'nwj', tasks: 'gaussian', seeds: '1', batchRho: '0', batchSizes: '1024', boundPrecision: 'float64' })) as { boundPrecision?: string }[];
  assert.equal('boundPrecision' in f64[0], false);
  // No preset job runs the float32 bound (the consistency preset, which reaches n = 256, pins
  // float64): the threshold leaves every published address as it was.
  assert.equal(preset('consistency').boundPrecision, 'float64');
  assert.ok(expandGrid(preset('consistency')).some((j) => (j as { batchSize?: number }).batchSize === 256));
  for (const name of PRESET_NAMES) {
    for (const job of expandGrid(preset(name))) assert.equal('boundPrecision' in job, false, `${name}: ${JSON.stringify(job).slice(0, 120)}`);
  }
});

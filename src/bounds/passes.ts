/**
 * The bounds' O(n²) passes, bit for bit the scalar float64 loops they replace, about three times
 * faster. At n = 1 024 a bound's pass over the n² scores (a maximum, a sum of exponentials, an
 * exponential per gradient entry) cost more than the critic's matrix products, and most of it
 * was Math.exp. assembly/boundmath.ts holds V8's own exp (fdlibm's e_exp.c as V8's
 * src/base/ieee754.cc ships it) and fdlibm's log1p ported operation for operation to
 * WebAssembly, the exponential two lanes at a time with f64x2, and the passes themselves; every
 * operation is an IEEE-754 double operation and every sum runs in the original order, so each
 * result carries the bits the JavaScript gave (test/bounds-vexp.test.ts: exp and log1p against
 * Math.exp and Math.log1p on millions of inputs; test/bounds-bitwise.test.ts: every bound's
 * output against digests of the scalar code, with both implementations below).
 *
 * Usage (synchronous, one matrix at a time): `stage(s, n)` copies the scores into the module's
 * memory exactly (a Float32Array as float32, widened to float64 by the first pass that reads
 * float64; anything else as float64), then the pass functions read that copy; the gradient
 * passes write their result last, into the buffer gradBuffer() exposes, and only the value-only
 * passes (maximum, sums) may run after them. The training step stages through
 * withStagedScores, whose one read of the scores also checks them for divergence. Without the built module or
 * without WebAssembly SIMD, `js` below runs the same passes as plain loops (same bits, scalar
 * speed).
 */

/** The passes, over a heap of float64 addressed in bytes (assembly/boundmath.ts documents each). */
interface PassImpl {
  readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  expInPlace(p: number, count: number): void;
  log1pInPlace(p: number, count: number): void;
  offDiagMax(s: number, n: number, lo: number, hi: number): number;
  offDiagSumExp(s: number, n: number, lo: number, hi: number, m: number, tmp: number): number;
  marginalGrad(dst: number, s: number, n: number, a: number, b: number, two: number): void;
  rowMaxSumExp(s: number, n: number, skipDiag: number, mx: number, sm: number, tmp: number): void;
  rowGrad(dst: number, s: number, n: number, lse: number, mode: number): void;
  jsFgan(dst: number, s: number, n: number, out: number, tmp: number): void;
  negToF32(dst: number, src: number, count: number): void;
  // The float32 passes (the command line's default from n = 256) (assembly/boundmath32.ts documents each).
  expf(x: number): number;
  offDiagSumExpF32(s: number, n: number, lo: number, hi: number, m: number): number;
  marginalGradF32(dst: number, s: number, n: number, a: number, b: number, two: number): void;
  rowMaxSumExpF32(s: number, n: number, skipDiag: number, mx: number, sm: number): void;
  rowGradF32(dst: number, s: number, n: number, lse: number, mode: number): void;
  offDiagMaxF32(s: number, n: number, lo: number, hi: number): number;
  nwjF32(dst: number, s: number, n: number, m: number, c: number): number;
  // Float32-staged scores (stage of a Float32Array).
  promoteF32(dst: number, src: number, count: number): void;
  finiteOffDiagMax32(s: number, n: number): number;
  nwjF32s(dst: number, neg: number, s: number, n: number, m: number, c: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

/** Instantiate the boundmath module (synchronously: it is a few kilobytes), or null if this runtime cannot. */
function instantiate(bytes: Uint8Array): PassImpl | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm || !wasm.validate(bytes)) return null;
  try {
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { abort: () => { throw new Error('boundmath: abort'); } } });
    return instance.exports as PassImpl;
  } catch {
    return null;
  }
}

/** Node: the generated dist/kernels/boundmath.mjs (base64); a browser hands the bytes in (provideBoundMathBytes). */
async function loadWasm(): Promise<PassImpl | null> {
  // A page has no dist/kernels next to it: it must not fetch one (a 404 on every page load).
  if (!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) return null;
  try {
    // A computed specifier: the module exists only after the kernel build (scripts/build-kernels.mjs).
    const url = new URL('../../kernels/boundmath.mjs', import.meta.url).href;
    const { simd } = await import(url) as { simd: string };
    const str = atob(simd);
    const bytes = new Uint8Array(str.length);
    for (let i = 0; i < str.length; i++) bytes[i] = str.charCodeAt(i);
    return instantiate(bytes);
  } catch {
    return null;
  }
}

const fr = Math.fround;
const F = {
  LOG2EF: fr(1.44269504088896341), C1: fr(0.693359375), C2: fr(-2.12194440e-4),
  Q0: fr(1.9875691500e-4), Q1: fr(1.3981999507e-3), Q2: fr(8.3334519073e-3), Q3: fr(4.1665795894e-2),
  Q4: fr(1.6666665459e-1), Q5: fr(5.0000001201e-1), XLO: fr(-86.6), XHI: fr(88.7228394), ROUND: 12582912,
};

/**
 * assembly/boundmath32.ts's expf in plain JavaScript, the same bits: x is a float32, and every
 * operation is done in float64 and rounded to float32 (Math.fround), which for +, − and × of
 * float32 operands is the float32 operation itself (53 ≥ 2·24 + 2 bits).
 */
export function expfScalar(x: number): number {
  if (x < F.XLO) return 0;
  if (x > F.XHI) return Infinity;
  const k = fr(fr(fr(x * F.LOG2EF) + F.ROUND) - F.ROUND);
  const r = fr(fr(x - fr(k * F.C1)) - fr(k * F.C2));
  const z = fr(r * r);
  let p = fr(fr(F.Q0 * r) + F.Q1);
  p = fr(fr(p * r) + F.Q2);
  p = fr(fr(p * r) + F.Q3);
  p = fr(fr(p * r) + F.Q4);
  p = fr(fr(p * r) + F.Q5);
  const y = fr(fr(fr(p * z) + r) + 1);
  return Number.isNaN(k) ? NaN : fr(fr(y * 2 ** (k - 1)) * 2);
}

/** Σ of the given terms in the float32 passes' order: term k to accumulator k mod 4, then (a₀ + a₁) + (a₂ + a₃). */
function sum4(count: number, term: (k: number) => number): number {
  const a = [0, 0, 0, 0];
  for (let k = 0; k < count; k++) a[k & 3] += term(k);
  return (a[0] + a[1]) + (a[2] + a[3]);
}

/** The same passes as plain loops over a growable float64 heap: the fallback, and the reference. */
function jsImpl(): PassImpl {
  let buffer = new ArrayBuffer(1 << 16);
  let f = new Float64Array(buffer);
  let g = new Float32Array(buffer);
  const memory = {
    get buffer() { return buffer; },
    grow(pages: number): number {
      const old = buffer.byteLength / 65536;
      const next = new ArrayBuffer(buffer.byteLength + pages * 65536);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next; f = new Float64Array(buffer); g = new Float32Array(buffer);
      return old;
    },
  };
  const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
  const expIn = (p: number, count: number): void => { const o = p / 8; for (let k = 0; k < count; k++) f[o + k] = Math.exp(f[o + k]); };
  return {
    memory,
    heapBase: () => 0,
    expInPlace: expIn,
    log1pInPlace(p, count) { const o = p / 8; for (let k = 0; k < count; k++) f[o + k] = Math.log1p(f[o + k]); },
    offDiagMax(s, n, lo, hi) {
      const o = s / 8;
      let m = -Infinity;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) m = Math.max(m, clip(f[o + i * n + j], lo, hi));
      return m;
    },
    offDiagSumExp(s, n, lo, hi, m) {
      const o = s / 8;
      let sum = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += Math.exp(clip(f[o + i * n + j], lo, hi) - m);
      return sum;
    },
    marginalGrad(dst, s, n, a, b, two) {
      const d = dst / 8, o = s / 8;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = f[o + i * n + j];
          f[d + i * n + j] = i === j ? 1 / n : -Math.exp(two ? v - a - b : v - a);
        }
      }
    },
    rowMaxSumExp(s, n, skipDiag, mx, sm) {
      const o = s / 8;
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let j = 0; j < n; j++) if (!(skipDiag && j === i)) m = Math.max(m, f[o + i * n + j]);
        f[mx / 8 + i] = m;
        let sum = 0;
        if (m - m === 0) for (let j = 0; j < n; j++) if (!(skipDiag && j === i)) sum += Math.exp(f[o + i * n + j] - m);
        f[sm / 8 + i] = sum;
      }
    },
    rowGrad(dst, s, n, lse, mode) {
      const d = dst / 8, o = s / 8;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const e = Math.exp(f[o + i * n + j] - f[lse / 8 + i]);
          f[d + i * n + j] = mode === 0 ? ((i === j ? 1 : 0) - e) / n : i === j ? 1 / n : -e / n;
        }
      }
    },
    jsFgan(dst, s, n, out) {
      const d = dst / 8, o = s / 8;
      const nOff = n * (n - 1);
      let joint = 0, marg = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const t = f[o + i * n + j];
          const u = i === j ? -t : t;
          const e = Math.exp(u > 0 ? -u : u);
          if (i === j) {
            joint -= u > 0 ? u + Math.log1p(e) : Math.log1p(e);
            f[d + i * n + j] = (u >= 0 ? 1 / (1 + e) : e / (1 + e)) / n;
          } else {
            marg += t > 0 ? t + Math.log1p(e) : Math.log1p(e);
            f[d + i * n + j] = -(t >= 0 ? 1 / (1 + e) : e / (1 + e)) / nOff;
          }
        }
      }
      f[out / 8] = joint; f[out / 8 + 1] = marg;
    },
    negToF32(dst, src, count) {
      const g = new Float32Array(buffer, dst, count);
      for (let k = 0; k < count; k++) g[k] = -f[src / 8 + k];
    },
    expf: (x) => expfScalar(fr(x)),
    offDiagSumExpF32(s, n, lo, hi, m) {
      const o = s / 8;
      return sum4(n * n, (k) => (k % (n + 1) === 0 ? 0 : expfScalar(fr(clip(f[o + k], lo, hi) - m))));
    },
    marginalGradF32(dst, s, n, a, b, two) {
      const d = dst / 8, o = s / 8;
      for (let k = 0; k < n * n; k++) f[d + k] = -expfScalar(fr(two ? f[o + k] - a - b : f[o + k] - a));
      for (let i = 0; i < n; i++) f[d + i * n + i] = 1 / n;
    },
    rowMaxSumExpF32(s, n, skipDiag, mx, sm) {
      const o = s / 8;
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let j = 0; j < n; j++) if (!(skipDiag && j === i)) m = Math.max(m, f[o + i * n + j]);
        f[mx / 8 + i] = m;
        f[sm / 8 + i] = m - m === 0 ? sum4(n, (j) => (skipDiag && j === i ? 0 : expfScalar(fr(f[o + i * n + j] - m)))) : 0;
      }
    },
    offDiagMaxF32(s, n, lo, hi) {
      // The same maximum as offDiagMax (the order of a maximum does not matter).
      return this.offDiagMax(s, n, lo, hi);
    },
    nwjF32(dst, s, n, m, c) {
      const d = dst / 8, o = s / 8;
      const sum = sum4(n * n, (k) => {
        if (k % (n + 1) === 0) { f[d + k] = 1 / n; return 0; }
        const e = expfScalar(fr(f[o + k] - m));
        f[d + k] = -(e * c);
        return e;
      });
      return sum;
    },
    promoteF32(dst, src, count) {
      for (let k = 0; k < count; k++) f[dst / 8 + k] = g[src / 4 + k];
    },
    finiteOffDiagMax32(s, n) {
      const o = s / 4;
      let m = -Infinity;
      for (let k = 0; k < n * n; k++) {
        const v = g[o + k];
        if (!Number.isFinite(v)) return NaN;
        if (k % (n + 1) !== 0 && v > m) m = v;
      }
      return m;
    },
    nwjF32s(dst, neg, s, n, m, c) {
      const d = dst / 8, o = s / 4, q = neg / 4;
      return sum4(n * n, (k) => {
        if (k % (n + 1) === 0) { g[q + k] = -1 / n; f[d + k] = 1 / n; return 0; }
        const e = expfScalar(fr(g[o + k] - m));
        g[q + k] = e * c;
        f[d + k] = -(e * c);
        return e;
      });
    },
    rowGradF32(dst, s, n, lse, mode) {
      const d = dst / 8, o = s / 8;
      for (let i = 0; i < n; i++) {
        const l = f[lse / 8 + i];
        for (let j = 0; j < n; j++) {
          const e = expfScalar(fr(f[o + i * n + j] - l));
          f[d + i * n + j] = i !== j ? -e / n : mode === 0 ? (1 - e) / n : 1 / n;
        }
      }
    },
  };
}

let wasmImpl = await loadWasm();
let impl: PassImpl = wasmImpl ?? jsImpl();

/**
 * Use the boundmath module from these bytes (dist/kernels/boundmath.wasm): how a browser, where
 * the library does no I/O, gets the fast passes. Returns false (and keeps the plain loops) when
 * this runtime cannot run them.
 */
export function provideBoundMathBytes(bytes: Uint8Array): boolean {
  const w = instantiate(bytes);
  if (!w) return false;
  wasmImpl = w;
  impl = w;
  capacity = -1;
  return true;
}

/** Which implementation runs the passes; the bits are the same either way. */
export function passBackend(): 'wasm-simd' | 'js' {
  return impl === wasmImpl ? 'wasm-simd' : 'js';
}

/** Tests: run the passes with the plain loops ('js') or the module ('wasm-simd', when built). */
export function setPassBackend(backend: 'wasm-simd' | 'js'): void {
  impl = backend === 'wasm-simd' && wasmImpl ? wasmImpl : jsImpl();
  capacity = -1;
}

/**
 * Precision of the passes' exponentials: 'float64' (the default: fdlibm's, bit for bit
 * Math.exp) or 'float32' (`boundPrecision: 'float32'`: `auto`, below, from n = 256, or asked for;
 * assembly/boundmath32.ts; NWJ's pass about 4× faster at n = 1 024, DV's and InfoNCE's about
 * 2×; results within float32 rounding of the default's). The maxima, the JS f-GAN pass (its
 * log1p) and every sum stay float64 either way.
 */
export type BoundPrecision = 'float64' | 'float32';
let precision: BoundPrecision = 'float64';

/**
 * Run fn (one or more bound evaluations, synchronously) with the passes at the given precision,
 * and restore the previous precision afterwards, whatever happens.
 */
export function withBoundPrecision<T>(p: BoundPrecision | undefined, fn: () => T): T {
  if (p === undefined || p === precision) return fn();
  const before = precision;
  precision = p;
  try {
    return fn();
  } finally {
    precision = before;
  }
}

/**
 * The command line's default, `auto`: float64 below n = AUTO_FLOAT32_FROM, where the pass is a
 * small part of the step (a tenth at the paper's n = 64); float32 from there on, as PyTorch runs
 * its bound. At n = 256 the step's matrix products already run at the 128-bit SIMD ceiling
 * (about 60 GFLOP/s, 4.2 ms) and the float64 pass adds 0.5 ms where the float32 one adds 0.15
 * (docs/engine.md); at n = 1 024 the float64 pass alone is a third of PyTorch's step. A cell
 * records the precision it ran at (`boundPrecision: 'float32'`, absent for float64), so `auto`
 * never changes what an address means; presets that reach n = 256 pin float64 (one numerics
 * along a consistency curve, and the published cells).
 */
export const AUTO_FLOAT32_FROM = 256;
export type BoundPrecisionChoice = BoundPrecision | 'auto';
export const BOUND_PRECISION_CHOICES = ['auto', 'float64', 'float32'] as const;

/** The precision a choice gives at batch size n. */
export function resolveBoundPrecision(choice: BoundPrecisionChoice, n: number): BoundPrecision {
  if (choice !== 'auto') return choice;
  return n >= AUTO_FLOAT32_FROM ? 'float32' : 'float64';
}

/** The precision the passes run at now. */
export function boundPrecision(): BoundPrecision { return precision; }

// Layout of the staged matrix and the passes' buffers (byte addresses), sized for n by stage().
// S: the scores as float64; S32: as float32 (a Float32Array staged as it is); D: the float64
// gradient; L: the float32 dLoss/dS the engines take.
let capacity = -1;
let S = 0, D = 0, T = 0, MX = 0, SM = 0, OUT = 0, L = 0, S32 = 0;
let view = new Float64Array(0);
let view32 = new Float32Array(0);

/** The buffers' byte offsets for batch size n from base (64-byte aligned), and where they end. */
function layout(base: number, n: number): { S: number; D: number; T: number; MX: number; SM: number; OUT: number; L: number; S32: number; end: number } {
  const nn = Math.ceil(n * n * 8 / 64) * 64, row = Math.ceil(n * 8 / 64) * 64, nn4 = Math.ceil(n * n * 4 / 64) * 64;
  const S = base, D = S + nn, T = D + nn, MX = T + row, SM = MX + row, OUT = SM + row, L = OUT + 64, S32 = L + nn4;
  return { S, D, T, MX, SM, OUT, L, S32, end: S32 + nn4 };
}

/** Bytes the passes' buffers take at batch size n (24·n² and change), beyond the module's own data: for the size checks (src/engine/limits.ts). */
export function passesBufferBytes(n: number): number {
  return layout(0, n).end;
}

function ensure(n: number): void {
  if (n > capacity) {
    const o = layout(Math.ceil(impl.heapBase() / 64) * 64, n);
    ({ S, D, T, MX, SM, OUT, L, S32 } = o);
    const need = o.end, have = impl.memory.buffer.byteLength;
    if (need > have) impl.memory.grow(Math.ceil((need - have) / 65536));
    capacity = n;
    staged = 'none';
  }
  if (view.buffer !== impl.memory.buffer) {
    view = new Float64Array(impl.memory.buffer);
    view32 = new Float32Array(impl.memory.buffer);
  }
}

/**
 * What the staged matrix holds: 'f32', a Float32Array copied as it is (S32) and widened to S on
 * the first pass that reads float64 (then 'both'); 'f64', anything else converted to float64.
 */
let staged: 'none' | 'f32' | 'f64' | 'both' = 'none';
let stagedCount = 0;
/** The staged matrix's off-diagonal maximum, when withStagedScores computed it (else NaN). */
let knownMax = NaN;
/** Inside withStagedScores: the scores already staged, which stage() then does not copy again. */
let pinned: ArrayLike<number> | null = null;

/**
 * Stage the n×n scores in the passes' memory, exactly: a Float32Array is copied as float32 (the
 * passes widen it to float64 when they need it, which is exact), anything else converted to
 * float64. Every pass function reads the staged copy.
 */
export function stage(s: ArrayLike<number>, n: number): void {
  if (s === pinned) return;
  ensure(n);
  knownMax = NaN;
  stagedCount = s.length;
  if (s instanceof Float32Array) {
    view32.set(s, S32 / 4);
    staged = 'f32';
  } else {
    view.set(s as ArrayLike<number>, S / 8);
    staged = 'f64';
  }
}

/** The staged matrix as float64 at S, for the passes that read it so. */
function wide(): void {
  if (staged === 'f32') {
    impl.promoteF32(S, S32, stagedCount);
    staged = 'both';
  }
}

/**
 * The training step's hand-off (src/engine/train.ts): stage the critic's float32 scores once,
 * check in the same read that every entry is finite, and run fn (the bound's evaluation) with
 * them staged — a stage() of this same array inside fn copies nothing, and NWJ's float32 pass
 * takes the off-diagonal maximum found here. Returns null without calling fn when an entry is
 * ±∞ or NaN (a divergence). fn must not change s.
 */
export function withStagedScores<T>(s: Float32Array, n: number, fn: () => T): T | null {
  pinned = null;
  stage(s, n);
  const m = impl.finiteOffDiagMax32(S32, n);
  if (Number.isNaN(m)) return null;
  knownMax = m;
  pinned = s;
  try {
    return fn();
  } finally {
    pinned = null;
  }
}

/** max over i ≠ j of clip(S_ij, lo, hi), NaN if any is NaN (as Math.max). */
export function offDiagMax(n: number, lo: number, hi: number): number {
  // The maximum withStagedScores found, when unclipped. Its ±0 tie may be −0 where Math.max
  // gives +0: every caller only shifts by it (e^(s − m): s − (±0) differs only for s = −0, and
  // e^(±0) = 1) and adds it to a logarithm (m + log Σ, Σ ≥ 1: ±0 + 0 = +0), so the bits are the same.
  if (lo === -Infinity && hi === Infinity && !Number.isNaN(knownMax)) return knownMax;
  wide();
  if (precision === 'float32') return impl.offDiagMaxF32(S, n, lo, hi);
  return impl.offDiagMax(S, n, lo, hi);
}

/**
 * float32 mode, NWJ in one exponential per entry (assembly/boundmath32.ts nwjF32): Σ_{i≠j}
 * e_ij with e_ij = expf(f32(S_ij − m)), m the off-diagonal maximum, and the gradient 1/n on the
 * diagonal, −e_ij·c off it, c = e^(m − 1 − log n(n−1)). Null unless 0 < c ≤ 1 (the caller then
 * takes the two-pass route): with c > 1 an entry whose e_ij underflowed (s_ij − m < −86.6) could
 * have a gradient float32 can hold, which the two passes give. From float32-staged scores the
 * same pass also writes dLoss32, the float32 −gradient the engines take (negatedFloat32's bits).
 */
export function nwjStagedF32(n: number, m: number, out?: Float64Array): { sum: number; grad: Float64Array; dLoss32?: Float32Array } | null {
  const c = Math.exp(m - 1 - Math.log(n * (n - 1)));
  if (!(c > 0 && c <= 1)) return null;
  if ((staged === 'f32' || staged === 'both') && Math.fround(m) === m) {
    const sum = impl.nwjF32s(D, L, S32, n, m, c);
    return { sum, grad: gradOut(n, out), dLoss32: new Float32Array(impl.memory.buffer, L, n * n) };
  }
  wide();
  const sum = impl.nwjF32(D, S, n, m, c);
  return { sum, grad: gradOut(n, out) };
}

/** Σ_{i≠j} e^(clip(S_ij, lo, hi) − m), row-major. */
export function offDiagSumExp(n: number, lo: number, hi: number, m: number): number {
  wide();
  if (precision === 'float32') return impl.offDiagSumExpF32(S, n, lo, hi, m);
  return impl.offDiagSumExp(S, n, lo, hi, m, T);
}

/**
 * The n×n gradient buffer the passes write last: a view of their memory, so a caller that passes
 * it as a bound's gradOut (src/engine/train.ts) saves an n² allocation and copy per step. Valid
 * until the next gradBuffer/stage call with a larger n; every bound call overwrites it.
 */
export function gradBuffer(n: number): Float64Array {
  ensure(n);
  return view.subarray(D / 8, D / 8 + n * n);
}

/** The gradient at D as `out` (no copy when out is gradBuffer's view), or as a new array. */
function gradOut(n: number, out?: Float64Array): Float64Array {
  if (out && out.length === n * n) {
    if (out.buffer === impl.memory.buffer && out.byteOffset === D) return out;
    out.set(view.subarray(D / 8, D / 8 + n * n));
    return out;
  }
  return copyOut(D, n * n);
}

/** The n×n gradient 1/n on the diagonal, −e^(S_ij − a) off it (b = null), or −e^((S_ij − a) − b). */
export function marginalGradStaged(n: number, a: number, b: number | null, out?: Float64Array): Float64Array {
  wide();
  if (precision === 'float32') impl.marginalGradF32(D, S, n, a, b ?? 0, b === null ? 0 : 1);
  else impl.marginalGrad(D, S, n, a, b ?? 0, b === null ? 0 : 1);
  return gradOut(n, out);
}

/** Per row (skipping the diagonal when asked): the maximum, and Σ_j e^(S_ij − max) when that is finite (else 0). */
export function rowMaxSumExp(n: number, skipDiag: boolean): { max: Float64Array; sum: Float64Array } {
  wide();
  if (precision === 'float32') impl.rowMaxSumExpF32(S, n, skipDiag ? 1 : 0, MX, SM);
  else impl.rowMaxSumExp(S, n, skipDiag ? 1 : 0, MX, SM, T);
  return { max: copyOut(MX, n), sum: copyOut(SM, n) };
}

/** mode 'infonce': ((i = j) − e^(S_ij − lse_i)) / n; mode 'flatnce': 1/n on the diagonal, −e^(S_ij − lse_i) / n off it. */
export function rowGradStaged(n: number, lse: Float64Array, mode: 'infonce' | 'flatnce', out?: Float64Array): Float64Array {
  wide();
  view.set(lse, MX / 8);
  if (precision === 'float32') impl.rowGradF32(D, S, n, MX, mode === 'infonce' ? 0 : 1);
  else impl.rowGrad(D, S, n, MX, mode === 'infonce' ? 0 : 1);
  return gradOut(n, out);
}

/** The JS f-GAN objective's two sums (joint −= softplus(−T_ii), marg += softplus(T_ij)) and its gradient. */
export function jsFganStaged(n: number, out?: Float64Array): { joint: number; marg: number; grad: Float64Array } {
  wide();
  impl.jsFgan(D, S, n, OUT, T);
  return { joint: view[OUT / 8], marg: view[OUT / 8 + 1], grad: gradOut(n, out) };
}

/**
 * −grad as float32, what the engines' step() takes (dLoss/dS = −dObjective/dS), converted in the
 * passes' memory when grad is gradBuffer(n)'s view; the result is a view valid until the next
 * call. Each entry is the float32 rounding of −grad[k], as a Float32Array store gives.
 */
export function negatedFloat32(grad: Float64Array, n: number): Float32Array {
  ensure(n);
  const count = n * n;
  if (!(grad.buffer === impl.memory.buffer && grad.byteOffset === D)) view.set(grad.subarray(0, count), D / 8);
  impl.negToF32(L, D, count);
  return new Float32Array(impl.memory.buffer, L, count);
}

function copyOut(p: number, count: number): Float64Array {
  if (view.buffer !== impl.memory.buffer) view = new Float64Array(impl.memory.buffer);
  return view.slice(p / 8, p / 8 + count);
}

/** The float32 passes' exponential of one float32 (tests: the module's vector code on one lane, or the mirror). */
export function expf32(x: number): number { return impl.expf(Math.fround(x)); }

/** Math.exp / Math.log1p of every entry, in place, through the passes' exp and log1p (tests, benchmarks). */
export function expArray(a: Float64Array): void { mapInPlace(a, 'exp'); }
export function log1pArray(a: Float64Array): void { mapInPlace(a, 'log1p'); }

function mapInPlace(a: Float64Array, fn: 'exp' | 'log1p'): void {
  const chunk = 1 << 16;
  ensure(Math.max(capacity, Math.ceil(Math.sqrt(chunk))));
  for (let o = 0; o < a.length; o += chunk) {
    const m = Math.min(chunk, a.length - o);
    view.set(a.subarray(o, o + m), D / 8);
    if (fn === 'exp') impl.expInPlace(D, m); else impl.log1pInPlace(D, m);
    a.set(view.subarray(D / 8, D / 8 + m), o);
  }
}

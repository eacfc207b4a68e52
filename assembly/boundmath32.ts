/**
 * The bounds' O(n²) exponential passes in float32 SIMD: the opt-in `boundPrecision: 'float32'`
 * (src/bounds/passes.ts). Four lanes per f32x4 instead of two per f64x2, and a degree-6
 * polynomial in place of fdlibm's rational one; every exponential is a float32 (error a few
 * float32 ulps), every sum and every gradient entry float64 as in the default passes. Not the
 * default: it changes estimates in their 7th–8th significant digit, and every published cell was
 * computed with the float64 passes (assembly/boundmath.ts).
 *
 * expf: Cephes' expf (S. L. Moshier, cephes/single/expf.c: Cody–Waite reduction x = k·ln2 + r
 * with ln2 split as 0.693359375 − 2.12194440e−4, then 1 + r + r²·P(r)), with round-to-nearest by
 * adding 1.5·2²³ and 2^k built from its bits. Arguments above ln(FLT_MAX) give +∞, below −86.6
 * give 0 (the true value is under 2.5·10⁻³⁸), NaN stays NaN. Every operation is an IEEE-754
 * float32 operation (WebAssembly never fuses them), so src/bounds/passes.ts's plain-JavaScript
 * mirror (Math.fround after each operation) gives the same bits: the tests compare both.
 *
 * Sums: Σ_k e_k with four float64 accumulators, e_k added to accumulator k mod 4 (k counted
 * from the start of the sum), combined as (a₀ + a₁) + (a₂ + a₃); diagonal terms that a sum
 * skips are zeroed lanes. This order is part of the definition (the mirror follows it).
 */

const LOG2EF: f32 = 1.44269504088896341;
const C1: f32 = 0.693359375;
const C2: f32 = -2.12194440e-4;
const Q0: f32 = 1.9875691500e-4;
const Q1: f32 = 1.3981999507e-3;
const Q2: f32 = 8.3334519073e-3;
const Q3: f32 = 4.1665795894e-2;
const Q4: f32 = 1.6666665459e-1;
const Q5: f32 = 5.0000001201e-1;
const XLO: f32 = -86.6;
const XHI: f32 = 88.7228394;
const ROUND: f32 = 12582912.0; // 1.5·2²³: x + ROUND − ROUND rounds x to an integer (ties to even)

/**
 * Splatted constants, loaded from memory (V8 rebuilds a splat of a constant at every use; a
 * load is one instruction).
 */
const KF = memory.data<f32>([
  XLO, XLO, XLO, XLO, // 0
  XHI, XHI, XHI, XHI, // 16
  LOG2EF, LOG2EF, LOG2EF, LOG2EF, // 32
  ROUND, ROUND, ROUND, ROUND, // 48
  C1, C1, C1, C1, // 64
  C2, C2, C2, C2, // 80
  Q0, Q0, Q0, Q0, Q1, Q1, Q1, Q1, Q2, Q2, Q2, Q2, // 96, 112, 128
  Q3, Q3, Q3, Q3, Q4, Q4, Q4, Q4, Q5, Q5, Q5, Q5, // 144, 160, 176
  1, 1, 1, 1, // 192
  2, 2, 2, 2, // 208
  Infinity, Infinity, Infinity, Infinity, // 224
], 16);

/** The exponent bias less one, as four i32 lanes (a load, as the constants above). */
const BIAS = memory.data<i32>([126, 126, 126, 126], 16);

// @ts-ignore: decorator
@inline function expf4(x: v128, capped: bool = true): v128 {
  // Lanes outside [XLO, XHI] are replaced at the end (their arithmetic below may be garbage);
  // a NaN lane is in neither mask and stays NaN through the arithmetic. capped = false: the
  // caller has no lane above XHI whose value it keeps (saves the test and the select).
  const under = f32x4.lt(x, v128.load(KF));
  const t = f32x4.add(f32x4.mul(x, v128.load(KF, 32)), v128.load(KF, 48));
  const k = f32x4.sub(t, v128.load(KF, 48));
  let r = f32x4.sub(x, f32x4.mul(k, v128.load(KF, 64)));
  r = f32x4.sub(r, f32x4.mul(k, v128.load(KF, 80)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(v128.load(KF, 96), r), v128.load(KF, 112));
  p = f32x4.add(f32x4.mul(p, r), v128.load(KF, 128));
  p = f32x4.add(f32x4.mul(p, r), v128.load(KF, 144));
  p = f32x4.add(f32x4.mul(p, r), v128.load(KF, 160));
  p = f32x4.add(f32x4.mul(p, r), v128.load(KF, 176));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), v128.load(KF, 192));
  // 2^(k−1), then ×2: k runs from −125 to 128 in range and both factors stay normal. t's low
  // mantissa bits hold k (t = 1.5·2²³ + k), and the shift keeps only the low 9 bits of the sum.
  const pow = i32x4.shl(i32x4.add(t, v128.load(BIAS)), 23);
  const e = f32x4.mul(f32x4.mul(y, pow), v128.load(KF, 208));
  const low = v128.andnot(e, under);
  if (!capped) return low;
  return v128.bitselect(v128.load(KF, 224), low, f32x4.gt(x, v128.load(KF, 16)));
}

/** Scalar expf, the same operations (tails). */
export function expf(x: f32): f32 {
  return f32x4.extract_lane(expf4(f32x4.splat(x)), 0);
}

/** The float32 of four consecutive float64s at p, each first clipped to [lo, hi] and shifted by −m. */
// @ts-ignore: decorator
@inline function load4(p: usize, lo: v128, hi: v128, m: v128): v128 {
  // pmax/pmin: v < lo ? lo : v, then hi < w ? hi : w: clip() lane by lane (NaN stays NaN).
  const a = f64x2.sub(f64x2.pmin(f64x2.pmax(v128.load(p), lo), hi), m);
  const b = f64x2.sub(f64x2.pmin(f64x2.pmax(v128.load(p, 16), lo), hi), m);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline function clip(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

const IOTA = memory.data<i32>([0, 1, 2, 3], 16);

/**
 * Σ over k < count, k ∉ {skip, skip + step, …}, of expf(f32(clip(src[k], lo, hi) − m)), in the
 * four-accumulator order above; step ≥ 2 (the diagonal: skip = 0, step = n + 1), skip = −1: none.
 */
function sumExp(src: usize, count: i32, lo: f64, hi: f64, m: f64, skip: i32, step: i32): f64 {
  const vlo = f64x2.splat(lo), vhi = f64x2.splat(hi), vm = f64x2.splat(m);
  let a01 = f64x2.splat(0), a23 = f64x2.splat(0);
  const iota = v128.load(IOTA);
  let next = skip < 0 ? 0x7fffffff : skip;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    let e = expf4(load4(src + (<usize>k << 3), vlo, vhi, vm));
    while (next < k + 4) {
      e = v128.andnot(e, i32x4.eq(iota, i32x4.splat(next - k)));
      next += step;
    }
    a01 = f64x2.add(a01, f64x2.promote_low_f32x4(e));
    a23 = f64x2.add(a23, f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3)));
  }
  let s0 = f64x2.extract_lane(a01, 0), s1 = f64x2.extract_lane(a01, 1);
  let s2 = f64x2.extract_lane(a23, 0), s3 = f64x2.extract_lane(a23, 1);
  for (; k < count; k++) {
    if (k == next) { next += step; continue; }
    const e = <f64>expf(<f32>(clip(load<f64>(src + (<usize>k << 3)), lo, hi) - m));
    const l = k & 3;
    if (l == 0) s0 += e; else if (l == 1) s1 += e; else if (l == 2) s2 += e; else s3 += e;
  }
  return (s0 + s1) + (s2 + s3);
}

/** Σ_{i≠j} expf(f32(clip(s_ij, lo, hi) − m)), the whole matrix as one sum with the diagonal skipped. */
export function offDiagSumExpF32(s: usize, n: i32, lo: f64, hi: f64, m: f64): f64 {
  return sumExp(s, n * n, lo, hi, m, 0, n + 1);
}

/**
 * dst[k] = −expf(f32(s_k − a)) (two = 0) or −expf(f32((s_k − a) − b)) (two ≠ 0) as float64,
 * and 1/n on the diagonal.
 */
export function marginalGradF32(dst: usize, s: usize, n: i32, a: f64, b: f64, two: i32): void {
  const count = n * n;
  const va = f64x2.splat(a), vb = f64x2.splat(two ? b : 0);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const p = s + (<usize>k << 3), d = dst + (<usize>k << 3);
    // (s − a) − b, or (s − a) − 0 (exact: the same value).
    const x0 = f64x2.sub(f64x2.sub(v128.load(p), va), vb);
    const x1 = f64x2.sub(f64x2.sub(v128.load(p, 16), va), vb);
    const e = expf4(v128.shuffle<f32>(f32x4.demote_f64x2_zero(x0), f32x4.demote_f64x2_zero(x1), 0, 1, 4, 5));
    v128.store(d, f64x2.neg(f64x2.promote_low_f32x4(e)));
    v128.store(d, f64x2.neg(f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3))), 16);
  }
  for (; k < count; k++) {
    const v = load<f64>(s + (<usize>k << 3));
    store<f64>(dst + (<usize>k << 3), -<f64>expf(<f32>(two ? v - a - b : v - a)));
  }
  const nf = <f64>n;
  for (let i = 0; i < n; i++) store<f64>(dst + (<usize>(i * n + i) << 3), 1 / nf);
}

/** max(m, src[k]) over k < len (f64.max: NaN wins; the order does not matter for a maximum). */
function maxRun(m: f64, src: usize, len: i32): f64 {
  let k = 0;
  if (len >= 4) {
    let a = f64x2.splat(m), b = a;
    for (; k + 4 <= len; k += 4) {
      const p = src + (<usize>k << 3);
      a = f64x2.max(a, v128.load(p));
      b = f64x2.max(b, v128.load(p, 16));
    }
    a = f64x2.max(a, b);
    m = max(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
  }
  for (; k < len; k++) m = max(m, load<f64>(src + (<usize>k << 3)));
  return m;
}

/**
 * Per row i (skipping j = i when skipDiag): mx[i] = max_j s_ij, and when it is finite
 * sm[i] = Σ_j expf(f32(s_ij − mx[i])) in the four-accumulator order along the row (else 0).
 */
export function rowMaxSumExpF32(s: usize, n: i32, skipDiag: i32, mx: usize, sm: usize): void {
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    let m: f64;
    if (skipDiag) m = maxRun(maxRun(-Infinity, row, i), row + (<usize>(i + 1) << 3), n - i - 1);
    else m = maxRun(-Infinity, row, n);
    store<f64>(mx + (<usize>i << 3), m);
    const sum = m - m == 0 ? sumExp(row, n, -Infinity, Infinity, m, skipDiag ? i : -1, n + 4) : 0;
    store<f64>(sm + (<usize>i << 3), sum);
  }
}

/**
 * Row-normalised gradients with e_ij = expf(f32(s_ij − lse[i])) as float64:
 * mode 0 (InfoNCE): ((i = j ? 1 : 0) − e_ij) / n; mode 1 (FlatNCE): 1/n on the diagonal, −e_ij / n off it.
 */
export function rowGradF32(dst: usize, s: usize, n: i32, lse: usize, mode: i32): void {
  const nf = <f64>n;
  const vn = f64x2.splat(nf);
  for (let i = 0; i < n; i++) {
    const l = load<f64>(lse + (<usize>i << 3));
    const vl = f64x2.splat(l);
    const o = <usize>(i * n) << 3;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = s + o + (<usize>j << 3), d = dst + o + (<usize>j << 3);
      const e = expf4(v128.shuffle<f32>(
        f32x4.demote_f64x2_zero(f64x2.sub(v128.load(p), vl)),
        f32x4.demote_f64x2_zero(f64x2.sub(v128.load(p, 16), vl)), 0, 1, 4, 5));
      // (0 − e) / n = −e / n exactly, so both modes store the same off the diagonal.
      v128.store(d, f64x2.div(f64x2.neg(f64x2.promote_low_f32x4(e)), vn));
      v128.store(d, f64x2.div(f64x2.neg(f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3))), vn), 16);
    }
    for (; j < n; j++) {
      const e = <f64>expf(<f32>(load<f64>(s + o + (<usize>j << 3)) - l));
      store<f64>(dst + o + (<usize>j << 3), -e / nf);
    }
    const di = dst + o + (<usize>i << 3);
    if (mode == 0) store<f64>(di, (1.0 - <f64>expf(<f32>(load<f64>(s + o + (<usize>i << 3)) - l))) / nf);
    else store<f64>(di, 1 / nf);
  }
}

/**
 * max over i ≠ j of clip(s_ij, lo, hi), NaN if any is NaN: as offDiagMax, with pmax (one
 * instruction; f64x2.max's NaN rules cost V8 several) and NaN detected on the side. A maximum's
 * value does not depend on the order (a ±0 tie may give either zero; it only ever shifts
 * exponentials' arguments, where both are the same).
 */
export function offDiagMaxF32(s: usize, n: i32, lo: f64, hi: f64): f64 {
  const vlo = f64x2.splat(lo), vhi = f64x2.splat(hi);
  let a = f64x2.splat(-Infinity), b = a;
  let nan = f64x2.splat(0);
  let m: f64 = -Infinity;
  let isNaN = false;
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    // The row's two runs: j < i and j > i.
    for (let run = 0; run < 2; run++) {
      const p0 = run == 0 ? row : row + (<usize>(i + 1) << 3);
      const len = run == 0 ? i : n - i - 1;
      let k = 0;
      for (; k + 4 <= len; k += 4) {
        const p = p0 + (<usize>k << 3);
        const v0 = f64x2.pmin(f64x2.pmax(v128.load(p), vlo), vhi);
        const v1 = f64x2.pmin(f64x2.pmax(v128.load(p, 16), vlo), vhi);
        nan = v128.or(nan, v128.or(f64x2.ne(v0, v0), f64x2.ne(v1, v1)));
        a = f64x2.pmax(a, v0);
        b = f64x2.pmax(b, v1);
      }
      for (; k < len; k++) {
        const v = clip(load<f64>(p0 + (<usize>k << 3)), lo, hi);
        if (v != v) isNaN = true;
        else if (v > m) m = v;
      }
    }
  }
  if (isNaN || v128.any_true(nan)) return NaN;
  a = f64x2.pmax(a, b);
  return max(m, max(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1)));
}

/**
 * NWJ's pass in one exponential per entry (float32 mode): with m = the off-diagonal maximum
 * (given), e_ij = expf(f32(s_ij − m)); returns Σ_{i≠j} e_ij (four-accumulator order) and writes
 * dst_ij = −e_ij·c (float64 product; c = e^(m − 1 − log n(n−1)), given) off the diagonal, 1/n on it:
 * −e^(s_ij − 1 − log n(n−1)) with the argument's float32 rounding taken at s_ij − m, not at the
 * larger s_ij − 1 − log n(n−1). The caller keeps 0 < c ≤ 1 (so no entry float32 can hold underflows).
 */
export function nwjF32(dst: usize, s: usize, n: i32, m: f64, c: f64): f64 {
  const count = n * n;
  const vm = f64x2.splat(m), vc = f64x2.splat(c);
  let a01 = f64x2.splat(0), a23 = f64x2.splat(0);
  const iota = v128.load(IOTA);
  const step = n + 1;
  let next = 0;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const p = s + (<usize>k << 3), d = dst + (<usize>k << 3);
    const x = v128.shuffle<f32>(
      f32x4.demote_f64x2_zero(f64x2.sub(v128.load(p), vm)),
      f32x4.demote_f64x2_zero(f64x2.sub(v128.load(p, 16), vm)), 0, 1, 4, 5);
    let e = expf4(x);
    while (next < k + 4) {
      e = v128.andnot(e, i32x4.eq(iota, i32x4.splat(next - k)));
      next += step;
    }
    const lo = f64x2.promote_low_f32x4(e);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3));
    a01 = f64x2.add(a01, lo);
    a23 = f64x2.add(a23, hi);
    v128.store(d, f64x2.neg(f64x2.mul(lo, vc)));
    v128.store(d, f64x2.neg(f64x2.mul(hi, vc)), 16);
  }
  let s0 = f64x2.extract_lane(a01, 0), s1 = f64x2.extract_lane(a01, 1);
  let s2 = f64x2.extract_lane(a23, 0), s3 = f64x2.extract_lane(a23, 1);
  for (; k < count; k++) {
    if (k == next) { next += step; continue; }
    const e = <f64>expf(<f32>(load<f64>(s + (<usize>k << 3)) - m));
    store<f64>(dst + (<usize>k << 3), -(e * c));
    const l = k & 3;
    if (l == 0) s0 += e; else if (l == 1) s1 += e; else if (l == 2) s2 += e; else s3 += e;
  }
  const nf = <f64>n;
  for (let i = 0; i < n; i++) store<f64>(dst + (<usize>(i * n + i) << 3), 1 / nf);
  return (s0 + s1) + (s2 + s3);
}

/*
 * Scores staged as float32 (src/bounds/passes.ts stage of a Float32Array: a copy, not a
 * conversion). Widening a float32 to float64 is exact, so every pass below gives the bits of the
 * float64-staged one it stands in for.
 */

/** dst[k] = src[k] widened to float64 (exact), k < count: for the passes that read float64. */
export function promoteF32(dst: usize, src: usize, count: i32): void {
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const v = v128.load(src + (<usize>k << 2)), d = dst + (<usize>k << 3);
    v128.store(d, f64x2.promote_low_f32x4(v));
    v128.store(d, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), 16);
  }
  for (; k < count; k++) store<f64>(dst + (<usize>k << 3), <f64>load<f32>(src + (<usize>k << 2)));
}

/**
 * Over the n×n float32 scores at s: NaN when any entry, the diagonal included, is ±∞ or NaN (the
 * training step's divergence check), else the maximum over i ≠ j. One read of the matrix for
 * both: x·0 is ±0 for a finite x and NaN otherwise, and a sum of them stays ±0 until the first
 * NaN. The maximum's ±0 tie may give either zero (see offDiagMaxF32).
 */
export function finiteOffDiagMax32(s: usize, n: i32): f64 {
  const zero = f32x4.splat(0);
  let z0 = zero, z1 = zero;
  let a = f32x4.splat(-Infinity), b = a;
  let m: f32 = -Infinity, z: f32 = 0;
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 2);
    for (let run = 0; run < 2; run++) {
      const p0 = run == 0 ? row : row + (<usize>(i + 1) << 2);
      const len = run == 0 ? i : n - i - 1;
      let k = 0;
      for (; k + 8 <= len; k += 8) {
        const p = p0 + (<usize>k << 2);
        const v0 = v128.load(p), v1 = v128.load(p, 16);
        z0 = f32x4.add(z0, f32x4.mul(v0, zero));
        z1 = f32x4.add(z1, f32x4.mul(v1, zero));
        a = f32x4.pmax(a, v0);
        b = f32x4.pmax(b, v1);
      }
      for (; k < len; k++) {
        const v = load<f32>(p0 + (<usize>k << 2));
        z += v * 0;
        if (v > m) m = v;
      }
    }
    z += load<f32>(row + (<usize>i << 2)) * 0;
  }
  const zz = f32x4.add(z0, z1);
  if (z != z || v128.any_true(f32x4.ne(zz, zz))) return NaN;
  a = f32x4.pmax(a, b);
  const ab = max(max(f32x4.extract_lane(a, 0), f32x4.extract_lane(a, 1)), max(f32x4.extract_lane(a, 2), f32x4.extract_lane(a, 3)));
  return <f64>max(m, ab);
}

/**
 * nwjF32 over float32-staged scores, also writing what the engine takes: neg_ij = f32(e_ij·c)
 * off the diagonal and f32(−1/n) on it, the float32 rounding of −dst_ij (negToF32's bits).
 * m must be a float32 value (the maximum of float32 scores): then f32(s_ij − m) is one float32
 * subtraction, the bits of nwjF32's float64 subtraction rounded to float32 (53 ≥ 2·24 + 2 bits).
 */
export function nwjF32s(dst: usize, neg: usize, s: usize, n: i32, m: f64, c: f64): f64 {
  const count = n * n;
  const vm = f32x4.splat(<f32>m), vc = f64x2.splat(c);
  let a01 = f64x2.splat(0), a23 = f64x2.splat(0);
  const iota = v128.load(IOTA);
  const step = n + 1;
  let next = 0;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    // Uncapped: off the diagonal x = s − m ≤ 0, and diagonal lanes are zeroed just below.
    let e = expf4(f32x4.sub(v128.load(s + (<usize>k << 2)), vm), false);
    while (next < k + 4) {
      e = v128.andnot(e, i32x4.eq(iota, i32x4.splat(next - k)));
      next += step;
    }
    const lo = f64x2.promote_low_f32x4(e);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 2, 3));
    a01 = f64x2.add(a01, lo);
    a23 = f64x2.add(a23, hi);
    const glo = f64x2.mul(lo, vc), ghi = f64x2.mul(hi, vc);
    v128.store(neg + (<usize>k << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(glo), f32x4.demote_f64x2_zero(ghi), 0, 1, 4, 5));
    const d = dst + (<usize>k << 3);
    v128.store(d, f64x2.neg(glo));
    v128.store(d, f64x2.neg(ghi), 16);
  }
  let s0 = f64x2.extract_lane(a01, 0), s1 = f64x2.extract_lane(a01, 1);
  let s2 = f64x2.extract_lane(a23, 0), s3 = f64x2.extract_lane(a23, 1);
  const mf = <f32>m;
  for (; k < count; k++) {
    if (k == next) { next += step; continue; }
    const e = <f64>expf(load<f32>(s + (<usize>k << 2)) - mf);
    store<f32>(neg + (<usize>k << 2), <f32>(e * c));
    store<f64>(dst + (<usize>k << 3), -(e * c));
    const l = k & 3;
    if (l == 0) s0 += e; else if (l == 1) s1 += e; else if (l == 2) s2 += e; else s3 += e;
  }
  const nf = <f64>n;
  for (let i = 0; i < n; i++) {
    store<f32>(neg + (<usize>(i * n + i) << 2), <f32>(-(1 / nf)));
    store<f64>(dst + (<usize>(i * n + i) << 3), 1 / nf);
  }
  return (s0 + s1) + (s2 + s3);
}

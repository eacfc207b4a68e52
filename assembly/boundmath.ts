/**
 * Float64 exponentials for the bounds' O(n²) passes (src/bounds/vexp.ts), bit for bit equal to
 * V8's Math.exp, which is fdlibm's e_exp.c as V8 ships it (src/base/ieee754.cc, `exp`: Sun
 * Microsystems 1993, modified by Google 2016; the x == 1 → E special case and the k == 0 return
 * `1 − ((x·c)/(c − 2) − x)` are V8's). The same operations in the same order, every one an
 * IEEE-754 double operation (WebAssembly never fuses or reassociates), so each result has the
 * same bits; test/bounds-vexp.test.ts checks it against Math.exp on tens of millions of inputs.
 *
 * Two lanes at a time with f64x2; a group of four with a lane outside 2⁻²⁸ ≤ |x| < 700 or equal
 * to 1 (fdlibm's own early returns: 1 + x for tiny x, V8's E for x = 1; overflow, underflow,
 * subnormal results, NaN, ±∞) goes through the scalar port instead. In the vector path the three
 * reductions of fdlibm (none for |x| ≤ ln2/2, k = ±1 below 1.5·ln2, k = round(x/ln2) above) are
 * one formula with k selected per lane: with k = 0 it computes hi = x − 0, lo = 0 and
 * 1 − ((0 − x·c/(2 − c)) − x), which is fdlibm's k = 0 branch exactly (c − 2 = −(2 − c) and
 * rounding is symmetric).
 */

const LN2HI: f64 = 6.93147180369123816490e-01;
const LN2LO: f64 = 1.90821492927058770002e-10;
const INVLN2: f64 = 1.44269504088896338700e+00;
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;
const E: f64 = 2.718281828459045;
const O_THRESHOLD: f64 = 7.09782712893383973096e+02;
const U_THRESHOLD: f64 = -7.45133219101941108420e+02;
const TWOM1000: f64 = 9.33263618503218878990e-302;
const TWO1023: f64 = 8.988465674311579539e307;

export function heapBase(): usize {
  return __heap_base;
}

/** V8's ieee754::exp, line for line (the scalar path and the reference of the vector one). */
export function expScalar(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >> 32);
  const xsb = <i32>(hx >> 31);
  hx &= 0x7fffffff;
  let hi: f64 = 0, lo: f64 = 0;
  let k: i32 = 0;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if ((((hx & 0xfffff) | <u32>bits)) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0.0;
  }
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x == 1.0) return E;
      hi = x - (xsb ? -LN2HI : LN2HI);
      lo = xsb ? -LN2LO : LN2LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INVLN2 * x + (xsb ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2HI;
      lo = t * LN2LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1.0 + x;
  } else {
    k = 0;
  }
  const t = x * x;
  let twopk: f64;
  if (k >= -1021) twopk = reinterpret<f64>(<u64>(0x3ff00000 + (k << 20)) << 32);
  else twopk = reinterpret<f64>(<u64>(0x3ff00000 + ((k + 1000) << 20)) << 32);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * TWO1023;
    return y * twopk;
  }
  return y * twopk * TWOM1000;
}

// High words of fdlibm's range tests, as |x| thresholds (|x| ≥ bits(H, 0) ⟺ high word ≥ H).
const T_RED: f64 = reinterpret<f64>(<u64>0x3fd62e43 << 32); // hx > 0x3fd62e42
const T_RED2: f64 = reinterpret<f64>(<u64>0x3ff0a2b2 << 32); // hx < 0x3ff0a2b2
const T_TINY: f64 = reinterpret<f64>(<u64>0x3e300000 << 32); // hx < 0x3e300000 (|x| < 2⁻²⁸)

/**
 * Splatted constants, loaded from memory: V8 rebuilds every f64x2.splat of a constant from a
 * general register (two or three instructions) at each use, a load is one.
 */
const K = memory.data<f64>([
  -0.0, -0.0, // 0: sign mask
  1.0, 1.0, // 16
  0.5, 0.5, // 32
  INVLN2, INVLN2, // 48
  LN2HI, LN2HI, // 64
  LN2LO, LN2LO, // 80
  P1, P1, P2, P2, P3, P3, P4, P4, P5, P5, // 96, 112, 128, 144, 160
  2.0, 2.0, // 176
  4503599627370496.0 + 1023.0, 4503599627370496.0 + 1023.0, // 192: 2⁵² + 1023
  E, E, // 208
  700.0, 700.0, // 224: the vector path's domain, |x| < 700
  0.0, 0.0, // 240: T_RED, T_RED2, T_TINY follow (filled below)
  0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
], 16);
store<f64>(K + 240, T_RED); store<f64>(K + 248, T_RED);
store<f64>(K + 256, T_RED2); store<f64>(K + 264, T_RED2);
store<f64>(K + 272, T_TINY); store<f64>(K + 280, T_TINY);

// @ts-ignore: decorator
@inline function expVec(x: v128): v128 {
  const ax = v128.andnot(x, v128.load(K));
  const sign = v128.and(x, v128.load(K));
  const one = v128.load(K, 16);
  const red = f64x2.ge(ax, v128.load(K, 240));
  const red2 = f64x2.lt(ax, v128.load(K, 256));
  // k: round-half-away of x/ln2 (fdlibm: (int)(invln2·x ± 0.5)); ±1 below 1.5·ln2; 0 below ln2/2.
  const kGen = f64x2.trunc(f64x2.add(f64x2.mul(v128.load(K, 48), x), v128.or(v128.load(K, 32), sign)));
  const kOne = v128.or(one, sign);
  const k = v128.and(v128.bitselect(kOne, kGen, red2), red);
  const hi = f64x2.sub(x, f64x2.mul(k, v128.load(K, 64)));
  const lo = f64x2.mul(k, v128.load(K, 80));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(v128.load(K, 144), f64x2.mul(t, v128.load(K, 160)));
  p = f64x2.add(v128.load(K, 128), f64x2.mul(t, p));
  p = f64x2.add(v128.load(K, 112), f64x2.mul(t, p));
  p = f64x2.add(v128.load(K, 96), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(v128.load(K, 176), c));
  const y = f64x2.sub(one, f64x2.sub(f64x2.sub(lo, q), hi));
  // 2^k from its bits: k + 1023 sits in the low mantissa bits of k + (2⁵² + 1023).
  const twopk = i64x2.shl(f64x2.add(k, v128.load(K, 192)), 52);
  return f64x2.mul(y, twopk);
}

/**
 * exp of both lanes of x: the vector path when both are in its domain, 2⁻²⁸ ≤ |x| < 700 and
 * x ≠ 1 (a NaN fails the comparisons), else the scalar port for each. Both give Math.exp's bits.
 */
// @ts-ignore: decorator
@inline function exp2(x: v128): v128 {
  const ax = v128.andnot(x, v128.load(K));
  const ok = v128.and(v128.and(f64x2.lt(ax, v128.load(K, 224)), f64x2.ge(ax, v128.load(K, 272))), f64x2.ne(x, v128.load(K, 16)));
  if (i64x2.all_true(ok)) return expVec(x);
  return f64x2.replace_lane(f64x2.splat(expScalar(f64x2.extract_lane(x, 0))), 1, expScalar(f64x2.extract_lane(x, 1)));
}

/** p[i] = exp(p[i]) for i < count (float64, in place): bit for bit Math.exp. */
export function expInPlace(p: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const a = p + (<usize>i << 3);
    const x0 = v128.load(a), x1 = v128.load(a, 16);
    v128.store(a, exp2(x0));
    v128.store(a, exp2(x1), 16);
  }
  for (; i < count; i++) {
    const a = p + (<usize>i << 3);
    store<f64>(a, expScalar(load<f64>(a)));
  }
}

/**
 * sum + Σ_k exp(clip(src[k], lo, hi) − m) over k < len, the terms added one at a time in order:
 * the arguments, the exponentials and the running sum in one pass.
 */
function clipShiftExpSum(sum: f64, src: usize, len: i32, lo: f64, hi: f64, m: f64): f64 {
  const vlo = f64x2.splat(lo), vhi = f64x2.splat(hi), vm = f64x2.splat(m);
  let k = 0;
  for (; k + 4 <= len; k += 4) {
    const p = src + (<usize>k << 3);
    const e0 = exp2(f64x2.sub(clipVec(v128.load(p), vlo, vhi), vm));
    const e1 = exp2(f64x2.sub(clipVec(v128.load(p, 16), vlo, vhi), vm));
    sum += f64x2.extract_lane(e0, 0); sum += f64x2.extract_lane(e0, 1);
    sum += f64x2.extract_lane(e1, 0); sum += f64x2.extract_lane(e1, 1);
  }
  for (; k < len; k++) sum += expScalar(clip(load<f64>(src + (<usize>k << 3)), lo, hi) - m);
  return sum;
}

/** dst[k] = −exp(src[k] − a) (two = 0) or −exp((src[k] − a) − b) (two ≠ 0), k < count, in one pass. */
function negExpShift(dst: usize, src: usize, count: i32, a: f64, b: f64, two: i32): void {
  const va = f64x2.splat(a), vb = f64x2.splat(b);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const p = src + (<usize>k << 3), d = dst + (<usize>k << 3);
    let x0 = f64x2.sub(v128.load(p), va), x1 = f64x2.sub(v128.load(p, 16), va);
    if (two) { x0 = f64x2.sub(x0, vb); x1 = f64x2.sub(x1, vb); }
    v128.store(d, f64x2.neg(exp2(x0)));
    v128.store(d, f64x2.neg(exp2(x1)), 16);
  }
  for (; k < count; k++) {
    const v = load<f64>(src + (<usize>k << 3));
    store<f64>(dst + (<usize>k << 3), -expScalar(two ? v - a - b : v - a));
  }
}

// ---------------------------------------------------------------------------------------------
// log1p: fdlibm's s_log1p.c (Sun Microsystems 1993), the function behind V8's Math.log1p in the
// V8 that Node 20 ships; checked bit for bit against Math.log1p by test/bounds-vexp.test.ts.

const LP1: f64 = 6.666666666666735130e-01;
const LP2: f64 = 3.999999999940941908e-01;
const LP3: f64 = 2.857142874366239149e-01;
const LP4: f64 = 2.222219843214978396e-01;
const LP5: f64 = 1.818357216161805012e-01;
const LP6: f64 = 1.531383769920937332e-01;
const LP7: f64 = 1.479819860511658591e-01;

/** fdlibm log1p, line for line. */
export function log1pScalar(x: f64): f64 {
  const hx = <i32>(reinterpret<u64>(x) >> 32);
  const ax = hx & 0x7fffffff;
  let k: i32 = 1;
  let f: f64 = 0, c: f64 = 0, u: f64 = 0;
  let hu: i32 = 0;
  if (hx < 0x3fda827a) {
    if (ax >= 0x3ff00000) {
      if (x == -1.0) return -Infinity;
      return (x - x) / (x - x);
    }
    if (ax < 0x3e200000) {
      if (ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= <i32>0xbfd2bec3) { k = 0; f = x; hu = 1; }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = <i32>(reinterpret<u64>(u) >> 32);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      hu = <i32>(reinterpret<u64>(u) >> 32);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    const lo = reinterpret<u64>(u) & 0xffffffff;
    if (hu < 0x6a09e) {
      u = reinterpret<f64>((<u64>(hu | 0x3ff00000) << 32) | lo);
    } else {
      k += 1;
      u = reinterpret<f64>((<u64>(hu | 0x3fe00000) << 32) | lo);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  const kd = <f64>k;
  if (hu == 0) {
    if (f == 0) {
      if (k == 0) return 0;
      c += kd * LN2LO;
      return kd * LN2HI + c;
    }
    const R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - R;
    return kd * LN2HI - ((R - (kd * LN2LO + c)) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return kd * LN2HI - ((hfsq - (s * (hfsq + R) + (kd * LN2LO + c))) - f);
}

/** p[i] = log1p(p[i]) for i < count (float64, in place): bit for bit Math.log1p. */
export function log1pInPlace(p: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const a = p + (<usize>i << 3);
    store<f64>(a, log1pScalar(load<f64>(a)));
  }
}

// ---------------------------------------------------------------------------------------------
// The bounds' O(n²) passes (src/bounds/passes.ts documents each). s is the n×n score matrix as
// float64, row-major; every sum runs in the order of the scalar loops it replaces (row-major,
// one element after the other), so only the exponentials are computed two at a time.

// @ts-ignore: decorator
@inline function clip(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

// @ts-ignore: decorator
@inline function clipVec(v: v128, lo: v128, hi: v128): v128 {
  // v < lo ? lo : v > hi ? hi : v, lane by lane (a NaN lane stays NaN, as in clip).
  return v128.bitselect(lo, v128.bitselect(hi, v, f64x2.gt(v, hi)), f64x2.lt(v, lo));
}

/** max(m, clip(src[k])) over k < len, as a chain of f64.max (order does not matter for max). */
function maxClipRun(m: f64, src: usize, len: i32, lo: f64, hi: f64): f64 {
  let k = 0;
  if (len >= 4) {
    const vlo = f64x2.splat(lo), vhi = f64x2.splat(hi);
    let a = f64x2.splat(m), b = a;
    for (; k + 4 <= len; k += 4) {
      const p = src + (<usize>k << 3);
      a = f64x2.max(a, clipVec(v128.load(p), vlo, vhi));
      b = f64x2.max(b, clipVec(v128.load(p, 16), vlo, vhi));
    }
    a = f64x2.max(a, b);
    m = max(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
  }
  for (; k < len; k++) m = max(m, clip(load<f64>(src + (<usize>k << 3)), lo, hi));
  return m;
}

/** max over i ≠ j of clip(s_ij, lo, hi); NaN if any is NaN (Math.max's semantics, as f64.max). */
export function offDiagMax(s: usize, n: i32, lo: f64, hi: f64): f64 {
  let m: f64 = -Infinity;
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    m = maxClipRun(m, row, i, lo, hi);
    m = maxClipRun(m, row + (<usize>(i + 1) << 3), n - i - 1, lo, hi);
  }
  return m;
}

/** Σ_{i≠j} exp(clip(s_ij, lo, hi) − m), row-major (tmp: unused, kept for the signature). */
export function offDiagSumExp(s: usize, n: i32, lo: f64, hi: f64, m: f64, tmp: usize): f64 {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    sum = clipShiftExpSum(sum, row, i, lo, hi, m);
    sum = clipShiftExpSum(sum, row + (<usize>(i + 1) << 3), n - i - 1, lo, hi, m);
  }
  return sum;
}

/** dst[k] = 1/n on the diagonal, −exp(s_k − a) off it (two = 0), or −exp((s_k − a) − b) (two ≠ 0). */
export function marginalGrad(dst: usize, s: usize, n: i32, a: f64, b: f64, two: i32): void {
  negExpShift(dst, s, n * n, a, b, two);
  const nf = <f64>n;
  for (let i = 0; i < n; i++) store<f64>(dst + (<usize>(i * n + i) << 3), 1 / nf);
}

/**
 * Per row i (skipping j = i when skipDiag): mx[i] = max_j s_ij (Math.max's semantics) and, when
 * mx[i] is finite, sm[i] = Σ_j exp(s_ij − mx[i]) in order (else sm[i] = 0). tmp: n doubles.
 */
export function rowMaxSumExp(s: usize, n: i32, skipDiag: i32, mx: usize, sm: usize, tmp: usize): void {
  // tmp: unused (the sums run fused with the exponentials), kept for the signature.
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    let m: f64;
    if (skipDiag) m = maxClipRun(maxClipRun(-Infinity, row, i, -Infinity, Infinity), row + (<usize>(i + 1) << 3), n - i - 1, -Infinity, Infinity);
    else m = maxClipRun(-Infinity, row, n, -Infinity, Infinity);
    store<f64>(mx + (<usize>i << 3), m);
    let sum: f64 = 0;
    if (m - m == 0) {
      if (skipDiag) {
        sum = clipShiftExpSum(sum, row, i, -Infinity, Infinity, m);
        sum = clipShiftExpSum(sum, row + (<usize>(i + 1) << 3), n - i - 1, -Infinity, Infinity, m);
      } else {
        sum = clipShiftExpSum(sum, row, n, -Infinity, Infinity, m);
      }
    }
    store<f64>(sm + (<usize>i << 3), sum);
  }
}

/**
 * Row-normalised gradients, e_ij = exp(s_ij − lse[i]):
 * mode 0 (InfoNCE): dst_ij = ((i = j ? 1 : 0) − e_ij) / n;
 * mode 1 (FlatNCE): dst_ij = 1/n on the diagonal, (−e_ij) / n off it.
 */
export function rowGrad(dst: usize, s: usize, n: i32, lse: usize, mode: i32): void {
  const nf = <f64>n;
  for (let i = 0; i < n; i++) {
    const l = load<f64>(lse + (<usize>i << 3));
    const o = <usize>(i * n) << 3;
    const d = dst + o;
    for (let j = 0; j < n; j++) store<f64>(d + (<usize>j << 3), load<f64>(s + o + (<usize>j << 3)) - l);
    expInPlace(d, n);
    for (let j = 0; j < n; j++) {
      const p = d + (<usize>j << 3);
      const e = load<f64>(p);
      if (mode == 0) store<f64>(p, ((i == j ? 1.0 : 0.0) - e) / nf);
      else store<f64>(p, i == j ? 1 / nf : -e / nf);
    }
  }
}

/**
 * The JS f-GAN objective's sums and gradient (src/bounds/util.ts jsFgan): with u = −s_ii on the
 * diagonal and s_ij off it, e = exp(u > 0 ? −u : u) serves softplus(u) = (u > 0 ? u : 0) +
 * log1p(e) and sigmoid(u) = u ≥ 0 ? 1/(1 + e) : e/(1 + e). out[0] = Σ_i −softplus(−s_ii) (as
 * joint −= …), out[1] = Σ_{i≠j} softplus(s_ij), row-major; dst = the gradient. tmp: n doubles.
 */
export function jsFgan(dst: usize, s: usize, n: i32, out: usize, tmp: usize): void {
  const nf = <f64>n;
  const nOff = <f64>n * <f64>(n - 1);
  let joint: f64 = 0, marg: f64 = 0;
  for (let i = 0; i < n; i++) {
    const row = s + (<usize>(i * n) << 3);
    for (let j = 0; j < n; j++) {
      const t = load<f64>(row + (<usize>j << 3));
      const u = j == i ? -t : t;
      store<f64>(tmp + (<usize>j << 3), u > 0 ? -u : u);
    }
    expInPlace(tmp, n);
    const g = dst + (<usize>(i * n) << 3);
    for (let j = 0; j < n; j++) {
      const t = load<f64>(row + (<usize>j << 3));
      const e = load<f64>(tmp + (<usize>j << 3));
      if (j == i) {
        const u = -t;
        joint -= u > 0 ? u + log1pScalar(e) : log1pScalar(e);
        store<f64>(g + (<usize>j << 3), (u >= 0 ? 1 / (1 + e) : e / (1 + e)) / nf);
      } else {
        marg += t > 0 ? t + log1pScalar(e) : log1pScalar(e);
        store<f64>(g + (<usize>j << 3), -(t >= 0 ? 1 / (1 + e) : e / (1 + e)) / nOff);
      }
    }
  }
  store<f64>(out, joint);
  store<f64>(out, marg, 8);
}

/** dst[k] = −src[k] rounded to float32 (round to nearest even, as a Float32Array store), k < count. */
export function negToF32(dst: usize, src: usize, count: i32): void {
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const a = f32x4.demote_f64x2_zero(f64x2.neg(v128.load(src + (<usize>k << 3))));
    const b = f32x4.demote_f64x2_zero(f64x2.neg(v128.load(src + (<usize>k << 3), 16)));
    v128.store(dst + (<usize>k << 2), v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  }
  for (; k < count; k++) store<f32>(dst + (<usize>k << 2), <f32>(-load<f64>(src + (<usize>k << 3))));
}

// The opt-in float32 passes (boundPrecision: 'float32'), in a file of their own.
export {
  expf, offDiagMaxF32, offDiagSumExpF32, marginalGradF32, rowMaxSumExpF32, rowGradF32, nwjF32, promoteF32, finiteOffDiagMax32, nwjF32s,
} from './boundmath32';

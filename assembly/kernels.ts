/**
 * SIMD kernels of the wasm engine (AssemblyScript). Compiled twice by scripts/build-kernels.mjs:
 * with plain SIMD, and with relaxed SIMD, where `madd` becomes f32x4.relaxed_madd (a fused
 * multiply-add on x86 with FMA). Every pointer is a byte address in this module's memory, every
 * matrix is Float32 row-major unless a stride says otherwise; the driver
 * (src/engine/wasm/index.ts) owns the memory map and calls these with no allocation.
 *
 * The matrix product is GotoBLAS-shaped: for each block of NC columns and KC depths, pack B into
 * 8-wide column panels, then for each block of MR rows pack A into a panel and run an MR×8
 * register tile over the whole depth block. MR is 5 in the relaxed build (10 accumulators of
 * f32x4: ten independent multiply-add chains, where FMA latency × throughput needs eight), with
 * blocks of 4 rows (the 4×8 tile) filling the rest of m, and 4 in the plain build, where the
 * separate multiply needs one register more than the 5-row tile leaves. Whatever the tile, each
 * entry of C is summed over depth in the same order (ascending, from zero, per KC block), so the
 * results do not depend on MR. Packing takes arbitrary strides, so one routine serves the NN, NT
 * and TN products of forward and backward passes.
 */

/** Rows of the main register tile (see above); the rest of m goes through 4-row tiles. */
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 5 : 4;
const NR: i32 = 8;
const KC: i32 = 256;
const NC: i32 = 256;

/**
 * Row blocks whose A panels are packed together when A is transposed in memory (rsA = 1: a
 * depth's values of consecutive rows are contiguous). Packing one block at a time then reads
 * 4–5 floats per depth, a csA-float stride apart (4 KB at n = 1 024: every read a new page, all
 * in one L1 set); packing CH blocks together reads 4·CH–5·CH contiguous floats per depth.
 */
const CH: i32 = 4;

/**
 * Scratch for packed panels: CH A panels (each 4×KC pre-broadcast vectors for the 4-row tile, or
 * KC rows of two vectors for the 5-row tile: the same 16·4·KC bytes or fewer), then B panels
 * KC×NC floats, then an edge tile.
 */
let packA: usize = 0;
let packB: usize = 0;
/** An MR×NR tile for edge blocks (rows or columns past the matrix end). */
let edgeTile: usize = 0;

/** Bytes of scratch the driver must reserve for setScratch. */
export function scratchBytes(): i32 {
  return (CH * 4 * KC * 4 + KC * NC + MR * NR) * 4;
}

/** Bytes of one A panel in scratch. */
const PANEL_A: usize = <usize>(4 * KC * 16);

export function setScratch(ptr: usize): void {
  packA = ptr;
  packB = ptr + <usize>CH * PANEL_A;
  edgeTile = packB + <usize>(KC * NC * 4);
}

export function heapBase(): usize {
  return __heap_base;
}

/** True when this build uses relaxed SIMD (lets the driver confirm which module it loaded). */
export function relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * Pack rows [i0, i0+4) (rows ≤ 4 of them; missing rows are zeros) × depths [p0, p0+kc) of A
 * (strides rsA, csA, in floats) for the 4×8 tile, each value pre-broadcast to a full vector:
 * Ap[(p*4 + r)*4 + 0..3] = A(i0+r, p0+p). The tile then reads A with plain vector loads at
 * constant offsets, which V8 folds into the addressing mode (it does not for load32_splat,
 * costing an extra instruction per value).
 */
function packPanelA4(dst: usize, a: usize, rsA: i32, csA: i32, i0: i32, rows: i32, p0: i32, kc: i32): void {
  if (rows == 4 && rsA == 1) {
    // A is transposed in memory: the 4 values of one depth are contiguous.
    let src = a + (<usize>(p0 * csA + i0) << 2);
    const step = <usize>csA << 2;
    for (let p = 0; p < kc; p++) {
      splat4(dst, v128.load(src));
      src += step; dst += 64;
    }
    return;
  }
  if (rows == 4 && csA == 1) {
    // Row-major A: transpose 4×4 blocks of the four rows.
    const r0 = a + (<usize>(i0 * rsA + p0) << 2);
    const rs = <usize>rsA << 2;
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const o = <usize>p << 2;
      const x0 = v128.load(r0 + o), x1 = v128.load(r0 + rs + o);
      const x2 = v128.load(r0 + 2 * rs + o), x3 = v128.load(r0 + 3 * rs + o);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      splat4(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      splat4(dst + 64, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      splat4(dst + 128, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      splat4(dst + 192, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      dst += 256;
    }
    for (; p < kc; p++) {
      const o = <usize>p << 2;
      v128.store(dst, f32x4.splat(load<f32>(r0 + o)));
      v128.store(dst, f32x4.splat(load<f32>(r0 + rs + o)), 16);
      v128.store(dst, f32x4.splat(load<f32>(r0 + 2 * rs + o)), 32);
      v128.store(dst, f32x4.splat(load<f32>(r0 + 3 * rs + o)), 48);
      dst += 64;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < 4; r++) {
      const v: f32 = r < rows ? load<f32>(a + (<usize>((i0 + r) * rsA + (p0 + p) * csA) << 2)) : 0;
      v128.store(dst, f32x4.splat(v));
      dst += 16;
    }
  }
}

/**
 * Pack rows [i0, i0+5) × depths [p0, p0+kc) of A for the 5×8 tile, 32 bytes per depth: rows 0-3
 * as one vector, then row 4 broadcast. Packing only copies bits.
 */
function packPanelA5(dst: usize, a: usize, rsA: i32, csA: i32, i0: i32, p0: i32, kc: i32): void {
  if (rsA == 1) {
    let src = a + (<usize>(p0 * csA + i0) << 2);
    const step = <usize>csA << 2;
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load32_splat(src + 16), 16);
      src += step; dst += 32;
    }
    return;
  }
  const r0 = a + (<usize>(i0 * rsA + p0) << 2);
  const rs = <usize>rsA << 2;
  let p = 0;
  if (csA == 1) {
    for (; p + 4 <= kc; p += 4) {
      const o = <usize>p << 2;
      transposeStore4(dst, r0 + o, rs);
      const x = v128.load(r0 + 4 * rs + o);
      v128.store(dst, v128.shuffle<f32>(x, x, 0, 0, 0, 0), 16);
      v128.store(dst, v128.shuffle<f32>(x, x, 1, 1, 1, 1), 48);
      v128.store(dst, v128.shuffle<f32>(x, x, 2, 2, 2, 2), 80);
      v128.store(dst, v128.shuffle<f32>(x, x, 3, 3, 3, 3), 112);
      dst += 128;
    }
  }
  const cs = <usize>csA << 2;
  for (; p < kc; p++) {
    const o = <usize>p * cs;
    for (let r = 0; r < 4; r++) store<f32>(dst + (<usize>r << 2), load<f32>(r0 + <usize>r * rs + o));
    v128.store(dst, v128.load32_splat(r0 + 4 * rs + o), 16);
    dst += 32;
  }
}

/**
 * A transposed in memory (rsA = 1): pack `count` full blocks of mr rows from row i0 on, block b's
 * panel at packA + b·PANEL_A, in packPanelA4's (mr = 4) or packPanelA5's (mr = 5) layout — the
 * same bytes — reading each depth's 4·count or 5·count contiguous floats at once.
 */
function packPanelsAT(a: usize, csA: i32, i0: i32, mr: i32, count: i32, p0: i32, kc: i32): void {
  let src = a + (<usize>(p0 * csA + i0) << 2);
  const step = <usize>csA << 2;
  if (mr == 5) {
    for (let p = 0; p < kc; p++) {
      let s = src, d = packA + (<usize>p << 5);
      for (let b = 0; b < count; b++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load32_splat(s + 16), 16);
        s += 20; d += PANEL_A;
      }
      src += step;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      let s = src, d = packA + (<usize>p << 6);
      for (let b = 0; b < count; b++) {
        splat4(d, v128.load(s));
        s += 16; d += PANEL_A;
      }
      src += step;
    }
  }
}

/** Store the four lanes of x, each broadcast to a vector, at dst, dst+16, dst+32, dst+48. */
// @ts-ignore: decorator
@inline function splat4(dst: usize, x: v128): void {
  v128.store(dst, v128.shuffle<f32>(x, x, 0, 0, 0, 0));
  v128.store(dst, v128.shuffle<f32>(x, x, 1, 1, 1, 1), 16);
  v128.store(dst, v128.shuffle<f32>(x, x, 2, 2, 2, 2), 32);
  v128.store(dst, v128.shuffle<f32>(x, x, 3, 3, 3, 3), 48);
}

/** Pack depths [p0, p0+kc) × columns [j0, j0+nc) of B as panels of NR columns: Bp[(jb*kc + p)*NR + c]. */
function packPanelsB(b: usize, rsB: i32, csB: i32, p0: i32, kc: i32, j0: i32, nc: i32): void {
  let dst = packB;
  for (let jb = 0; jb < nc; jb += NR) {
    const cols = min(NR, nc - jb);
    if (cols == NR && csB == 1) {
      let src = b + (<usize>(p0 * rsB + j0 + jb) << 2);
      const step = <usize>rsB << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step; dst += 32;
      }
    } else if (cols == NR && rsB == 1) {
      // B is transposed in memory (a weight [out, in] used as Wᵀ): each column is contiguous in
      // depth, so transpose 4×4 blocks of two column quads.
      const col = b + (<usize>(p0 + (j0 + jb) * csB) << 2);
      const cs = <usize>csB << 2;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        transposeStore4(dst, col + o, cs);
        transposeStore4(dst + 16, col + 4 * cs + o, cs);
        dst += 128;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(col + <usize>c * cs + o));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) {
          const v: f32 = c < cols ? load<f32>(b + (<usize>((p0 + p) * rsB + (j0 + jb + c) * csB) << 2)) : 0;
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

/**
 * Load four contiguous quads at src, src + stride, … (four columns × four depths) and store them
 * transposed as four depth rows, each at dst + 32·q (the 8-wide packed-B row pitch).
 */
// @ts-ignore: decorator
@inline function transposeStore4(dst: usize, src: usize, stride: usize): void {
  const x0 = v128.load(src), x1 = v128.load(src + stride);
  const x2 = v128.load(src + 2 * stride), x3 = v128.load(src + 3 * stride);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
  v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
}

const F_ACC: i32 = 1;
const F_BIAS: i32 = 2;
const F_RELU: i32 = 4;

/**
 * The 4×8 register tile over one packed depth block (A panel from packPanelA4): acc = Ap·Bp;
 * then C = acc (+ C if F_ACC) (+ bias[0..8) if F_BIAS), ReLU if F_RELU. ldc in floats.
 */
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, flags: i32, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Loop on the B pointer alone: one induction variable fewer in the hottest loop.
  const bEnd = bp + (<usize>kc << 5);
  while (bp < bEnd) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load(ap);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load(ap, 16);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load(ap, 32);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load(ap, 48);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    ap += 64; bp += 32;
  }
  const rs = <usize>ldc << 2;
  if (flags & F_ACC) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + rs)); c11 = f32x4.add(c11, v128.load(c + rs, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * rs)); c21 = f32x4.add(c21, v128.load(c + 2 * rs, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * rs)); c31 = f32x4.add(c31, v128.load(c + 3 * rs, 16));
  }
  if (flags & F_BIAS) {
    const b0 = v128.load(bias), b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0); c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0); c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0); c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0); c31 = f32x4.add(c31, b1);
  }
  if (flags & F_RELU) {
    const z = f32x4.splat(0);
    c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z); c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z);
    c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z); c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rs, c10); v128.store(c + rs, c11, 16);
  v128.store(c + 2 * rs, c20); v128.store(c + 2 * rs, c21, 16);
  v128.store(c + 3 * rs, c30); v128.store(c + 3 * rs, c31, 16);
}

/**
 * The 5×8 register tile over one packed depth block (A panel from packPanelA5: per depth rows
 * 0-3, then row 4 broadcast): acc = Ap·Bp, each entry summed over depth in ascending order from
 * 0, as in the 4×8 tile; then C = acc (+ C if F_ACC) (+ bias[0..8) if F_BIAS), ReLU if F_RELU.
 * Why 5×8 and not 6×8: V8 (TurboFan) schedules all of an iteration's loads before its
 * multiply-adds, so every loaded vector is live at once; 6×8 with pre-broadcast A (12
 * accumulators + 8 loads) and 5×8 likewise (10 + 7) spill accumulators to the stack and ran at
 * half speed. V8 on x64 allocates 15 xmm registers. Its epilogue repeats micro's for a fifth
 * row on purpose: a shared @inline per-row epilogue (same bits) measured about 1 % slower on the
 * separable step's products at n = 64 and 256 (three A/B rounds, sweep paused), as it
 * interleaves the loads of C with the stores of earlier rows, which V8 cannot reorder.
 */
function micro5(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, flags: i32, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  // Loop on the B pointer alone: one induction variable fewer in the hottest loop.
  const bEnd = bp + (<usize>kc << 5);
  while (bp < bEnd) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    // Rows 0-3 come as one vector, each lane broadcast by a shuffle (a pure operation, which V8
    // schedules next to its use, where a load would be hoisted and hold a register); row 4 is
    // pre-broadcast. That keeps the live vectors at 10 accumulators + 4 loads + 1.
    const av = v128.load(ap);
    let a = v128.shuffle<f32>(av, av, 0, 0, 0, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.shuffle<f32>(av, av, 2, 2, 2, 2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load(ap, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    ap += 32; bp += 32;
  }
  const rs = <usize>ldc << 2;
  if (flags & F_ACC) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + rs)); c11 = f32x4.add(c11, v128.load(c + rs, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * rs)); c21 = f32x4.add(c21, v128.load(c + 2 * rs, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * rs)); c31 = f32x4.add(c31, v128.load(c + 3 * rs, 16));
    c40 = f32x4.add(c40, v128.load(c + 4 * rs)); c41 = f32x4.add(c41, v128.load(c + 4 * rs, 16));
  }
  if (flags & F_BIAS) {
    const b0 = v128.load(bias), b1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, b0); c01 = f32x4.add(c01, b1);
    c10 = f32x4.add(c10, b0); c11 = f32x4.add(c11, b1);
    c20 = f32x4.add(c20, b0); c21 = f32x4.add(c21, b1);
    c30 = f32x4.add(c30, b0); c31 = f32x4.add(c31, b1);
    c40 = f32x4.add(c40, b0); c41 = f32x4.add(c41, b1);
  }
  if (flags & F_RELU) {
    const z = f32x4.splat(0);
    c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z);
    c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z);
    c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z);
    c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z);
    c40 = f32x4.max(c40, z); c41 = f32x4.max(c41, z);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rs, c10); v128.store(c + rs, c11, 16);
  v128.store(c + 2 * rs, c20); v128.store(c + 2 * rs, c21, 16);
  v128.store(c + 3 * rs, c30); v128.store(c + 3 * rs, c31, 16);
  v128.store(c + 4 * rs, c40); v128.store(c + 4 * rs, c41, 16);
}

/**
 * Rows of m covered by MR-row blocks: the most such that the rest is a multiple of 4 (all 4×8
 * tiles), else as many as fit (the rest: 4-row tiles, then one edge block of fewer rows).
 */
function mainRowCount(m: i32): i32 {
  for (let b = 0; b < MR && 4 * b <= m; b++) {
    if ((m - 4 * b) % MR == 0) return m - 4 * b;
  }
  return m - m % MR;
}

/** The MR×8 tile for blocks of MR rows (mr == MR), else the 4×8 tile. */
// @ts-ignore: decorator
@inline function tile(mr: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, flags: i32, bias: usize): void {
  if (MR == 5 && mr == 5) micro5(kc, ap, bp, c, ldc, flags, bias);
  else micro(kc, ap, bp, c, ldc, flags, bias);
}

/**
 * C[m×n] = op(A)·op(B) (+ C if accumulate) (+ bias row) (ReLU), where op(A)(i,p) = A[i*rsA + p*csA]
 * and op(B)(p,j) = B[p*rsB + j*csB]; ldc in floats. bias may be 0 (none).
 */
export function gemm(
  m: i32, n: i32, k: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32,
  accumulate: i32, bias: usize, relu: i32,
): void {
  if (k == 0) return;
  const mainRows = mainRowCount(m);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packPanelsB(b, rsB, csB, p0, kc, j0, nc);
      let flags = 0;
      if (p0 > 0 || accumulate) flags |= F_ACC;
      if (p0 + kc >= k) {
        if (bias) flags |= F_BIAS;
        if (relu) flags |= F_RELU;
      }
      // Row blocks: MR rows up to mainRows, then 4 rows (the last block may have fewer). With A
      // transposed in memory, up to CH full blocks of one height are packed together first.
      for (let i0 = 0; i0 < m;) {
        const mr = i0 < mainRows ? MR : 4;
        const end = i0 < mainRows ? mainRows : m;
        let count = rsA == 1 ? min(CH, (end - i0) / mr) : 0;
        if (count > 0) packPanelsAT(a, csA, i0, mr, count, p0, kc);
        else count = 1;
        for (let b = 0; b < count; b++) {
          const rows = min(mr, m - i0);
          const ap = packA + <usize>b * PANEL_A;
          if (rsA != 1 || rows < mr) {
            if (MR == 5 && mr == 5) packPanelA5(ap, a, rsA, csA, i0, p0, kc);
            else packPanelA4(ap, a, rsA, csA, i0, rows, p0, kc);
          }
          blockRow(mr, rows, ap, kc, nc, c, ldc, i0, j0, flags, bias);
          i0 += mr;
        }
      }
    }
  }
}

/** One block of mr rows (rows of them real) × the nc packed columns: the tiles of C it covers. */
// @ts-ignore: decorator
@inline function blockRow(mr: i32, rows: i32, ap: usize, kc: i32, nc: i32, c: usize, ldc: i32, i0: i32, j0: i32, flags: i32, bias: usize): void {
  for (let jb = 0; jb < nc; jb += NR) {
    const cols = min(NR, nc - jb);
    const bp = packB + (<usize>(jb * kc) << 2);
    const cp = c + (<usize>(i0 * ldc + j0 + jb) << 2);
    const bb = bias ? bias + (<usize>(j0 + jb) << 2) : 0;
    if (rows == mr && cols == NR) {
      tile(mr, kc, ap, bp, cp, ldc, flags, bb);
    } else {
      // Edge block: run the tile into scratch, then copy the valid part.
      for (let r = 0; r < mr; r++) {
        for (let q = 0; q < NR; q++) {
          let v: f32 = 0;
          if ((flags & F_ACC) && r < rows && q < cols) v = load<f32>(cp + (<usize>(r * ldc + q) << 2));
          store<f32>(edgeTile + (<usize>(r * NR + q) << 2), v);
        }
      }
      tile(mr, kc, ap, bp, edgeTile, NR, F_ACC, 0);
      for (let r = 0; r < rows; r++) {
        for (let q = 0; q < cols; q++) {
          let v = load<f32>(edgeTile + (<usize>(r * NR + q) << 2));
          if (flags & F_BIAS) v += load<f32>(bb + (<usize>q << 2));
          if ((flags & F_RELU) && !(v > 0)) v = 0;
          store<f32>(cp + (<usize>(r * ldc + q) << 2), v);
        }
      }
    }
  }
}

/** dz[i] = h[i] > 0 ? dz[i] : 0 over `count` floats (ReLU backward; h is the post-ReLU output). */
export function reluBackward(dz: usize, h: usize, count: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(dz + o, v128.and(v128.load(dz + o), f32x4.gt(v128.load(h + o), z)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(h + o) > 0)) store<f32>(dz + o, 0);
  }
}

/** dst[j] (+)= Σ_i src[i*n + j], i < m (bias gradient). */
export function colSums(dst: usize, src: usize, m: i32, n: i32, accumulate: i32): void {
  if (!accumulate) memory.fill(dst, 0, <usize>n << 2);
  let j = 0;
  const step = <usize>n << 2;
  // Four column quads at a time: each sum is a chain of m dependent adds, so one chain at a time
  // waits on the add's latency; four interleaved chains keep the adder busy. Each column's sum
  // still runs over i ascending from zero (same bits).
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p = src + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
      s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
      p += step;
    }
    const d = dst + (<usize>j << 2);
    v128.store(d, f32x4.add(v128.load(d), s0)); v128.store(d, f32x4.add(v128.load(d, 16), s1), 16);
    v128.store(d, f32x4.add(v128.load(d, 32), s2), 32); v128.store(d, f32x4.add(v128.load(d, 48), s3), 48);
  }
  for (; j + 4 <= n; j += 4) {
    let s = f32x4.splat(0);
    let p = src + (<usize>j << 2);
    for (let i = 0; i < m; i++) { s = f32x4.add(s, v128.load(p)); p += step; }
    const d = dst + (<usize>j << 2);
    v128.store(d, f32x4.add(v128.load(d), s));
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    for (let i = 0; i < m; i++) s += load<f32>(src + (<usize>(i * n + j) << 2));
    const d = dst + (<usize>j << 2);
    store<f32>(d, load<f32>(d) + s);
  }
}

/**
 * Adam as torch.optim.Adam (no weight decay, no amsgrad):
 *   m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  p −= stepSize · m / (sqrt(v)/sqrtBc2 + eps),
 * with stepSize = lr/(1 − β1^t) and sqrtBc2 = sqrt(1 − β2^t) computed by the caller in float64.
 */
export function adam(
  p: usize, g: usize, m: usize, v: usize, count: i32,
  stepSize: f32, beta1: f32, beta2: f32, eps: f32, sqrtBc2: f32,
): void {
  const vb1 = f32x4.splat(beta1), vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(1 - beta2);
  // Multiplying by 1/sqrtBc2 instead of dividing saves a division per vector (the kernel is
  // bound by its divisions and square roots); it differs from torch by at most an ulp.
  const invQ: f32 = <f32>(1.0 / <f64>sqrtBc2);
  const vs = f32x4.splat(stepSize), vq = f32x4.splat(invQ), ve = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vq), ve);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(vs, f32x4.div(mi, denom))));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vv = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vv);
    const denom = sqrt<f32>(vv) * invQ + eps;
    store<f32>(p + o, load<f32>(p + o) - stepSize * (mi / denom));
  }
}

/**
 * Joint critic, first layer on all n² pairs: H1[(i*n + j)*h + k] = ReLU(A[i*h + k] + B[j*h + k]),
 * where A = X·W_xᵀ + b and B = Y·W_yᵀ (the pair's pre-activation W_x x_i + W_y y_j + b). h % 4 == 0.
 */
export function pairForward(h1: usize, a: usize, b: usize, n: i32, h: i32): void {
  const z = f32x4.splat(0);
  const rowBytes = <usize>h << 2;
  let out = h1;
  for (let i = 0; i < n; i++) {
    const ai = a + <usize>i * rowBytes;
    let bj = b;
    for (let j = 0; j < n; j++) {
      for (let k: usize = 0; k < rowBytes; k += 16) {
        v128.store(out + k, f32x4.max(f32x4.add(v128.load(ai + k), v128.load(bj + k)), z));
      }
      out += rowBytes; bj += rowBytes;
    }
  }
}

/**
 * Joint critic, first layer backward: with dZ1 = dH1 ⊙ [A_i + B_j > 0] (the pair's pre-activation,
 * recomputed exactly as pairForward computed it, so dH1 may overwrite H1),
 * dA[i,:] = Σ_j dZ1[(i,j),:] and dB[j,:] = Σ_i dZ1[(i,j),:]. h % 4 == 0.
 */
export function pairBackward(da: usize, db: usize, dh1: usize, a: usize, b: usize, n: i32, h: i32): void {
  const z = f32x4.splat(0);
  const rowBytes = <usize>h << 2;
  memory.fill(db, 0, <usize>n * rowBytes);
  let o: usize = 0;
  for (let i = 0; i < n; i++) {
    const dai = da + <usize>i * rowBytes;
    const ai = a + <usize>i * rowBytes;
    memory.fill(dai, 0, rowBytes);
    let dbj = db, bj = b;
    for (let j = 0; j < n; j++) {
      for (let k: usize = 0; k < rowBytes; k += 16) {
        const pre = f32x4.add(v128.load(ai + k), v128.load(bj + k));
        const g = v128.and(v128.load(dh1 + o + k), f32x4.gt(pre, z));
        v128.store(dai + k, f32x4.add(v128.load(dai + k), g));
        v128.store(dbj + k, f32x4.add(v128.load(dbj + k), g));
      }
      o += rowBytes; dbj += rowBytes; bj += rowBytes;
    }
  }
}

/**
 * Joint critic, last layer forward and backward's first half. Forward: s[p] = H2[p,:]·w + b.
 */
export function rowDots(s: usize, h2: usize, w: usize, b: f32, rows: i32, h: i32): void {
  const rowBytes = <usize>h << 2;
  let r = h2;
  for (let p = 0; p < rows; p++) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
    let k: usize = 0;
    for (; k + 32 <= rowBytes; k += 32) {
      acc0 = madd(v128.load(r + k), v128.load(w + k), acc0);
      acc1 = madd(v128.load(r + k, 16), v128.load(w + k, 16), acc1);
    }
    for (; k < rowBytes; k += 16) acc0 = madd(v128.load(r + k), v128.load(w + k), acc0);
    const t = f32x4.add(acc0, acc1);
    const v = f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1) + f32x4.extract_lane(t, 2) + f32x4.extract_lane(t, 3);
    store<f32>(s + (<usize>p << 2), v + b);
    r += rowBytes;
  }
}

/**
 * Joint critic, last layer backward, fused: gw[k] = Σ_p ds[p] H2[p,k] (the last weight's gradient),
 * dZ2[p,k] = H2[p,k] > 0 ? ds[p]·w[k] : 0 (gradient into the second hidden layer, ReLU applied),
 * and gb[k] = Σ_p dZ2[p,k] (the second layer's bias gradient). dz2 may be h2 (in place).
 */
export function lastBackward(dz2: usize, gw: usize, gb: usize, h2: usize, ds: usize, w: usize, rows: i32, h: i32): void {
  const z = f32x4.splat(0);
  const rowBytes = <usize>h << 2;
  memory.fill(gw, 0, rowBytes);
  memory.fill(gb, 0, rowBytes);
  let o: usize = 0;
  for (let p = 0; p < rows; p++) {
    const d = v128.load32_splat(ds + (<usize>p << 2));
    for (let k: usize = 0; k < rowBytes; k += 16) {
      const hv = v128.load(h2 + o + k);
      v128.store(gw + k, madd(d, hv, v128.load(gw + k)));
      const dz = v128.and(f32x4.mul(d, v128.load(w + k)), f32x4.gt(hv, z));
      v128.store(dz2 + o + k, dz);
      v128.store(gb + k, f32x4.add(v128.load(gb + k), dz));
    }
    o += rowBytes;
  }
}

// The GAN experiment's kernels (batch norm, maxout, EMA), kept in their own file.
export { bnForward, bnBackward, maxoutForward, maxoutBackward, emaUpdate, axpy } from './gan';

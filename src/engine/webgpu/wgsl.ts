/**
 * The WebGPU engine's kernels, in WGSL (the project's own, as assembly/ is for WebAssembly).
 * Every kernel works on K cells at once: workgroup_id.z (or the `cell` index derived from it) is
 * the cell, and each buffer holds K equal slices `bs*` floats apart. A cell's arithmetic never
 * depends on K or on the other cells (no cross-cell reduction, fixed summation orders), which is
 * what makes a batch of K cells equal the same cells run one at a time, bit for bit.
 *
 * Kernels (float32 throughout):
 *  - gemm: C = op(A)·op(B) over strided views (A(i,k) = A[i·rsA + k·csA], B(k,j) = B[k·rsB + j·csB]),
 *    64×64 tiles, 4×4 outputs per invocation, k summed in order 0…K−1; epilogue: + bias, ReLU,
 *    accumulate into C, or a ReLU-backward mask (keep the sum where mask > 0, else 0);
 *  - pairForward / pairBackward: the joint critic's first layer on all n² pairs,
 *    H1[(i,j)] = ReLU(A_i + B_j), and its backward sums dA_i = Σ_j dH1[(i,j)], dB_j = Σ_i dH1[(i,j)];
 *  - rowDots: the joint critic's last layer, S[r] = H2[r]·w + b;
 *  - lastBackward: dZ2[r] = dS[r]·w ⊙ [H2[r] > 0], in place over H2;
 *  - colSums: Σ over rows, each column summed in row order;
 *  - power / spectralBackward: one power-iteration step per spectrally normalised layer and the
 *    gradient (G − ⟨G, W_SN⟩ u vᵀ)/σ (src/critics/spectralNorm.ts is the float64 reference);
 *  - adam: torch's update, per cell step size and bias correction.
 */

/** Workgroup size of the one-dimensional kernels. */
export const WG = 256;

/** Uniform of the gemm kernel: 20 u32 (80 bytes). */
export const GEMM_FIELDS = [
  'm', 'n', 'k', 'flags',
  'offA', 'rsA', 'csA', 'bsA',
  'offB', 'rsB', 'csB', 'bsB',
  'offC', 'ldc', 'bsC', 'offX',
  'bsX', 'ldx', 'pad0', 'pad1',
] as const;

export const GEMM_BIAS = 1;
export const GEMM_RELU = 2;
export const GEMM_ACCUMULATE = 4;
/** Keep the sum where X[row, col] > 0, else 0 (ReLU backward; X is the forward activation). */
export const GEMM_MASK = 8;
/** Mask by C's own previous value (> 0) and overwrite it: dH1 written over H1 in place. */
export const GEMM_MASK_SELF = 16;

export const GEMM = /* wgsl */ `
struct Dims {
  m: u32, n: u32, k: u32, flags: u32,
  offA: u32, rsA: u32, csA: u32, bsA: u32,
  offB: u32, rsB: u32, csB: u32, bsB: u32,
  offC: u32, ldc: u32, bsC: u32, offX: u32,
  bsX: u32, ldx: u32, pad0: u32, pad1: u32,
}
@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<storage, read> X: array<f32>;

var<workgroup> As: array<f32, 1024>; // [16 k][64 rows]
var<workgroup> Bs: array<f32, 1024>; // [16 k][64 cols]

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let z = wg.z;
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let t = lid.y * 16u + lid.x;
  let baseA = d.offA + z * d.bsA;
  let baseB = d.offB + z * d.bsB;
  var acc: array<f32, 16>;
  for (var q = 0u; q < 16u; q++) { acc[q] = 0.0; }
  for (var k0 = 0u; k0 < d.k; k0 += 16u) {
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;        // 0..1023
      let kk = idx / 64u;            // 0..15
      let rr = idx % 64u;            // 0..63
      let gk = k0 + kk;
      let gr = row0 + rr;
      var av = 0.0;
      if (gk < d.k && gr < d.m) { av = A[baseA + gr * d.rsA + gk * d.csA]; }
      As[idx] = av;
      let gc = col0 + rr;
      var bv = 0.0;
      if (gk < d.k && gc < d.n) { bv = B[baseB + gk * d.rsB + gc * d.csB]; }
      Bs[idx] = bv;
    }
    workgroupBarrier();
    let kn = min(16u, d.k - k0);
    for (var kk = 0u; kk < kn; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = As[kk * 64u + lid.y * 4u + i]; }
      for (var j = 0u; j < 4u; j++) { b[j] = Bs[kk * 64u + lid.x * 4u + j]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] = acc[i * 4u + j] + a[i] * b[j]; }
      }
    }
    workgroupBarrier();
  }
  let baseC = d.offC + z * d.bsC;
  let baseX = d.offX + z * d.bsX;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    if (r >= d.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (c >= d.n) { continue; }
      let ci = baseC + r * d.ldc + c;
      var v = acc[i * 4u + j];
      if ((d.flags & 1u) != 0u) { v = v + X[baseX + c]; }
      if ((d.flags & 2u) != 0u) { v = max(v, 0.0); }
      if ((d.flags & 4u) != 0u) { v = C[ci] + v; }
      if ((d.flags & 8u) != 0u) { if (!(X[baseX + r * d.ldx + c] > 0.0)) { v = 0.0; } }
      if ((d.flags & 16u) != 0u) { if (!(C[ci] > 0.0)) { v = 0.0; } }
      C[ci] = v;
    }
  }
}
`;

/**
 * Shared header of the small kernels: one uniform of 16 u32 and a flat index over the elements
 * of one cell (x, y of the dispatch cover them; z is the cell).
 */
const SMALL_HEAD = /* wgsl */ `
struct U {
  a: u32, b: u32, c: u32, d: u32,
  o0: u32, o1: u32, o2: u32, o3: u32,
  s0: u32, s1: u32, s2: u32, s3: u32,
  f0: f32, f1: f32, f2: f32, f3: f32,
}
@group(0) @binding(0) var<uniform> u: U;
fn flat(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 { return (wg.y * nwg.x + wg.x) * ${WG}u + lid; }
`;

/** H1[z][(i·n + j)·h + c] = max(A[z][i·h + c] + B[z][j·h + c], 0). u: a = n, b = h; s0..s2 = batch strides of A, B, H1. */
export const PAIR_FORWARD = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> H: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = flat(wg, nwg, lid);
  let n = u.a; let h = u.b;
  if (q >= n * n * h) { return; }
  let z = wg.z;
  let c = q % h; let pair = q / h; let i = pair / n; let j = pair % n;
  H[z * u.s2 + q] = max(A[z * u.s0 + i * h + c] + B[z * u.s1 + j * h + c], 0.0);
}
`;

/**
 * dA[z][i·h + c] = Σ_j D[z][(i·n + j)·h + c] (mode 0) or dB[z][j·h + c] = Σ_i D[…] (mode 1),
 * summed in index order. u: a = n, b = h, c = mode; s0 = batch stride of D, s1 of the output.
 */
export const PAIR_BACKWARD = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read> D: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = flat(wg, nwg, lid);
  let n = u.a; let h = u.b;
  if (q >= n * h) { return; }
  let z = wg.z;
  let c = q % h; let r = q / h;
  let base = z * u.s0;
  var s = 0.0;
  if (u.c == 0u) {
    for (var j = 0u; j < n; j++) { s = s + D[base + (r * n + j) * h + c]; }
  } else {
    for (var i = 0u; i < n; i++) { s = s + D[base + (i * n + r) * h + c]; }
  }
  O[z * u.s1 + q] = s;
}
`;

/**
 * S[z][r] = Σ_c H[z][r·h + c]·W[z][o0 + c] + P[z][o1] for r < rows. u: a = rows, b = h;
 * s0 = batch stride of H, s1 of W, s2 of P (the bias's buffer), s3 of S.
 */
export const ROW_DOTS = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read> H: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> P: array<f32>;
@group(0) @binding(4) var<storage, read_write> S: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = flat(wg, nwg, lid);
  let h = u.b;
  if (r >= u.a) { return; }
  let z = wg.z;
  let hb = z * u.s0 + r * h;
  let wb = z * u.s1 + u.o0;
  var s = 0.0;
  for (var c = 0u; c < h; c++) { s = s + H[hb + c] * W[wb + c]; }
  S[z * u.s3 + r] = s + P[z * u.s2 + u.o1];
}
`;

/**
 * In place over H2: dZ2[r·h + c] = dS[r]·w[c] where H2[r·h + c] > 0, else 0. u: a = rows, b = h,
 * o0 = w's offset; s0 = batch stride of H, s1 of dS, s2 of W.
 */
export const LAST_BACKWARD = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> H: array<f32>;
@group(0) @binding(2) var<storage, read> DS: array<f32>;
@group(0) @binding(3) var<storage, read> W: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = flat(wg, nwg, lid);
  let h = u.b;
  if (q >= u.a * h) { return; }
  let z = wg.z;
  let r = q / h; let c = q % h;
  let hi = z * u.s0 + q;
  var v = 0.0;
  if (H[hi] > 0.0) { v = DS[z * u.s1 + r] * W[z * u.s2 + u.o0 + c]; }
  H[hi] = v;
}
`;

/**
 * O[z][o1 + c] = Σ_{r < rows} X[z][o0 + r·ld + c] for c < cols, each column in row order.
 * u: a = rows, b = cols, c = ld; s0 = batch stride of X, s1 of O.
 */
export const COL_SUMS = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = flat(wg, nwg, lid);
  if (c >= u.b) { return; }
  let z = wg.z;
  let base = z * u.s0 + u.o0 + c;
  var s = 0.0;
  for (var r = 0u; r < u.a; r++) { s = s + X[base + r * u.c]; }
  O[z * u.s1 + u.o1 + c] = s;
}
`;

/** Deterministic workgroup sum of one value per invocation (a fixed tree), shared by the two kernels below. */
const REDUCE = /* wgsl */ `
var<workgroup> red: array<f32, ${WG}>;
fn wgSum(v: f32, lid: u32) -> f32 {
  workgroupBarrier();
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

/**
 * One power-iteration step for one spectrally normalised layer of every cell (one workgroup per
 * cell): v ← Wᵀu/(‖Wᵀu‖ + ε), u ← Wv/(‖Wv‖ + ε), σ = uᵀWv, then W_SN = W/σ.
 * u: a = out, b = in, o0 = W's offset in P, o1 = W_SN's offset in E, o2 = u's offset in N
 * (then v at o2 + out, σ at o2 + out + in); s0 = batch stride of P, s1 of E, s2 of N.
 */
export const POWER = SMALL_HEAD + REDUCE + /* wgsl */ `
@group(0) @binding(1) var<storage, read> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> E: array<f32>;
@group(0) @binding(3) var<storage, read_write> N: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let z = wg.z;
  let out = u.a; let inp = u.b;
  let w = z * u.s0 + u.o0;
  let ub = z * u.s2 + u.o2;
  let vb = ub + out;
  var part = 0.0;
  for (var j = lid; j < inp; j += ${WG}u) {
    var s = 0.0;
    for (var i = 0u; i < out; i++) { s = s + P[w + i * inp + j] * N[ub + i]; }
    N[vb + j] = s;
    part = part + s * s;
  }
  let nv = sqrt(wgSum(part, lid)) + 1e-12;
  for (var j = lid; j < inp; j += ${WG}u) { N[vb + j] = N[vb + j] / nv; }
  storageBarrier();
  workgroupBarrier();
  part = 0.0;
  for (var i = lid; i < out; i += ${WG}u) {
    var s = 0.0;
    for (var j = 0u; j < inp; j++) { s = s + P[w + i * inp + j] * N[vb + j]; }
    N[ub + i] = s; // W v for now; u once the norm is known
    part = part + s * s;
  }
  let nu = sqrt(wgSum(part, lid)) + 1e-12;
  part = 0.0;
  for (var i = lid; i < out; i += ${WG}u) {
    let wv = N[ub + i];
    let ui = wv / nu;
    N[ub + i] = ui;
    part = part + ui * wv;
  }
  let sigma = wgSum(part, lid);
  if (lid == 0u) { N[vb + inp] = sigma; }
  let e = z * u.s1 + u.o1;
  for (var q = lid; q < out * inp; q += ${WG}u) { E[e + q] = P[w + q] / sigma; }
}
`;

/**
 * ∂L/∂W = (G − ⟨G, W_SN⟩ u vᵀ)/σ in place on G (which holds ∂L/∂W_SN), one workgroup per cell.
 * u: a = out, b = in, o0 = G's offset, o1 = W_SN's, o2 = u's (v, σ after it); s0..s2 batch strides of G, E, N.
 */
export const SPECTRAL_BACKWARD = SMALL_HEAD + REDUCE + /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> G: array<f32>;
@group(0) @binding(2) var<storage, read> E: array<f32>;
@group(0) @binding(3) var<storage, read> N: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let z = wg.z;
  let out = u.a; let inp = u.b;
  let g = z * u.s0 + u.o0;
  let e = z * u.s1 + u.o1;
  let ub = z * u.s2 + u.o2;
  let vb = ub + out;
  var part = 0.0;
  for (var q = lid; q < out * inp; q += ${WG}u) { part = part + G[g + q] * E[e + q]; }
  let inner = wgSum(part, lid);
  let sigma = N[vb + inp];
  for (var q = lid; q < out * inp; q += ${WG}u) {
    let i = q / inp; let j = q % inp;
    let c = inner * N[ub + i];
    G[g + q] = (G[g + q] - c * N[vb + j]) / sigma;
  }
}
`;

/**
 * Adam (torch's update; the wasm kernel's arithmetic): per cell z, scalars Q[z·8 …] =
 * [stepSize, 1/√(1−β₂ᵗ), β₁, 1−β₁, β₂, 1−β₂, ε, active]. u: a = parameters per cell.
 */
export const ADAM = SMALL_HEAD + /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;
@group(0) @binding(4) var<storage, read_write> V: array<f32>;
@group(0) @binding(5) var<storage, read> Q: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = flat(wg, nwg, lid);
  if (q >= u.a) { return; }
  let z = wg.z;
  let s = z * 8u;
  if (Q[s + 7u] == 0.0) { return; }
  let i = z * u.a + q;
  let gi = G[i];
  let mi = Q[s + 2u] * M[i] + Q[s + 3u] * gi;
  let vi = Q[s + 4u] * V[i] + Q[s + 5u] * (gi * gi);
  M[i] = mi;
  V[i] = vi;
  let denom = sqrt(vi) * Q[s + 1u] + Q[s + 6u];
  P[i] = P[i] - Q[s] * (mi / denom);
}
`;

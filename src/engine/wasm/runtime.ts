/**
 * The wasm engine's driver: one critic's parameters, gradient and Adam moments live in one
 * WebAssembly memory, beside the activations of the last forward pass; scores() and step() call
 * the SIMD kernels (assembly/kernels.ts) on fixed addresses and allocate nothing per step
 * (buffers are sized on the first call for a batch size, and only grow if n does).
 *
 * Forward and backward, with W stored [out, in] row-major (so a layer is Z = H·Wᵀ + b):
 *  - separable (f, g: d → h → h → e): per tower H1 = ReLU(X W1ᵀ + b1), H2 = ReLU(H1 W2ᵀ + b2),
 *    F = H2 W3ᵀ + b3; S = F Gᵀ; backward dF = dS G, dG = dSᵀ F, then per layer
 *    ∂W = dZᵀ H, ∂b = Σ_rows dZ, dH = dZ W, dZ = dH ⊙ [H > 0].
 *  - joint (2d → h → h → 1): the first layer on the pair [x_i; y_j] is W_x x_i + W_y y_j + b, so
 *    A = X W_xᵀ + b and B = Y W_yᵀ are computed once (n×h each) and H1[(i,j)] = ReLU(A_i + B_j);
 *    the n²×h second layer is the real cost. Backward: dA_i = Σ_j dZ1[(i,j)], dB_j = Σ_i dZ1[(i,j)],
 *    ∂W_x = dAᵀ X, ∂W_y = dBᵀ Y.
 *  - joint, negatives by derangement (scores(x, y, n, σ)): only the 2n pairs (i, i) and (i, σ(i))
 *    are evaluated, as 2n rows through the same layers (H1[r] = ReLU(A_i + B_j) in a JS loop over
 *    2n×h, the h×h products through the same kernels on 2n rows), so a step costs O(n·h²), not
 *    O(n²·h²); S holds those 2n entries and NaN elsewhere, and step() reads dS at those entries only.
 *  - variational (q: d_x → h → h → 2·d_y, output O = [μ, v]): S_ij = log q(y_j | x_i) =
 *    c_i + Σ_k a_ik b_jk with a_i = [−½·e^(−v_i), e^(−v_i)·μ_i], b_j = [y_j², y_j] and
 *    c_i = −(d_y/2)·log 2π − ½Σ_k v_ik − ½Σ_k e^(−v_ik)·μ_ik², so with A = [a, c] and B = [b, 1]
 *    (n × (2d_y + 1), formed in JavaScript, O(n·d_y)) the n×n head is one product S = A Bᵀ.
 *    Backward: dA = dS B (one product; its last column is dc = Σ_j dS_ij), then per (i, k), with
 *    p = e^(−v): dμ = dA₂·p − dc·p·μ, dv = −½dc − p·(−½dA₁ + dA₂·μ − ½dc·μ²), and the tower as above.
 *  - auxiliary networks (layout.aux): FLO's u tower on the n rows [x_i; y_i] (the separable
 *    tower's products, one output column); DoE's marginal Gaussian log p(y_j) and its gradient in
 *    JavaScript (O(n·d_y)). aux() returns the n outputs; step() takes dLoss/dAux beside dLoss/dS.
 *  - spectral norm (paper eq. 12–13, src/critics/spectralNorm.ts) on the last layer: one power
 *    iteration per scores() call on the persistent u (float64, in JS: the layer is at most e×h),
 *    the forward pass uses W/σ, and the gradient is (G − ⟨G, W_SN⟩ u vᵀ)/σ with u, v constant.
 */
import type { CriticLayout, LinearSlot } from '../../critics/layout.js';
import type { AdamConfig, CriticRuntime } from '../types.js';
import type { KernelExports, KernelVariant } from './kernels.js';
import { SPLIT_MIN, type GemmHelper } from './threads.js';
import { UsageError } from '../../errors.js';
import { checkDerangement } from '../../bounds/derangement.js';
import { wasmMemoryProblem } from '../limits.js';

const PAGE = 65536;
const ALIGN = 64;

interface SpectralLayer {
  slot: LinearSlot;
  out: number;
  inp: number;
  u: Float64Array;
  v: Float64Array;
  wv: Float64Array;
  sigma: number;
  /** Address of W/σ (the weight the forward pass uses). */
  weff: number;
}

interface TowerBuffers {
  /** Input rows (X or Y), n×d. */
  input: number;
  h1: number;
  h2: number;
  out: number;
  dOut: number;
}

export class WasmCriticRuntime implements CriticRuntime {
  readonly engine = 'wasm' as const;
  readonly backend: string;
  private readonly k: KernelExports;
  private readonly layout: CriticLayout;
  private readonly adamConfig: AdamConfig;
  private heap: number;
  private view: Float32Array;
  private t = 0;
  private readonly P: number;
  private readonly G: number;
  private readonly M: number;
  private readonly V: number;
  private readonly spectral: SpectralLayer[] = [];
  /** Spectral layer by weight offset, for the forward/backward passes. */
  private readonly spectralBySlot = new Map<LinearSlot, SpectralLayer>();
  private capacity = 0;
  private n = 0;
  private sOut = new Float32Array(0);
  // Batch-size dependent buffers (addresses), set by ensureCapacity.
  private S = 0;
  private dS = 0;
  private towersBuf: TowerBuffers[] = [];
  private dH = 0;
  private dH1 = 0;
  private jA = 0;
  private jB = 0;
  private jH1 = 0;
  private jH2 = 0;
  private jDz2 = 0;
  private jDh1 = 0;
  private jdA = 0;
  private jdB = 0;
  /** Joint critic with a derangement: the 2n pair scores and their dS. */
  private jS2 = 0;
  private jDs2 = 0;
  /** The σ of the last scores() call when only its 2n pairs were evaluated (joint critic), else null. */
  private pairs: Int32Array | null = null;
  /** Critic evaluations (pairs (x_i, y_j)) in the last scores() call: n² for all pairs, 2n for the joint critic given a derangement. */
  pairsEvaluated = 0;
  // Variational head: A, B and dA (n × (2d_y + 1)).
  private vA = 0;
  private vB = 0;
  private vdA = 0;
  // Auxiliary network: FLO's u tower buffers (input [x; y]) and its backward scratch.
  private uBuf: TowerBuffers | null = null;
  private uDH = 0;
  private uDH1 = 0;
  private auxOut = new Float32Array(0);
  private disposed = false;
  private helper: GemmHelper | null = null;
  /** Products of at least this many multiply-adds are split between the threads (tests lower it). */
  splitMin = SPLIT_MIN;

  constructor(
    kernels: KernelExports, variant: KernelVariant, layout: CriticLayout, params: Float32Array,
    adam: AdamConfig, spectralU: Float32Array[],
  ) {
    if (params.length !== layout.size) throw new RangeError(`wasm engine: params has ${params.length} entries, layout needs ${layout.size}`);
    if (layout.kind === 'joint' && layout.hidden % 4 !== 0) throw new RangeError(`wasm engine: joint critic needs hidden % 4 == 0 (got ${layout.hidden})`);
    this.k = kernels;
    this.backend = variant === 'relaxed' ? 'wasm-simd-relaxed' : 'wasm-simd';
    this.layout = layout;
    this.adamConfig = { ...adam };
    this.heap = align(kernels.heapBase());
    this.view = new Float32Array(kernels.memory.buffer);
    const scratch = this.alloc(kernels.scratchBytes() / 4);
    kernels.setScratch(scratch);
    this.P = this.alloc(layout.size);
    this.G = this.alloc(layout.size);
    this.M = this.alloc(layout.size);
    this.V = this.alloc(layout.size);
    this.f32().set(params, this.P / 4);
    let ui = 0;
    for (const tower of layout.towers) {
      for (const slot of tower) {
        if (!slot.spectralNorm) continue;
        const [out, inp] = slot.weight.shape as [number, number];
        const u0 = spectralU[ui++];
        if (!u0 || u0.length !== out) throw new RangeError(`wasm engine: spectralU[${ui - 1}] must have length ${out}`);
        const layer: SpectralLayer = {
          slot, out, inp, u: Float64Array.from(u0), v: new Float64Array(inp), wv: new Float64Array(out),
          sigma: 1, weff: this.alloc(out * inp),
        };
        this.spectral.push(layer);
        this.spectralBySlot.set(slot, layer);
      }
    }
  }

  /** Scratch and a control block for a helper thread (threads.ts); call before attachHelper. */
  reserveHelper(): { scratch: number; ctrl: number } {
    return { scratch: this.alloc(this.k.scratchBytes() / 4), ctrl: this.alloc(16) };
  }

  attachHelper(helper: GemmHelper): void {
    this.helper = helper;
  }

  /** Threads in use for the large products (1 or 2). */
  get threads(): number {
    return this.helper ? 2 : 1;
  }

  /**
   * C = op(A)·op(B) (see assembly/kernels.ts gemm). With a helper thread and a large enough
   * product, the helper computes the second half of C's rows (or, for short C, of its columns).
   */
  private mm(
    m: number, n: number, k: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
    c: number, ldc: number, accumulate: number, bias: number, relu: number,
  ): void {
    const hp = this.helper;
    if (hp && m * n * k >= this.splitMin) {
      if (m >= 16) {
        const m1 = Math.ceil(m / 8) * 4;
        hp.post([m - m1, n, k, a + m1 * rsA * 4, rsA, csA, b, rsB, csB, c + m1 * ldc * 4, ldc, accumulate, bias, relu]);
        this.k.gemm(m1, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, bias, relu);
        hp.wait();
        return;
      }
      if (n >= 16) {
        const n1 = Math.ceil(n / 16) * 8;
        hp.post([m, n - n1, k, a, rsA, csA, b + n1 * csB * 4, rsB, csB, c + n1 * 4, ldc, accumulate, bias ? bias + n1 * 4 : 0, relu]);
        this.k.gemm(m, n1, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, bias, relu);
        hp.wait();
        return;
      }
    }
    this.k.gemm(m, n, k, a, rsA, csA, b, rsB, csB, c, ldc, accumulate, bias, relu);
  }

  private alloc(floats: number): number {
    const ptr = this.heap;
    this.heap = align(ptr + floats * 4);
    const mem = this.k.memory;
    if (this.heap > mem.buffer.byteLength) mem.grow(Math.ceil((this.heap - mem.buffer.byteLength) / PAGE));
    return ptr;
  }

  /** The memory as floats (re-viewed after the memory grows, which detaches the old buffer). */
  private f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }

  private ensureCapacity(n: number): void {
    if (n !== this.n) { this.sOut = new Float32Array(n * n); this.n = n; }
    if (n <= this.capacity) return;
    // A size the memory cannot hold is the caller's input, not a crash inside Memory.grow().
    const problem = wasmMemoryProblem(this.layout, n, this.threads);
    if (problem) throw new UsageError(problem);
    const { hidden: h, embed: e } = this.layout;
    this.S = this.alloc(n * n);
    this.dS = this.alloc(n * n);
    if (this.layout.kind === 'variational') {
      const e2 = 2 * this.layout.dimY, K = e2 + 1;
      this.towersBuf = [
        { input: this.alloc(n * this.inDim(0)), h1: this.alloc(n * h), h2: this.alloc(n * h), out: this.alloc(n * e2), dOut: this.alloc(n * e2) },
        { input: this.alloc(n * this.inDim(1)), h1: 0, h2: 0, out: 0, dOut: 0 },
      ];
      this.dH = this.alloc(n * h);
      this.dH1 = this.alloc(n * h);
      this.vA = this.alloc(n * K);
      this.vB = this.alloc(n * K);
      this.vdA = this.alloc(n * K);
    } else if (this.layout.kind === 'separable') {
      this.towersBuf = [0, 1].map((t) => ({
        input: this.alloc(n * this.inDim(t)), h1: this.alloc(n * h), h2: this.alloc(n * h),
        out: this.alloc(n * e), dOut: this.alloc(n * e),
      }));
      this.dH = this.alloc(n * h);
      this.dH1 = this.alloc(n * h);
    } else {
      const rows = n * n;
      this.towersBuf = [0, 1].map((t) => ({ input: this.alloc(n * this.inDim(t)), h1: 0, h2: 0, out: 0, dOut: 0 }));
      this.jA = this.alloc(n * h);
      this.jB = this.alloc(n * h);
      // Two n²×h buffers, not four: dZ2 overwrites H2 (lastBackward works in place) and dH1
      // overwrites H1 once ∂W2 = dZ2ᵀ H1 is done (pairBackward recomputes the ReLU mask from
      // A_i + B_j). Halves the working set the big products stream through.
      this.jH1 = this.alloc(rows * h);
      this.jH2 = this.alloc(rows * h);
      this.jDz2 = this.jH2;
      this.jDh1 = this.jH1;
      this.jdA = this.alloc(n * h);
      this.jdB = this.alloc(n * h);
      this.jS2 = this.alloc(2 * n);
      this.jDs2 = this.alloc(2 * n);
    }
    if (this.layout.aux?.kind === 'u') {
      this.uBuf = { input: this.alloc(n * (this.inDim(0) + this.inDim(1))), h1: this.alloc(n * h), h2: this.alloc(n * h), out: this.alloc(n), dOut: this.alloc(n) };
      this.uDH = this.alloc(n * h);
      this.uDH1 = this.alloc(n * h);
    }
    this.capacity = n;
  }

  /** Input dimension of tower (or, joint, of input block) t: x's for 0, y's for 1. */
  private inDim(t: number): number {
    return t === 0 ? this.layout.dim : this.layout.dimY ?? this.layout.dim;
  }

  private wPtr(slot: LinearSlot): number {
    const sn = this.spectralBySlot.get(slot);
    return sn ? sn.weff : this.P + slot.weight.offset * 4;
  }

  private p(offset: number): number { return this.P + offset * 4; }
  private g(offset: number): number { return this.G + offset * 4; }

  /** One power-iteration step per spectral layer (as src/critics/spectralNorm.ts), then W_SN = W/σ. */
  private powerIterate(): void {
    const f = this.f32();
    for (const L of this.spectral) {
      const { out, inp, u, v, wv } = L;
      const w0 = this.p(L.slot.weight.offset) / 4;
      v.fill(0);
      for (let i = 0; i < out; i++) {
        const ui = u[i], r = w0 + i * inp;
        for (let j = 0; j < inp; j++) v[j] += f[r + j] * ui;
      }
      let nv = 0;
      for (let j = 0; j < inp; j++) nv += v[j] * v[j];
      nv = Math.sqrt(nv) + 1e-12;
      for (let j = 0; j < inp; j++) v[j] /= nv;
      let nu = 0;
      for (let i = 0; i < out; i++) {
        let s = 0;
        const r = w0 + i * inp;
        for (let j = 0; j < inp; j++) s += f[r + j] * v[j];
        wv[i] = s; nu += s * s;
      }
      nu = Math.sqrt(nu) + 1e-12;
      let sigma = 0;
      for (let i = 0; i < out; i++) { u[i] = wv[i] / nu; sigma += u[i] * wv[i]; }
      L.sigma = sigma;
      const e0 = L.weff / 4;
      for (let q = 0; q < out * inp; q++) f[e0 + q] = f[w0 + q] / sigma;
    }
  }

  /** ∂L/∂W = (G − ⟨G, W_SN⟩ u vᵀ)/σ, in place on the gradient slot (which holds G = ∂L/∂W_SN). */
  private spectralBackward(): void {
    const f = this.f32();
    for (const L of this.spectral) {
      const { out, inp, u, v, sigma } = L;
      const g0 = this.g(L.slot.weight.offset) / 4, e0 = L.weff / 4;
      let inner = 0;
      for (let q = 0; q < out * inp; q++) inner += f[g0 + q] * f[e0 + q];
      for (let i = 0; i < out; i++) {
        const c = inner * u[i];
        for (let j = 0; j < inp; j++) f[g0 + i * inp + j] = (f[g0 + i * inp + j] - c * v[j]) / sigma;
      }
    }
  }

  scores(x: Float32Array, y: Float32Array, n: number, derangement?: Int32Array): Float32Array {
    if (this.disposed) throw new Error('wasm engine: runtime used after dispose()');
    const dx = this.inDim(0), dy = this.inDim(1);
    if (x.length < n * dx || y.length < n * dy) throw new RangeError(`wasm engine: x needs n·d_x = ${n * dx} and y n·d_y = ${n * dy} entries`);
    if (derangement) checkDerangement(derangement, n);
    this.ensureCapacity(n);
    const f = this.f32();
    f.set(x.subarray(0, n * dx), this.towersBuf[0].input / 4);
    f.set(y.subarray(0, n * dy), this.towersBuf[1].input / 4);
    this.powerIterate();
    // The separable critic's S = F Gᵀ costs little beside its towers: it scores every pair anyway.
    this.pairs = this.layout.kind === 'joint' && derangement ? Int32Array.from(derangement) : null;
    if (this.pairs) {
      this.forwardJointPairs(n, this.pairs);
      this.pairsEvaluated = 2 * n;
      const v = this.f32(), s0 = this.jS2 / 4;
      this.sOut.fill(NaN);
      for (let i = 0; i < n; i++) { this.sOut[i * n + i] = v[s0 + i]; this.sOut[i * n + this.pairs[i]] = v[s0 + n + i]; }
      if (this.layout.aux) this.auxForward(n);
      return this.sOut;
    }
    if (this.layout.kind === 'separable') this.forwardSeparable(n);
    else if (this.layout.kind === 'variational') this.forwardVariational(n);
    else this.forwardJoint(n);
    this.pairsEvaluated = n * n;
    this.sOut.set(this.f32().subarray(this.S / 4, this.S / 4 + n * n));
    if (this.layout.aux) this.auxForward(n);
    return this.sOut;
  }

  /** The auxiliary outputs of the last scores() call (length n), or null without an auxiliary network. */
  aux(): Float32Array | null {
    return this.layout.aux ? this.auxOut : null;
  }

  /** Forward through a three-layer ReLU tower on `rows` input rows of width d (the separable tower's products). */
  private towerForward(tower: LinearSlot[], b: TowerBuffers, d: number, outW: number, rows: number): void {
    const h = this.layout.hidden;
    const [l0, l1, l2] = tower;
    this.mm(rows, h, d, b.input, d, 1, this.wPtr(l0), 1, d, b.h1, h, 0, this.p(l0.bias.offset), 1);
    this.mm(rows, h, h, b.h1, h, 1, this.wPtr(l1), 1, h, b.h2, h, 0, this.p(l1.bias.offset), 1);
    this.mm(rows, outW, h, b.h2, h, 1, this.wPtr(l2), 1, h, b.out, outW, 0, this.p(l2.bias.offset), 0);
  }

  /** Backward through towerForward's tower from dLoss/dOut in b.dOut: writes every slot's gradient. */
  private towerBackward(tower: LinearSlot[], b: TowerBuffers, d: number, outW: number, rows: number, dH: number, dH1: number): void {
    const k = this.k;
    const h = this.layout.hidden;
    const [l0, l1, l2] = tower;
    this.mm(outW, h, rows, b.dOut, 1, outW, b.h2, h, 1, this.g(l2.weight.offset), h, 0, 0, 0);
    k.colSums(this.g(l2.bias.offset), b.dOut, rows, outW, 0);
    this.mm(rows, h, outW, b.dOut, outW, 1, this.wPtr(l2), h, 1, dH, h, 0, 0, 0);
    k.reluBackward(dH, b.h2, rows * h);
    this.mm(h, h, rows, dH, 1, h, b.h1, h, 1, this.g(l1.weight.offset), h, 0, 0, 0);
    k.colSums(this.g(l1.bias.offset), dH, rows, h, 0);
    this.mm(rows, h, h, dH, h, 1, this.wPtr(l1), h, 1, dH1, h, 0, 0, 0);
    k.reluBackward(dH1, b.h1, rows * h);
    this.mm(h, d, rows, dH1, 1, h, b.input, d, 1, this.g(l0.weight.offset), d, 0, 0, 0);
    k.colSums(this.g(l0.bias.offset), dH1, rows, h, 0);
  }

  /** Variational critic: the tower gives O = [μ, v]; S = A Bᵀ (see the header). */
  private forwardVariational(n: number): void {
    const dy = this.layout.dimY, e2 = 2 * dy, K = e2 + 1;
    const q = this.towersBuf[0];
    this.towerForward(this.layout.towers[0], q, this.inDim(0), e2, n);
    const f = this.f32();
    const O = q.out / 4, Y = this.towersBuf[1].input / 4, A = this.vA / 4, B = this.vB / 4;
    const c0 = -0.5 * dy * Math.log(2 * Math.PI);
    for (let i = 0; i < n; i++) {
      let c = c0;
      const o = O + i * e2, a = A + i * K;
      for (let k = 0; k < dy; k++) {
        const mu = f[o + k], v = f[o + dy + k], p = Math.exp(-v);
        f[a + k] = -0.5 * p;
        f[a + dy + k] = p * mu;
        c -= 0.5 * v + 0.5 * p * mu * mu;
      }
      f[a + e2] = c;
    }
    for (let j = 0; j < n; j++) {
      const yr = Y + j * dy, b = B + j * K;
      for (let k = 0; k < dy; k++) { const yv = f[yr + k]; f[b + k] = yv * yv; f[b + dy + k] = yv; }
      f[b + e2] = 1;
    }
    this.mm(n, n, K, this.vA, K, 1, this.vB, 1, K, this.S, n, 0, 0, 0);
  }

  private backwardVariational(n: number): void {
    const dy = this.layout.dimY, e2 = 2 * dy, K = e2 + 1;
    const q = this.towersBuf[0];
    this.mm(n, K, n, this.dS, n, 1, this.vB, K, 1, this.vdA, K, 0, 0, 0);
    const f = this.f32();
    const O = q.out / 4, dO = q.dOut / 4, dA = this.vdA / 4;
    for (let i = 0; i < n; i++) {
      const o = O + i * e2, g = dA + i * K, r = dO + i * e2;
      const dc = f[g + e2];
      for (let k = 0; k < dy; k++) {
        const mu = f[o + k], p = Math.exp(-f[o + dy + k]);
        const d1 = f[g + k], d2 = f[g + dy + k];
        f[r + k] = d2 * p - dc * p * mu;
        f[r + dy + k] = -0.5 * dc - p * (-0.5 * d1 + d2 * mu - 0.5 * dc * mu * mu);
      }
    }
    this.towerBackward(this.layout.towers[0], q, this.inDim(0), e2, n, this.dH, this.dH1);
  }

  /** The auxiliary outputs: FLO's u on the rows [x_i; y_i], or DoE's log p(y_j). */
  private auxForward(n: number): void {
    const a = this.layout.aux!;
    if (this.auxOut.length !== n) this.auxOut = new Float32Array(n);
    const f = this.f32();
    const dx = this.inDim(0), dy = this.inDim(1);
    const X = this.towersBuf[0].input / 4, Y = this.towersBuf[1].input / 4;
    if (a.kind === 'u') {
      const b = this.uBuf!, w = dx + dy, I = b.input / 4;
      for (let i = 0; i < n; i++) {
        f.copyWithin(I + i * w, X + i * dx, X + (i + 1) * dx);
        f.copyWithin(I + i * w + dx, Y + i * dy, Y + (i + 1) * dy);
      }
      this.towerForward(a.tower, b, w, 1, n);
      this.auxOut.set(this.f32().subarray(b.out / 4, b.out / 4 + n));
      return;
    }
    const m = this.P / 4 + a.mean.offset, v = this.P / 4 + a.logVar.offset;
    const c0 = -0.5 * dy * Math.log(2 * Math.PI);
    let c = c0;
    for (let k = 0; k < dy; k++) c -= 0.5 * f[v + k];
    for (let j = 0; j < n; j++) {
      let s = c;
      for (let k = 0; k < dy; k++) { const r = f[Y + j * dy + k] - f[m + k]; s -= 0.5 * r * r * Math.exp(-f[v + k]); }
      this.auxOut[j] = s;
    }
  }

  /** dLoss/dAux into the auxiliary network's gradient slots (zero when not given). */
  private auxBackward(n: number, dAux: Float32Array | undefined): void {
    const a = this.layout.aux!;
    if (dAux !== undefined && dAux.length < n) throw new RangeError(`wasm engine: dLossdAux needs n = ${n} entries`);
    const f = this.f32();
    if (a.kind === 'u') {
      const b = this.uBuf!;
      if (dAux) f.set(dAux.subarray(0, n), b.dOut / 4); else f.fill(0, b.dOut / 4, b.dOut / 4 + n);
      this.towerBackward(a.tower, b, this.inDim(0) + this.inDim(1), 1, n, this.uDH, this.uDH1);
      return;
    }
    const dy = this.inDim(1), Y = this.towersBuf[1].input / 4;
    const m = this.P / 4 + a.mean.offset, v = this.P / 4 + a.logVar.offset;
    const gm = this.G / 4 + a.mean.offset, gv = this.G / 4 + a.logVar.offset;
    for (let k = 0; k < dy; k++) {
      const p = Math.exp(-f[v + k]);
      let sm = 0, sv = 0;
      if (dAux) {
        for (let j = 0; j < n; j++) {
          const r = f[Y + j * dy + k] - f[m + k];
          sm += dAux[j] * r * p;
          sv += dAux[j] * (-0.5 + 0.5 * r * r * p);
        }
      }
      f[gm + k] = sm;
      f[gv + k] = sv;
    }
  }

  private forwardSeparable(n: number): void {
    const { hidden: h, embed: e } = this.layout;
    for (let t = 0; t < 2; t++) {
      const [l0, l1, l2] = this.layout.towers[t];
      const b = this.towersBuf[t];
      const d = this.inDim(t);
      this.mm(n, h, d, b.input, d, 1, this.wPtr(l0), 1, d, b.h1, h, 0, this.p(l0.bias.offset), 1);
      this.mm(n, h, h, b.h1, h, 1, this.wPtr(l1), 1, h, b.h2, h, 0, this.p(l1.bias.offset), 1);
      this.mm(n, e, h, b.h2, h, 1, this.wPtr(l2), 1, h, b.out, e, 0, this.p(l2.bias.offset), 0);
    }
    const [F, Gm] = this.towersBuf;
    this.mm(n, n, e, F.out, e, 1, Gm.out, 1, e, this.S, n, 0, 0, 0);
  }

  private forwardJoint(n: number): void {
    const k = this.k;
    const { hidden: h } = this.layout;
    const d = this.inDim(0), dy = this.inDim(1), w = d + dy;
    const [l0, l1, l2] = this.layout.towers[0];
    const w1 = this.wPtr(l0);
    this.mm(n, h, d, this.towersBuf[0].input, d, 1, w1, 1, w, this.jA, h, 0, this.p(l0.bias.offset), 0);
    this.mm(n, h, dy, this.towersBuf[1].input, dy, 1, w1 + d * 4, 1, w, this.jB, h, 0, 0, 0);
    k.pairForward(this.jH1, this.jA, this.jB, n, h);
    this.mm(n * n, h, h, this.jH1, h, 1, this.wPtr(l1), 1, h, this.jH2, h, 0, this.p(l1.bias.offset), 1);
    const b3 = this.f32()[l2.bias.offset + this.P / 4];
    k.rowDots(this.S, this.jH2, this.wPtr(l2), b3, n * n, h);
  }

  /**
   * Joint critic on the 2n pairs r < n: (r, r), r ≥ n: (r − n, σ(r − n)), as rows of H1/H2: the
   * first layer's A_i + B_j summed here (float32, as pairForward), the rest as forwardJoint on 2n rows.
   */
  private forwardJointPairs(n: number, sigma: Int32Array): void {
    const { hidden: h } = this.layout;
    const d = this.inDim(0), dy = this.inDim(1), w = d + dy;
    const [l0, l1, l2] = this.layout.towers[0];
    const w1 = this.wPtr(l0);
    this.mm(n, h, d, this.towersBuf[0].input, d, 1, w1, 1, w, this.jA, h, 0, this.p(l0.bias.offset), 0);
    this.mm(n, h, dy, this.towersBuf[1].input, dy, 1, w1 + d * 4, 1, w, this.jB, h, 0, 0, 0);
    const f = this.f32(), a0 = this.jA / 4, b0 = this.jB / 4, h1 = this.jH1 / 4;
    for (let r = 0; r < 2 * n; r++) {
      const i = r < n ? r : r - n, j = r < n ? r : sigma[r - n];
      const ai = a0 + i * h, bj = b0 + j * h, o = h1 + r * h;
      for (let k = 0; k < h; k++) { const v = Math.fround(f[ai + k] + f[bj + k]); f[o + k] = v > 0 ? v : 0; }
    }
    this.mm(2 * n, h, h, this.jH1, h, 1, this.wPtr(l1), 1, h, this.jH2, h, 0, this.p(l1.bias.offset), 1);
    const b3 = this.f32()[l2.bias.offset + this.P / 4];
    this.k.rowDots(this.jS2, this.jH2, this.wPtr(l2), b3, 2 * n, h);
  }

  step(dLossdS: Float32Array, dLossdAux?: Float32Array): void {
    if (this.disposed) throw new Error('wasm engine: runtime used after dispose()');
    const n = this.n;
    if (n === 0) throw new Error('wasm engine: step() before scores()');
    if (dLossdS.length < n * n) throw new RangeError(`wasm engine: dLossdS needs n² = ${n * n} entries`);
    if (this.pairs) {
      const f = this.f32(), d0 = this.jDs2 / 4, sigma = this.pairs;
      for (let i = 0; i < n; i++) { f[d0 + i] = dLossdS[i * n + i]; f[d0 + n + i] = dLossdS[i * n + sigma[i]]; }
      this.backwardJointPairs(n, sigma);
      if (this.layout.aux) this.auxBackward(n, dLossdAux);
      this.spectralBackward();
      this.adamStep();
      return;
    }
    this.f32().set(dLossdS.subarray(0, n * n), this.dS / 4);
    if (this.layout.kind === 'separable') this.backwardSeparable(n);
    else if (this.layout.kind === 'variational') this.backwardVariational(n);
    else this.backwardJoint(n);
    if (this.layout.aux) this.auxBackward(n, dLossdAux);
    this.spectralBackward();
    this.adamStep();
  }

  private backwardSeparable(n: number): void {
    const k = this.k;
    const { hidden: h, embed: e } = this.layout;
    const [F, Gm] = this.towersBuf;
    this.mm(n, e, n, this.dS, n, 1, Gm.out, e, 1, F.dOut, e, 0, 0, 0);
    this.mm(n, e, n, this.dS, 1, n, F.out, e, 1, Gm.dOut, e, 0, 0, 0);
    for (let t = 0; t < 2; t++) {
      const [l0, l1, l2] = this.layout.towers[t];
      const b = this.towersBuf[t];
      const d = this.inDim(t);
      // Last layer (no ReLU): dZ3 = dOut.
      this.mm(e, h, n, b.dOut, 1, e, b.h2, h, 1, this.g(l2.weight.offset), h, 0, 0, 0);
      k.colSums(this.g(l2.bias.offset), b.dOut, n, e, 0);
      this.mm(n, h, e, b.dOut, e, 1, this.wPtr(l2), h, 1, this.dH, h, 0, 0, 0);
      k.reluBackward(this.dH, b.h2, n * h);
      this.mm(h, h, n, this.dH, 1, h, b.h1, h, 1, this.g(l1.weight.offset), h, 0, 0, 0);
      k.colSums(this.g(l1.bias.offset), this.dH, n, h, 0);
      this.mm(n, h, h, this.dH, h, 1, this.wPtr(l1), h, 1, this.dH1, h, 0, 0, 0);
      k.reluBackward(this.dH1, b.h1, n * h);
      this.mm(h, d, n, this.dH1, 1, h, b.input, d, 1, this.g(l0.weight.offset), d, 0, 0, 0);
      k.colSums(this.g(l0.bias.offset), this.dH1, n, h, 0);
    }
  }

  private backwardJoint(n: number): void {
    const k = this.k;
    const { hidden: h } = this.layout;
    const d = this.inDim(0), dy = this.inDim(1), w = d + dy;
    const [l0, l1, l2] = this.layout.towers[0];
    const rows = n * n;
    k.lastBackward(this.jDz2, this.g(l2.weight.offset), this.g(l1.bias.offset), this.jH2, this.dS, this.wPtr(l2), rows, h);
    const f = this.f32();
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += f[this.dS / 4 + i];
    f[this.G / 4 + l2.bias.offset] = sum;
    this.mm(h, h, rows, this.jDz2, 1, h, this.jH1, h, 1, this.g(l1.weight.offset), h, 0, 0, 0);
    this.mm(rows, h, h, this.jDz2, h, 1, this.wPtr(l1), h, 1, this.jDh1, h, 0, 0, 0);
    k.pairBackward(this.jdA, this.jdB, this.jDh1, this.jA, this.jB, n, h);
    const gw1 = this.g(l0.weight.offset);
    this.mm(h, d, n, this.jdA, 1, h, this.towersBuf[0].input, d, 1, gw1, w, 0, 0, 0);
    this.mm(h, dy, n, this.jdB, 1, h, this.towersBuf[1].input, dy, 1, gw1 + d * 4, w, 0, 0, 0);
    k.colSums(this.g(l0.bias.offset), this.jdA, n, h, 0);
  }

  /** backwardJoint on the 2n rows of forwardJointPairs; the first layer's dA_i, dB_j summed here (float32). */
  private backwardJointPairs(n: number, sigma: Int32Array): void {
    const k = this.k;
    const { hidden: h } = this.layout;
    const d = this.inDim(0), dy = this.inDim(1), w = d + dy;
    const [l0, l1, l2] = this.layout.towers[0];
    const rows = 2 * n;
    k.lastBackward(this.jDz2, this.g(l2.weight.offset), this.g(l1.bias.offset), this.jH2, this.jDs2, this.wPtr(l2), rows, h);
    const f = this.f32();
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += f[this.jDs2 / 4 + r];
    f[this.G / 4 + l2.bias.offset] = sum;
    this.mm(h, h, rows, this.jDz2, 1, h, this.jH1, h, 1, this.g(l1.weight.offset), h, 0, 0, 0);
    this.mm(rows, h, h, this.jDz2, h, 1, this.wPtr(l1), h, 1, this.jDh1, h, 0, 0, 0);
    const a0 = this.jA / 4, b0 = this.jB / 4, da0 = this.jdA / 4, db0 = this.jdB / 4, dh = this.jDh1 / 4;
    f.fill(0, da0, da0 + n * h);
    f.fill(0, db0, db0 + n * h);
    for (let r = 0; r < rows; r++) {
      const i = r < n ? r : r - n, j = r < n ? r : sigma[r - n];
      const ai = a0 + i * h, bj = b0 + j * h, o = dh + r * h, dai = da0 + i * h, dbj = db0 + j * h;
      for (let q = 0; q < h; q++) {
        if (Math.fround(f[ai + q] + f[bj + q]) > 0) { const g = f[o + q]; f[dai + q] += g; f[dbj + q] += g; }
      }
    }
    const gw1 = this.g(l0.weight.offset);
    this.mm(h, d, n, this.jdA, 1, h, this.towersBuf[0].input, d, 1, gw1, w, 0, 0, 0);
    this.mm(h, dy, n, this.jdB, 1, h, this.towersBuf[1].input, dy, 1, gw1 + d * 4, w, 0, 0, 0);
    k.colSums(this.g(l0.bias.offset), this.jdA, n, h, 0);
  }

  private adamStep(): void {
    const a = this.adamConfig;
    this.t += 1;
    const stepSize = a.lr / (1 - a.beta1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - a.beta2 ** this.t);
    this.k.adam(this.P, this.G, this.M, this.V, this.layout.size, stepSize, a.beta1, a.beta2, a.eps, sqrtBc2);
  }

  params(): Float32Array {
    return this.f32().slice(this.P / 4, this.P / 4 + this.layout.size);
  }

  /** The gradient of the last step() (∂L/∂params, before Adam); not part of the contract (tests use it). */
  gradient(): Float32Array {
    return this.f32().slice(this.G / 4, this.G / 4 + this.layout.size);
  }

  /** Bytes of WebAssembly memory in use by this runtime (tests check it stays constant). */
  memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  spectralU(): Float32Array[] {
    return this.spectral.map((L) => Float32Array.from(L.u));
  }

  dispose(): void {
    this.disposed = true;
    this.helper?.close();
    this.helper = null;
  }
}

function align(p: number): number {
  return Math.ceil(p / ALIGN) * ALIGN;
}

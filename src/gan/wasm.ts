/**
 * The GAN experiment's networks on the project's WebAssembly kernels (assembly/kernels.ts gemm,
 * reluBackward, colSums, adam; assembly/gan.ts batch norm, maxout, EMA). One WebAssembly memory
 * per engine holds every network's parameters, gradients, Adam moments, EMA copy and
 * activations; buffers are sized for the largest batch seen and reused, so a training step
 * allocates nothing in the memory.
 *
 * Per layer (src/gan/nets.ts; W stored [inp, cols], cols = units·pieces):
 *   forward   Z = X·W (+ b, + ReLU fused in the product's epilogue when there is no BN/maxout),
 *             then bnForward (+ReLU) or maxoutForward;
 *   backward  dZ from dH (reluBackward / bnBackward / maxoutBackward), ∂W = Xᵀ·dZ, ∂b = Σ_rows dZ,
 *             dX = dZ·Wᵀ: the NN, TN and NT forms of the one gemm.
 * Spectral norm of the last layer (MICE's critic): one power-iteration step per training step on
 * the persistent u (float64, src/critics/spectralNorm.ts, run on the stored [inp, units] array,
 * i.e. on Wᵀ, same singular values), forward with W/σ, gradient (G − ⟨G, W_SN⟩·u vᵀ)/σ.
 */
import type { KernelExports, KernelVariant } from '../engine/wasm/kernels.js';
import { bestVariant, instantiate, kernelModule } from '../engine/wasm/kernels.js';
import { powerIteration } from '../critics/spectralNorm.js';
import type { GanEngine, GanNet, GanNetOptions, GanAdam } from './engine.js';
import type { GanNetDef } from './nets.js';

const PAGE = 65536;
const ALIGN = 64;
const BN_EPS = 1e-5;

const align = (p: number) => Math.ceil(p / ALIGN) * ALIGN;

/** A bump allocator over one instance's memory. */
class Arena {
  private heap: number;
  private view: Float32Array;
  constructor(readonly k: KernelExports) {
    this.heap = align(k.heapBase());
    this.view = new Float32Array(k.memory.buffer);
    k.setScratch(this.alloc(k.scratchBytes() / 4));
  }
  alloc(floats: number): number {
    const ptr = this.heap;
    this.heap = align(ptr + Math.max(1, floats) * 4);
    const mem = this.k.memory;
    if (this.heap > mem.buffer.byteLength) mem.grow(Math.ceil((this.heap - mem.buffer.byteLength) / PAGE));
    return ptr;
  }
  /** The memory as floats (re-viewed after the memory grows, which detaches the old buffer). */
  f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }
}

interface LayerBuf {
  /** Pre-activation Z [n, cols] (BN and maxout layers; otherwise equal to h). */
  z: number;
  /** Output H [n, units]. */
  h: number;
  /** BN: xhat [n, units], mean and 1/std [units]. */
  xhat: number; mean: number; invStd: number;
  /** BN: where ∂γ goes when the caller wants no parameter gradients (∂β goes to mean, free after forward). */
  scratch: number;
  /** Gradient w.r.t. H, and w.r.t. Z (maxout: separate; otherwise dZ is computed in place in dH). */
  dh: number; dz: number;
}

class WasmNet implements GanNet {
  private readonly k: KernelExports;
  private readonly P: number;
  private readonly G: number;
  private readonly M: number;
  private readonly V: number;
  private readonly E: number;
  private t = 0;
  private capacity = 0;
  private n = 0;
  private input = 0;
  private dInput = 0;
  private bufs: LayerBuf[] = [];
  private outCopy = new Float32Array(0);
  private readonly u?: Float64Array;
  private v?: Float64Array;
  private sigma = 1;
  /** W/σ of the last layer (spectral norm only). */
  private readonly wsn: number = 0;
  private lastForwardEma = false;

  constructor(private readonly arena: Arena, readonly def: GanNetDef, params: Float32Array, private readonly adamCfg: GanAdam, opts: GanNetOptions) {
    if (params.length !== def.size) throw new RangeError(`gan wasm: params has ${params.length} entries, the network needs ${def.size}`);
    this.k = arena.k;
    this.P = arena.alloc(def.size);
    this.G = arena.alloc(def.size);
    this.M = arena.alloc(def.size);
    this.V = arena.alloc(def.size);
    this.E = opts.ema ? arena.alloc(def.size) : 0;
    const f = arena.f32();
    f.set(params, this.P / 4);
    f.fill(0, this.G / 4, this.G / 4 + def.size);
    f.fill(0, this.M / 4, this.M / 4 + def.size);
    f.fill(0, this.V / 4, this.V / 4 + def.size);
    if (this.E) f.set(params, this.E / 4);
    if (def.spectralNormLast) {
      const last = def.layers[def.layers.length - 1];
      if (!opts.spectralU || opts.spectralU.length !== last.inp) throw new RangeError(`gan wasm: spectralU must have length ${last.inp}`);
      this.u = Float64Array.from(opts.spectralU);
      this.wsn = arena.alloc(last.inp * last.units);
      this.refreshSpectralNorm();
    }
  }

  private ensure(n: number): void {
    this.n = n;
    if (n <= this.capacity) return;
    const a = this.arena;
    this.input = a.alloc(n * this.def.inp);
    this.dInput = a.alloc(n * this.def.inp);
    this.bufs = this.def.layers.map((l) => {
      const cols = l.units * l.pieces;
      const sep = l.batchNorm || l.act === 'maxout';
      const h = a.alloc(n * l.units);
      return {
        z: sep ? a.alloc(n * cols) : h, h,
        xhat: l.batchNorm ? a.alloc(n * l.units) : 0,
        mean: l.batchNorm ? a.alloc(l.units) : 0,
        invStd: l.batchNorm ? a.alloc(l.units) : 0,
        scratch: l.batchNorm ? a.alloc(l.units) : 0,
        dh: a.alloc(n * l.units),
        dz: l.act === 'maxout' ? a.alloc(n * cols) : 0,
      };
    });
    this.capacity = n;
  }

  private weight(base: number, li: number): number {
    const L = this.def.layers;
    if (this.wsn && li === L.length - 1) return this.wsn;
    return base + L[li].w * 4;
  }

  forward(x: Float32Array, n: number, opts: { ema?: boolean } = {}): Float32Array {
    const { k, def } = this;
    if (x.length < n * def.inp) throw new RangeError(`gan wasm: input needs ${n * def.inp} entries`);
    if (opts.ema && !this.E) throw new Error('gan wasm: this network keeps no EMA');
    if (opts.ema && this.wsn) throw new Error('gan wasm: EMA of a spectrally normalised network is not supported');
    this.ensure(n);
    const base = opts.ema ? this.E : this.P;
    this.lastForwardEma = !!opts.ema;
    this.arena.f32().set(x.subarray(0, n * def.inp), this.input / 4);
    let inp = this.input;
    def.layers.forEach((l, li) => {
      const b = this.bufs[li];
      const cols = l.units * l.pieces;
      const plainRelu = l.act === 'relu' && !l.batchNorm;
      k.gemm(n, cols, l.inp, inp, l.inp, 1, this.weight(base, li), cols, 1, b.z, cols, 0, l.b >= 0 ? base + l.b * 4 : 0, plainRelu ? 1 : 0);
      if (l.batchNorm) {
        k.bnForward(b.h, b.xhat, b.mean, b.invStd, b.z, base + l.gamma * 4, base + l.beta * 4, n, l.units, BN_EPS, l.act === 'relu' ? 1 : 0);
      } else if (l.act === 'maxout') {
        k.maxoutForward(b.h, b.z, n, l.units, l.pieces);
      }
      inp = b.h;
    });
    const out = this.bufs[this.bufs.length - 1].h;
    if (this.outCopy.length !== n * def.out) this.outCopy = new Float32Array(n * def.out);
    this.outCopy.set(this.arena.f32().subarray(out / 4, out / 4 + n * def.out));
    return this.outCopy;
  }

  backward(dOut: Float32Array, opts: { params: boolean; input: boolean }): Float32Array | undefined {
    const { k, def, n } = this;
    if (n === 0) throw new Error('gan wasm: backward before forward');
    if (this.lastForwardEma) throw new Error('gan wasm: backward after an EMA forward pass');
    const L = def.layers;
    const f = this.arena.f32();
    f.set(dOut.subarray(0, n * def.out), this.bufs[L.length - 1].dh / 4);
    for (let li = L.length - 1; li >= 0; li--) {
      const l = L[li], b = this.bufs[li];
      const cols = l.units * l.pieces;
      const x = li === 0 ? this.input : this.bufs[li - 1].h;
      // dZ: in place in dh except for maxout (Z is wider than H).
      let dz = b.dh;
      if (l.act === 'relu') k.reluBackward(b.dh, b.h, n * l.units);
      if (l.batchNorm) {
        const dGamma = opts.params ? this.G + l.gamma * 4 : b.scratch, dBeta = opts.params ? this.G + l.beta * 4 : b.mean;
        k.bnBackward(b.dh, dGamma, dBeta, b.dh, b.xhat, b.invStd, this.P + l.gamma * 4, n, l.units);
      } else if (l.act === 'maxout') {
        k.maxoutBackward(b.dz, b.dh, b.z, b.h, n, l.units, l.pieces);
        dz = b.dz;
      }
      if (opts.params) {
        k.gemm(l.inp, cols, n, x, 1, l.inp, dz, cols, 1, this.G + l.w * 4, cols, 0, 0, 0);
        if (l.b >= 0) k.colSums(this.G + l.b * 4, dz, n, cols, 0);
      }
      if (li > 0 || opts.input) {
        const dx = li === 0 ? this.dInput : this.bufs[li - 1].dh;
        k.gemm(n, l.inp, cols, dz, cols, 1, this.weight(this.P, li), 1, cols, dx, l.inp, 0, 0, 0);
      }
    }
    if (opts.params && this.wsn) this.spectralBackward();
    if (!opts.input) return undefined;
    return this.arena.f32().slice(this.dInput / 4, this.dInput / 4 + n * def.inp);
  }

  private spectralBackward(): void {
    const l = this.def.layers[this.def.layers.length - 1];
    const f = this.arena.f32();
    const rows = l.inp, cols = l.units;
    const g0 = (this.G + l.w * 4) / 4, e0 = this.wsn / 4;
    const u = this.u!, v = this.v!;
    let inner = 0;
    for (let q = 0; q < rows * cols; q++) inner += f[g0 + q] * f[e0 + q];
    for (let i = 0; i < rows; i++) {
      const c = inner * u[i];
      for (let j = 0; j < cols; j++) f[g0 + i * cols + j] = (f[g0 + i * cols + j] - c * v[j]) / this.sigma;
    }
  }

  refreshSpectralNorm(): void {
    if (!this.wsn) return;
    const l = this.def.layers[this.def.layers.length - 1];
    const f = this.arena.f32();
    const w0 = (this.P + l.w * 4) / 4, count = l.inp * l.units;
    const w = f.subarray(w0, w0 + count);
    const { sigma, v } = powerIteration(w, l.inp, l.units, this.u!);
    this.sigma = sigma;
    this.v = v;
    const e0 = this.wsn / 4;
    for (let q = 0; q < count; q++) f[e0 + q] = w[q] / sigma;
  }

  adam(lr: number): void {
    const a = this.adamCfg;
    this.t += 1;
    const stepSize = lr / (1 - a.beta1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - a.beta2 ** this.t);
    this.k.adam(this.P, this.G, this.M, this.V, this.def.size, stepSize, a.beta1, a.beta2, a.eps, sqrtBc2);
  }

  updateEma(decay: number): void {
    if (!this.E) throw new Error('gan wasm: this network keeps no EMA');
    this.k.emaUpdate(this.E, this.P, this.def.size, decay);
  }

  params(): Float32Array { return this.arena.f32().slice(this.P / 4, this.P / 4 + this.def.size); }
  grads(): Float32Array { return this.arena.f32().slice(this.G / 4, this.G / 4 + this.def.size); }
  setParams(p: Float32Array): void {
    if (p.length !== this.def.size) throw new RangeError(`gan wasm: setParams needs ${this.def.size} entries`);
    this.arena.f32().set(p, this.P / 4);
  }
}

export class WasmGanEngine implements GanEngine {
  readonly name = 'wasm' as const;
  readonly backend: string;
  private readonly arena: Arena;
  private mmCap = 0;
  private mmA = 0;
  private mmB = 0;
  private mmC = 0;

  constructor(kernels: KernelExports, variant: KernelVariant) {
    this.backend = variant === 'relaxed' ? 'wasm-simd-relaxed' : 'wasm-simd';
    this.arena = new Arena(kernels);
  }

  createNet(def: GanNetDef, params: Float32Array, options: GanNetOptions): GanNet {
    return new WasmNet(this.arena, def, params, options.adam, options);
  }

  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
    const need = Math.max(m * k, k * n, m * n);
    if (need > this.mmCap) {
      this.mmA = this.arena.alloc(need); this.mmB = this.arena.alloc(need); this.mmC = this.arena.alloc(need);
      this.mmCap = need;
    }
    const f = this.arena.f32();
    f.set(a.subarray(0, m * k), this.mmA / 4);
    f.set(b.subarray(0, k * n), this.mmB / 4);
    // op(A)(i, p) = A[i·rsA + p·csA]: A stored [m, k] (rs k, cs 1) or, transposed, [k, m] (rs 1, cs m).
    this.arena.k.gemm(m, n, k, this.mmA, transA ? 1 : k, transA ? m : 1, this.mmB, transB ? 1 : n, transB ? k : 1, this.mmC, n, 0, 0, 0);
    return this.arena.f32().slice(this.mmC / 4, this.mmC / 4 + m * n);
  }

  dispose(): void { /* the memory goes with the engine object */ }
}

/** The wasm GAN engine on the best kernel build here (relaxed SIMD when the runtime has it), or on `variant`. */
export async function createWasmGanEngine(variant?: KernelVariant): Promise<WasmGanEngine | null> {
  const v = variant ?? (await bestVariant());
  if (!v) return null;
  const module = await kernelModule(v);
  if (!module) return null;
  return new WasmGanEngine(instantiate(module), v);
}

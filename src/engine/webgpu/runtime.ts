/**
 * K critics of one shape on one WebGPU device: their parameters, gradients and Adam moments
 * stacked along a batch axis (cell z's slice starts at z·P), their activations likewise, and
 * one dispatch per layer for all K (./wgsl.ts). The forward and backward passes are those of the
 * wasm engine (src/engine/wasm/runtime.ts, whose header gives the algebra), in float32:
 *  - separable: per tower H1 = ReLU(X W1ᵀ + b1), H2 = ReLU(H1 W2ᵀ + b2), F = H2 W3ᵀ + b3;
 *    S = F Gᵀ; backward dF = dS G, dG = dSᵀ F, then ∂W = dZᵀ H, ∂b = Σ_rows dZ, dH = dZ W ⊙ mask;
 *  - joint: A = X W_xᵀ + b, B = Y W_yᵀ, H1[(i,j)] = ReLU(A_i + B_j), H2 = ReLU(H1 W2ᵀ + b2),
 *    S = H2 w3 + b3; dZ2 overwrites H2 and dH1 overwrites H1 (two n²×h buffers, not four);
 *  - spectral norm: one power-iteration step per normalised layer before the forward pass
 *    (u, v, σ kept per cell in float32 on the device), W_SN = W/σ, and the gradient
 *    (G − ⟨G, W_SN⟩ u vᵀ)/σ after the backward pass;
 *  - Adam with each cell's own learning rate.
 *
 * The bound is not on the device: scores() copies the K score matrices back (K·n² floats) and
 * step() takes the K dLoss/dS matrices the shared TypeScript bounds computed, so every bound
 * (plugins and MINE's moving average included) runs unchanged, with the wasm engine's numerics.
 * The cost of that round trip is in docs/engine.md.
 */
import type { CriticLayout, LinearSlot } from '../../critics/layout.js';
import type { AdamConfig } from '../types.js';
import { UsageError } from '../../errors.js';
import {
  ADAM, COL_SUMS, GEMM, GEMM_BIAS, GEMM_FIELDS, GEMM_MASK, GEMM_MASK_SELF, GEMM_RELU, LAST_BACKWARD, PAIR_BACKWARD,
  PAIR_FORWARD, POWER, ROW_DOTS, SPECTRAL_BACKWARD, WG,
} from './wgsl.js';

// GPUBufferUsage / GPUMapMode values (the spec's), so this file needs no globals from Dawn.
const MAP_READ = 0x0001, COPY_SRC = 0x0004, COPY_DST = 0x0008, UNIFORM = 0x0040, STORAGE = 0x0080;
const MODE_READ = 0x0001;

export interface BatchCell {
  params: Float32Array;
  spectralU: Float32Array[];
  adam: AdamConfig;
}

interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

interface SpectralSlot {
  slot: LinearSlot;
  out: number;
  inp: number;
  /** Offset of W_SN in E (per cell). */
  eOff: number;
  /** Offset of u in N (v follows at + out, σ at + out + in). */
  nOff: number;
}

type Gemm = Partial<Record<(typeof GEMM_FIELDS)[number], number>>;

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipeline(device: GPUDevice, code: string): GPUComputePipeline {
  let m = pipelines.get(device);
  if (!m) { m = new Map(); pipelines.set(device, m); }
  let p = m.get(code);
  if (!p) {
    p = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    m.set(code, p);
  }
  return p;
}

/** Bytes of device memory a batch of K cells needs (the buffers below), for the size check. */
export function batchBytes(layout: CriticLayout, n: number, k: number): { total: number; largest: number } {
  const { hidden: h, embed: e, dim: dx, dimY: dy, size: P } = layout;
  const sizes: number[] = [P, P, P, P, n * dx, n * dy, n * n, n * n];
  if (layout.kind === 'separable') sizes.push(...Array(2).fill([n * h, n * h, n * e, n * e]).flat(), n * h, n * h);
  else sizes.push(n * h, n * h, n * n * h, n * n * h, n * h, n * h);
  const largest = Math.max(...sizes) * 4 * k;
  return { total: sizes.reduce((s, x) => s + x, 0) * 4 * k + 2 * n * n * 4 * k, largest };
}

export class WebGpuBatch {
  readonly k: number;
  readonly n: number;
  private readonly device: GPUDevice;
  private readonly layout: CriticLayout;
  private readonly adam: AdamConfig[];
  private readonly P: number;
  private readonly buffers: GPUBuffer[] = [];
  private readonly bP: GPUBuffer;
  private readonly bG: GPUBuffer;
  private readonly bM: GPUBuffer;
  private readonly bV: GPUBuffer;
  private readonly bE: GPUBuffer;
  private readonly bN: GPUBuffer;
  private readonly bQ: GPUBuffer;
  private readonly bX: GPUBuffer;
  private readonly bY: GPUBuffer;
  private readonly bS: GPUBuffer;
  private readonly bDS: GPUBuffer;
  private readonly bRead: GPUBuffer;
  private readonly eSize: number;
  private readonly nSize: number;
  private readonly spectral: SpectralSlot[] = [];
  private readonly bySlot = new Map<LinearSlot, SpectralSlot>();
  private readonly forward: Dispatch[] = [];
  private readonly backward: Dispatch[] = [];
  private readonly q: Float32Array<ArrayBuffer>;
  private readonly sOut: Float32Array;
  private t = 0;
  private scored = false;
  private disposed = false;

  constructor(device: GPUDevice, layout: CriticLayout, n: number, cells: BatchCell[]) {
    const k = cells.length;
    if (k < 1) throw new RangeError('webgpu engine: a batch needs at least one cell');
    this.device = device;
    this.layout = layout;
    this.k = k;
    this.n = n;
    this.P = layout.size;
    this.adam = cells.map((c) => ({ ...c.adam }));
    const limits = device.limits;
    const need = batchBytes(layout, n, k);
    if (need.largest > limits.maxStorageBufferBindingSize || need.largest > limits.maxBufferSize) {
      const per = need.largest / k;
      const fit = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / per);
      throw new UsageError(`--gpu-batch ${k}: a ${layout.kind} batch at n = ${n} needs a ${mib(need.largest)} buffer, the device allows ${mib(limits.maxStorageBufferBindingSize)} (at most ${fit} cells per batch)`);
    }
    for (const c of cells) {
      if (c.params.length !== layout.size) throw new RangeError(`webgpu engine: params has ${c.params.length} entries, layout needs ${layout.size}`);
    }
    // Spectrally normalised layers: W_SN in E, u | v | σ in N.
    let eOff = 0, nOff = 0;
    for (const tower of layout.towers) {
      for (const slot of tower) {
        if (!slot.spectralNorm) continue;
        const [out, inp] = slot.weight.shape as [number, number];
        const s: SpectralSlot = { slot, out, inp, eOff, nOff };
        this.spectral.push(s);
        this.bySlot.set(slot, s);
        eOff += out * inp;
        nOff += out + inp + 1;
      }
    }
    this.eSize = eOff;
    this.nSize = nOff;

    const P = this.P;
    const { hidden: h, embed: e, dim: dx, dimY: dy } = layout;
    this.bP = this.buffer(P * k);
    this.bG = this.buffer(P * k);
    this.bM = this.buffer(P * k);
    this.bV = this.buffer(P * k);
    this.bE = this.buffer(Math.max(1, eOff) * k);
    this.bN = this.buffer(Math.max(1, nOff) * k);
    this.bQ = this.buffer(8 * k);
    this.bX = this.buffer(n * dx * k);
    this.bY = this.buffer(n * dy * k);
    this.bS = this.buffer(n * n * k);
    this.bDS = this.buffer(n * n * k);
    this.bRead = this.track(device.createBuffer({ size: n * n * k * 4, usage: MAP_READ | COPY_DST }));
    this.q = new Float32Array(8 * k);
    this.sOut = new Float32Array(n * n * k);

    const all = new Float32Array(P * k);
    cells.forEach((c, z) => all.set(c.params, z * P));
    device.queue.writeBuffer(this.bP, 0, all);
    if (nOff > 0) {
      const nInit = new Float32Array(nOff * k);
      cells.forEach((c, z) => {
        this.spectral.forEach((s, i) => {
          const u = c.spectralU[i];
          if (!u || u.length !== s.out) throw new RangeError(`webgpu engine: spectralU[${i}] must have length ${s.out}`);
          nInit.set(u, z * nOff + s.nOff);
        });
      });
      device.queue.writeBuffer(this.bN, 0, nInit);
    }

    for (const s of this.spectral) this.forward.push(this.power(s));
    if (layout.kind === 'separable') this.planSeparable(h, e, dx, dy);
    else this.planJoint(h, dx, dy);
    for (const s of this.spectral) this.backward.push(this.spectralBackward(s));
    this.backward.push(this.small(ADAM, [this.bP, this.bG, this.bM, this.bV, this.bQ], { a: P }, P));
  }

  private track(b: GPUBuffer): GPUBuffer {
    this.buffers.push(b);
    return b;
  }

  private buffer(floats: number): GPUBuffer {
    return this.track(this.device.createBuffer({ size: Math.max(16, floats * 4), usage: STORAGE | COPY_DST | COPY_SRC }));
  }

  private uniform(words: ArrayLike<number>, floats?: ArrayLike<number>): GPUBuffer {
    const b = this.track(this.device.createBuffer({ size: Math.max(16, words.length * 4 + (floats?.length ?? 0) * 4), usage: UNIFORM | COPY_DST }));
    const data = new ArrayBuffer(b.size);
    new Uint32Array(data).set(words);
    if (floats) new Float32Array(data, words.length * 4).set(floats);
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }

  private group(p: GPUComputePipeline, uniform: GPUBuffer, storage: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: uniform } }, ...storage.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
    });
  }

  /** A gemm dispatch over all K cells (fields as in ./wgsl.ts GEMM). */
  private gemm(A: GPUBuffer, B: GPUBuffer, C: GPUBuffer, X: GPUBuffer, g: Gemm): Dispatch {
    const p = pipeline(this.device, GEMM);
    const words = GEMM_FIELDS.map((f) => g[f] ?? 0);
    return { pipeline: p, group: this.group(p, this.uniform(words), [A, B, C, X]), x: Math.ceil(g.n! / 64), y: Math.ceil(g.m! / 64), z: this.k };
  }

  /** A one-dimensional kernel over `count` elements per cell. */
  private small(code: string, storage: GPUBuffer[], f: Record<string, number>, count: number): Dispatch {
    const p = pipeline(this.device, code);
    const order = ['a', 'b', 'c', 'd', 'o0', 'o1', 'o2', 'o3', 's0', 's1', 's2', 's3'];
    const groups = Math.max(1, Math.ceil(count / WG));
    const x = Math.min(groups, 65535);
    return { pipeline: p, group: this.group(p, this.uniform(order.map((key) => f[key] ?? 0), [0, 0, 0, 0]), storage), x, y: Math.ceil(groups / x), z: this.k };
  }

  /** A kernel with one workgroup per cell (power iteration, spectral backward). */
  private perCell(code: string, storage: GPUBuffer[], f: Record<string, number>): Dispatch {
    const d = this.small(code, storage, f, 1);
    return { ...d, x: 1, y: 1 };
  }

  /** The weight a forward/backward pass uses: W_SN (in E) for a normalised layer, else W (in P). */
  private w(slot: LinearSlot): { buf: GPUBuffer; off: number; bs: number } {
    const s = this.bySlot.get(slot);
    return s ? { buf: this.bE, off: s.eOff, bs: this.eSize } : { buf: this.bP, off: slot.weight.offset, bs: this.P };
  }

  private power(s: SpectralSlot): Dispatch {
    return this.perCell(POWER, [this.bP, this.bE, this.bN], {
      a: s.out, b: s.inp, o0: s.slot.weight.offset, o1: s.eOff, o2: s.nOff, s0: this.P, s1: this.eSize, s2: this.nSize,
    });
  }

  private spectralBackward(s: SpectralSlot): Dispatch {
    return this.perCell(SPECTRAL_BACKWARD, [this.bG, this.bE, this.bN], {
      a: s.out, b: s.inp, o0: s.slot.weight.offset, o1: s.eOff, o2: s.nOff, s0: this.P, s1: this.eSize, s2: this.nSize,
    });
  }

  private colSums(X: GPUBuffer, bsX: number, offX: number, rows: number, cols: number, ld: number, offOut: number): Dispatch {
    return this.small(COL_SUMS, [X, this.bG], { a: rows, b: cols, c: ld, o0: offX, o1: offOut, s0: bsX, s1: this.P }, cols);
  }

  private planSeparable(h: number, e: number, dx: number, dy: number): void {
    const n = this.n, P = this.P;
    const tw = [0, 1].map((t) => ({
      input: t === 0 ? this.bX : this.bY, d: t === 0 ? dx : dy,
      h1: this.buffer(n * h * this.k), h2: this.buffer(n * h * this.k), out: this.buffer(n * e * this.k), dOut: this.buffer(n * e * this.k),
    }));
    const dH = this.buffer(n * h * this.k), dH1 = this.buffer(n * h * this.k);
    for (let t = 0; t < 2; t++) {
      const [l0, l1, l2] = this.layout.towers[t];
      const b = tw[t], d = b.d;
      const w0 = this.w(l0), w1 = this.w(l1), w2 = this.w(l2);
      this.forward.push(
        this.gemm(b.input, w0.buf, b.h1, this.bP, { m: n, n: h, k: d, flags: GEMM_BIAS | GEMM_RELU, rsA: d, csA: 1, bsA: n * d, offB: w0.off, rsB: 1, csB: d, bsB: w0.bs, ldc: h, bsC: n * h, offX: l0.bias.offset, bsX: P }),
        this.gemm(b.h1, w1.buf, b.h2, this.bP, { m: n, n: h, k: h, flags: GEMM_BIAS | GEMM_RELU, rsA: h, csA: 1, bsA: n * h, offB: w1.off, rsB: 1, csB: h, bsB: w1.bs, ldc: h, bsC: n * h, offX: l1.bias.offset, bsX: P }),
        this.gemm(b.h2, w2.buf, b.out, this.bP, { m: n, n: e, k: h, flags: GEMM_BIAS, rsA: h, csA: 1, bsA: n * h, offB: w2.off, rsB: 1, csB: h, bsB: w2.bs, ldc: e, bsC: n * e, offX: l2.bias.offset, bsX: P }),
      );
    }
    const [F, Gt] = tw;
    this.forward.push(this.gemm(F.out, Gt.out, this.bS, this.bP, { m: n, n, k: e, rsA: e, csA: 1, bsA: n * e, rsB: 1, csB: e, bsB: n * e, ldc: n, bsC: n * n }));

    this.backward.push(
      this.gemm(this.bDS, Gt.out, F.dOut, this.bP, { m: n, n: e, k: n, rsA: n, csA: 1, bsA: n * n, rsB: e, csB: 1, bsB: n * e, ldc: e, bsC: n * e }),
      this.gemm(this.bDS, F.out, Gt.dOut, this.bP, { m: n, n: e, k: n, rsA: 1, csA: n, bsA: n * n, rsB: e, csB: 1, bsB: n * e, ldc: e, bsC: n * e }),
    );
    for (let t = 0; t < 2; t++) {
      const [l0, l1, l2] = this.layout.towers[t];
      const b = tw[t], d = b.d;
      const w1 = this.w(l1), w2 = this.w(l2);
      this.backward.push(
        this.gemm(b.dOut, b.h2, this.bG, this.bP, { m: e, n: h, k: n, rsA: 1, csA: e, bsA: n * e, rsB: h, csB: 1, bsB: n * h, offC: l2.weight.offset, ldc: h, bsC: P }),
        this.colSums(b.dOut, n * e, 0, n, e, e, l2.bias.offset),
        this.gemm(b.dOut, w2.buf, dH, b.h2, { m: n, n: h, k: e, flags: GEMM_MASK, rsA: e, csA: 1, bsA: n * e, offB: w2.off, rsB: h, csB: 1, bsB: w2.bs, ldc: h, bsC: n * h, bsX: n * h, ldx: h }),
        this.gemm(dH, b.h1, this.bG, this.bP, { m: h, n: h, k: n, rsA: 1, csA: h, bsA: n * h, rsB: h, csB: 1, bsB: n * h, offC: l1.weight.offset, ldc: h, bsC: P }),
        this.colSums(dH, n * h, 0, n, h, h, l1.bias.offset),
        this.gemm(dH, w1.buf, dH1, b.h1, { m: n, n: h, k: h, flags: GEMM_MASK, rsA: h, csA: 1, bsA: n * h, offB: w1.off, rsB: h, csB: 1, bsB: w1.bs, ldc: h, bsC: n * h, bsX: n * h, ldx: h }),
        this.gemm(dH1, b.input, this.bG, this.bP, { m: h, n: d, k: n, rsA: 1, csA: h, bsA: n * h, rsB: d, csB: 1, bsB: n * d, offC: l0.weight.offset, ldc: d, bsC: P }),
        this.colSums(dH1, n * h, 0, n, h, h, l0.bias.offset),
      );
    }
  }

  private planJoint(h: number, dx: number, dy: number): void {
    const n = this.n, P = this.P, rows = n * n, wIn = dx + dy, k = this.k;
    const [l0, l1, l2] = this.layout.towers[0];
    const jA = this.buffer(n * h * k), jB = this.buffer(n * h * k);
    const H1 = this.buffer(rows * h * k), H2 = this.buffer(rows * h * k);
    const dA = this.buffer(n * h * k), dB = this.buffer(n * h * k);
    const w0 = this.w(l0), w1 = this.w(l1), w2 = this.w(l2);
    this.forward.push(
      this.gemm(this.bX, w0.buf, jA, this.bP, { m: n, n: h, k: dx, flags: GEMM_BIAS, rsA: dx, csA: 1, bsA: n * dx, offB: w0.off, rsB: 1, csB: wIn, bsB: w0.bs, ldc: h, bsC: n * h, offX: l0.bias.offset, bsX: P }),
      this.gemm(this.bY, w0.buf, jB, this.bP, { m: n, n: h, k: dy, rsA: dy, csA: 1, bsA: n * dy, offB: w0.off + dx, rsB: 1, csB: wIn, bsB: w0.bs, ldc: h, bsC: n * h }),
      this.small(PAIR_FORWARD, [jA, jB, H1], { a: n, b: h, s0: n * h, s1: n * h, s2: rows * h }, rows * h),
      this.gemm(H1, w1.buf, H2, this.bP, { m: rows, n: h, k: h, flags: GEMM_BIAS | GEMM_RELU, rsA: h, csA: 1, bsA: rows * h, offB: w1.off, rsB: 1, csB: h, bsB: w1.bs, ldc: h, bsC: rows * h, offX: l1.bias.offset, bsX: P }),
      this.small(ROW_DOTS, [H2, w2.buf, this.bP, this.bS], { a: rows, b: h, o0: w2.off, o1: l2.bias.offset, s0: rows * h, s1: w2.bs, s2: P, s3: rows }, rows),
    );
    this.backward.push(
      // ∂w3 = dSᵀ H2 and ∂b3 = Σ dS before dZ2 overwrites H2.
      this.gemm(this.bDS, H2, this.bG, this.bP, { m: 1, n: h, k: rows, rsA: rows, csA: 1, bsA: rows, rsB: h, csB: 1, bsB: rows * h, offC: l2.weight.offset, ldc: h, bsC: P }),
      this.colSums(this.bDS, rows, 0, rows, 1, 1, l2.bias.offset),
      this.small(LAST_BACKWARD, [H2, this.bDS, w2.buf], { a: rows, b: h, o0: w2.off, s0: rows * h, s1: rows, s2: w2.bs }, rows * h),
      this.colSums(H2, rows * h, 0, rows, h, h, l1.bias.offset),
      this.gemm(H2, H1, this.bG, this.bP, { m: h, n: h, k: rows, rsA: 1, csA: h, bsA: rows * h, rsB: h, csB: 1, bsB: rows * h, offC: l1.weight.offset, ldc: h, bsC: P }),
      // dH1 = dZ2 W2 ⊙ [H1 > 0], written over H1.
      this.gemm(H2, w1.buf, H1, this.bP, { m: rows, n: h, k: h, flags: GEMM_MASK_SELF, rsA: h, csA: 1, bsA: rows * h, offB: w1.off, rsB: h, csB: 1, bsB: w1.bs, ldc: h, bsC: rows * h }),
      this.small(PAIR_BACKWARD, [H1, dA], { a: n, b: h, c: 0, s0: rows * h, s1: n * h }, n * h),
      this.small(PAIR_BACKWARD, [H1, dB], { a: n, b: h, c: 1, s0: rows * h, s1: n * h }, n * h),
      this.gemm(dA, this.bX, this.bG, this.bP, { m: h, n: dx, k: n, rsA: 1, csA: h, bsA: n * h, rsB: dx, csB: 1, bsB: n * dx, offC: l0.weight.offset, ldc: wIn, bsC: P }),
      this.gemm(dB, this.bY, this.bG, this.bP, { m: h, n: dy, k: n, rsA: 1, csA: h, bsA: n * h, rsB: dy, csB: 1, bsB: n * dy, offC: l0.weight.offset + dx, ldc: wIn, bsC: P }),
      this.colSums(dA, n * h, 0, n, h, h, l0.bias.offset),
    );
  }

  private encode(list: Dispatch[], encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass();
    for (const d of list) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.x, d.y, d.z);
    }
    pass.end();
  }

  /**
   * Power iteration and forward pass for all K cells; resolves to their score matrices, cell z's
   * at [z·n², (z+1)·n²) (reused by the next call). x: K·n·d_x, y: K·n·d_y, cell by cell.
   */
  async scores(x: Float32Array, y: Float32Array): Promise<Float32Array> {
    this.alive();
    const { n, k } = this, dx = this.layout.dim, dy = this.layout.dimY;
    if (x.length < k * n * dx || y.length < k * n * dy) throw new RangeError(`webgpu engine: x needs K·n·d_x = ${k * n * dx} and y K·n·d_y = ${k * n * dy} entries`);
    const q = this.device.queue;
    q.writeBuffer(this.bX, 0, x.buffer, x.byteOffset, k * n * dx * 4);
    q.writeBuffer(this.bY, 0, y.buffer, y.byteOffset, k * n * dy * 4);
    const enc = this.device.createCommandEncoder();
    this.encode(this.forward, enc);
    enc.copyBufferToBuffer(this.bS, 0, this.bRead, 0, n * n * k * 4);
    q.submit([enc.finish()]);
    await this.bRead.mapAsync(MODE_READ);
    this.sOut.set(new Float32Array(this.bRead.getMappedRange()));
    this.bRead.unmap();
    this.scored = true;
    return this.sOut;
  }

  /**
   * Backprop each cell's dLoss/dS (K·n², cell by cell) through the last forward pass, then one
   * Adam step per active cell (active[z] = 0: the cell's parameters stay as they are — it has
   * diverged and stopped). Queued on the device; the next scores() waits for it.
   */
  step(dLoss: Float32Array, active?: ArrayLike<number>): void {
    this.alive();
    if (!this.scored) throw new Error('webgpu engine: step() before scores()');
    const { n, k } = this;
    if (dLoss.length < k * n * n) throw new RangeError(`webgpu engine: dLossdS needs K·n² = ${k * n * n} entries`);
    this.t += 1;
    for (let z = 0; z < k; z++) {
      const a = this.adam[z];
      // The wasm kernel's scalars: f32 arguments, 1/√(1−β₂ᵗ) from the f32 square root.
      const sqrtBc2 = Math.fround(Math.sqrt(1 - a.beta2 ** this.t));
      const b1 = Math.fround(a.beta1), b2 = Math.fround(a.beta2);
      this.q.set([a.lr / (1 - a.beta1 ** this.t), 1 / sqrtBc2, b1, 1 - b1, b2, 1 - b2, a.eps, active ? (active[z] ? 1 : 0) : 1], z * 8);
    }
    const q = this.device.queue;
    q.writeBuffer(this.bQ, 0, this.q);
    q.writeBuffer(this.bDS, 0, dLoss.buffer, dLoss.byteOffset, k * n * n * 4);
    const enc = this.device.createCommandEncoder();
    this.encode(this.backward, enc);
    q.submit([enc.finish()]);
  }

  /** Resolves when every queued dispatch has run. */
  async finish(): Promise<void> {
    this.alive();
    await this.device.queue.onSubmittedWorkDone();
  }

  private async read(src: GPUBuffer, floats: number): Promise<Float32Array> {
    const tmp = this.device.createBuffer({ size: floats * 4, usage: MAP_READ | COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, tmp, 0, floats * 4);
    this.device.queue.submit([enc.finish()]);
    await tmp.mapAsync(MODE_READ);
    const out = new Float32Array(tmp.getMappedRange()).slice();
    tmp.unmap();
    tmp.destroy();
    return out;
  }

  private split(all: Float32Array, per: number): Float32Array[] {
    return Array.from({ length: this.k }, (_, z) => all.slice(z * per, (z + 1) * per));
  }

  /** Each cell's parameters (copies, the shared flat layout). */
  async params(): Promise<Float32Array[]> {
    this.alive();
    return this.split(await this.read(this.bP, this.P * this.k), this.P);
  }

  /** Each cell's gradient of the last step (∂L/∂params, before Adam); tests use it. */
  async gradient(): Promise<Float32Array[]> {
    this.alive();
    return this.split(await this.read(this.bG, this.P * this.k), this.P);
  }

  /** Each cell's power-iteration vectors u, layout order. */
  async spectralU(): Promise<Float32Array[][]> {
    this.alive();
    if (this.nSize === 0) return Array.from({ length: this.k }, () => []);
    const all = await this.read(this.bN, this.nSize * this.k);
    return Array.from({ length: this.k }, (_, z) => this.spectral.map((s) => all.slice(z * this.nSize + s.nOff, z * this.nSize + s.nOff + s.out)));
  }

  private alive(): void {
    if (this.disposed) throw new Error('webgpu engine: batch used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers) b.destroy();
  }
}

function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

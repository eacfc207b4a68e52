/**
 * The GAN experiment's networks on tfjs (any backend: tfjs-node-gpu for CUDA, tfjs-node, wasm,
 * cpu): the same networks as src/gan/wasm.ts from the same flat parameters, written with tfjs
 * ops and autodiff. It is the engine the wasm one is checked against (test/gan-engines.test.ts)
 * and the GPU path. On CPU it is slow (tfjs-wasm: about 10× the wasm engine; docs/gan.md).
 *
 * backward(dOut) differentiates ⟨forward(x), dOut⟩ (a vector–Jacobian product) by re-running the
 * forward pass under tf.variableGrads; batch norm recomputes the same batch statistics. Adam is
 * written out in the same form as the wasm kernel (torch.optim.Adam's), with the step's learning
 * rate passed in by the loop's schedule. Matmuls use src/gan/mlp.ts's matMulFast (untransposed
 * products, tfjs-wasm's fast path).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from '../engine/tfjs/backends.js';
import { powerIteration } from '../critics/spectralNorm.js';
import { matMulFast } from './mlp.js';
import type { GanEngine, GanNet, GanNetOptions, GanAdam } from './engine.js';
import type { GanNetDef } from './nets.js';

type Tensor = TfCore.Tensor;
type Variable = TfCore.Variable;

const BN_EPS = 1e-5;

interface LayerVars { w: Variable; b?: Variable; gamma?: Variable; beta?: Variable }

class TfjsNet implements GanNet {
  private readonly layers: LayerVars[];
  private readonly vars: Variable[];
  private readonly m: Variable[];
  private readonly v: Variable[];
  private readonly ema?: Variable[];
  private t = 0;
  private lastInput?: Tensor;
  private n = 0;
  private lastForwardEma = false;
  private grad?: Tensor[];
  private readonly u?: Float64Array;
  private snConst?: { u: Tensor; v: Tensor };

  constructor(private readonly tf: Tf, readonly def: GanNetDef, params: Float32Array, private readonly adamCfg: GanAdam, opts: GanNetOptions) {
    if (params.length !== def.size) throw new RangeError(`gan tfjs: params has ${params.length} entries, the network needs ${def.size}`);
    const slice = (off: number, len: number) => params.slice(off, off + len);
    this.layers = def.layers.map((l) => {
      const cols = l.units * l.pieces;
      const lv: LayerVars = { w: tf.variable(tf.tensor2d(slice(l.w, l.inp * cols), [l.inp, cols])) };
      if (l.b >= 0) lv.b = tf.variable(tf.tensor1d(slice(l.b, cols)));
      if (l.gamma >= 0) lv.gamma = tf.variable(tf.tensor1d(slice(l.gamma, l.units)));
      if (l.beta >= 0) lv.beta = tf.variable(tf.tensor1d(slice(l.beta, l.units)));
      return lv;
    });
    this.vars = this.layers.flatMap((lv) => [lv.w, lv.b, lv.gamma, lv.beta].filter((x): x is Variable => x !== undefined));
    this.m = this.vars.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = this.vars.map((x) => tf.variable(tf.zerosLike(x), false));
    if (opts.ema) this.ema = this.vars.map((x) => tf.variable(x.clone(), false));
    if (def.spectralNormLast) {
      const last = def.layers[def.layers.length - 1];
      if (!opts.spectralU || opts.spectralU.length !== last.inp) throw new RangeError(`gan tfjs: spectralU must have length ${last.inp}`);
      this.u = Float64Array.from(opts.spectralU);
      this.refreshSpectralNorm();
    }
  }

  /** The variables (or their EMA copies) grouped per layer, in layout order. */
  private layerTensors(ema: boolean): Array<{ w: Tensor; b?: Tensor; gamma?: Tensor; beta?: Tensor }> {
    if (!ema) return this.layers;
    let i = 0;
    return this.layers.map((lv) => {
      const out: { w: Tensor; b?: Tensor; gamma?: Tensor; beta?: Tensor } = { w: this.ema![i++] };
      if (lv.b) out.b = this.ema![i++];
      if (lv.gamma) out.gamma = this.ema![i++];
      if (lv.beta) out.beta = this.ema![i++];
      return out;
    });
  }

  private run(x: Tensor, ema: boolean): Tensor {
    const { tf, def } = this;
    const ts = this.layerTensors(ema);
    let h = x;
    def.layers.forEach((l, li) => {
      const p = ts[li];
      let w = p.w;
      if (li === def.layers.length - 1 && this.snConst) {
        // σ = uᵀ W v with u, v constant: autodiff then gives the spectral-norm gradient.
        const sigma = tf.sum(tf.mul(tf.matMul(this.snConst.u, p.w), tf.transpose(this.snConst.v)));
        w = tf.div(p.w, sigma);
      }
      let z = matMulFast(tf, h, w);
      if (p.b) z = tf.add(z, p.b);
      if (l.batchNorm) {
        const { mean, variance } = tf.moments(z, 0);
        z = tf.add(tf.mul(tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, BN_EPS))), p.gamma!), p.beta!);
      }
      if (l.act === 'relu') z = tf.relu(z);
      else if (l.act === 'maxout') z = tf.max(tf.reshape(z, [-1, l.pieces, l.units]), 1);
      h = z;
    });
    return h;
  }

  forward(x: Float32Array, n: number, opts: { ema?: boolean } = {}): Float32Array {
    const { tf, def } = this;
    if (opts.ema && !this.ema) throw new Error('gan tfjs: this network keeps no EMA');
    this.lastInput?.dispose();
    this.lastInput = tf.keep(tf.tensor2d(x.subarray(0, n * def.inp), [n, def.inp]));
    this.n = n;
    this.lastForwardEma = !!opts.ema;
    const y = tf.tidy(() => this.run(this.lastInput!, !!opts.ema));
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  }

  backward(dOut: Float32Array, opts: { params: boolean; input: boolean }): Float32Array | undefined {
    const { tf, def, n } = this;
    if (!this.lastInput) throw new Error('gan tfjs: backward before forward');
    if (this.lastForwardEma) throw new Error('gan tfjs: backward after an EMA forward pass');
    let dx: Float32Array | undefined;
    tf.tidy(() => {
      const dy = tf.tensor2d(dOut.subarray(0, n * def.out), [n, def.out]);
      const xv = tf.variable(this.lastInput!.clone(), true);
      const list = [...(opts.params ? this.vars : []), ...(opts.input ? [xv] : [])];
      if (list.length > 0) {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(this.run(xv, false), dy)) as TfCore.Scalar, list);
        value.dispose();
        if (opts.params) {
          this.grad?.forEach((g) => g.dispose());
          this.grad = this.vars.map((v) => tf.keep(grads[v.name]));
        }
        if (opts.input) dx = grads[xv.name].dataSync() as Float32Array;
      }
      xv.dispose();
    });
    return dx;
  }

  refreshSpectralNorm(): void {
    if (!this.u) return;
    const { tf } = this;
    const l = this.def.layers[this.def.layers.length - 1];
    const { v } = powerIteration(this.layers[this.layers.length - 1].w.dataSync(), l.inp, l.units, this.u);
    if (this.snConst) tf.dispose([this.snConst.u, this.snConst.v]);
    this.snConst = {
      u: tf.keep(tf.tensor2d(Float32Array.from(this.u), [1, l.inp])),
      v: tf.keep(tf.tensor2d(Float32Array.from(v), [l.units, 1])),
    };
  }

  adam(lr: number): void {
    const { tf } = this;
    if (!this.grad) throw new Error('gan tfjs: adam before a backward pass with parameter gradients');
    const a = this.adamCfg;
    this.t += 1;
    const stepSize = lr / (1 - a.beta1 ** this.t);
    const invQ = 1 / Math.sqrt(1 - a.beta2 ** this.t);
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        const g = this.grad![i];
        const m = tf.add(tf.mul(this.m[i], a.beta1), tf.mul(g, 1 - a.beta1));
        const v = tf.add(tf.mul(this.v[i], a.beta2), tf.mul(tf.mul(g, g), 1 - a.beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.mul(tf.sqrt(v), invQ), a.eps)), stepSize)));
      });
    });
  }

  updateEma(decay: number): void {
    const { tf } = this;
    if (!this.ema) throw new Error('gan tfjs: this network keeps no EMA');
    tf.tidy(() => this.ema!.forEach((e, i) => e.assign(tf.add(tf.mul(e, decay), tf.mul(this.vars[i], 1 - decay)))));
  }

  private flat(ts: Tensor[]): Float32Array {
    const out = new Float32Array(this.def.size);
    let off = 0;
    for (const t of ts) { const d = t.dataSync(); out.set(d, off); off += d.length; }
    return out;
  }

  params(): Float32Array { return this.flat(this.vars); }
  grads(): Float32Array { return this.grad ? this.flat(this.grad) : new Float32Array(this.def.size); }

  setParams(p: Float32Array): void {
    if (p.length !== this.def.size) throw new RangeError(`gan tfjs: setParams needs ${this.def.size} entries`);
    let off = 0;
    for (const v of this.vars) {
      const t = this.tf.tensor(p.slice(off, off + v.size), v.shape);
      v.assign(t);
      t.dispose();
      off += v.size;
    }
  }

  dispose(): void {
    const { tf } = this;
    tf.dispose([...this.vars, ...this.m, ...this.v, ...(this.ema ?? []), ...(this.grad ?? [])]);
    this.lastInput?.dispose();
    if (this.snConst) tf.dispose([this.snConst.u, this.snConst.v]);
  }
}

export class TfjsGanEngine implements GanEngine {
  readonly name = 'tfjs' as const;
  private readonly nets: TfjsNet[] = [];
  constructor(private readonly tf: Tf, readonly backend: string) {}

  createNet(def: GanNetDef, params: Float32Array, options: GanNetOptions): GanNet {
    const net = new TfjsNet(this.tf, def, params, options.adam, options);
    this.nets.push(net);
    return net;
  }

  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array {
    const { tf } = this;
    return tf.tidy(() => {
      const A = transA ? tf.transpose(tf.tensor2d(a.subarray(0, m * k), [k, m])) : tf.tensor2d(a.subarray(0, m * k), [m, k]);
      const B = transB ? tf.transpose(tf.tensor2d(b.subarray(0, k * n), [n, k])) : tf.tensor2d(b.subarray(0, k * n), [k, n]);
      return tf.matMul(A, B).dataSync() as Float32Array;
    });
  }

  dispose(): void {
    for (const n of this.nets) n.dispose();
    this.nets.length = 0;
  }
}

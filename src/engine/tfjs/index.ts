/**
 * The tfjs engine (ARCHITECTURE §4): critics in tfjs ops, for the CUDA path (tfjs-node-gpu), the
 * native CPU path (tfjs-node) and tfjs-backend-wasm / -cpu as a portable reference. It shares
 * the bounds with every engine: S is pulled each step, the bound gives dObjective/dS, and the
 * engine backpropagates dLoss/dS = −dObjective/dS with tfjs autodiff (gradient of ⟨S, dLoss/dS⟩),
 * which makes it an independent check of the hand-written wasm engine's backward pass.
 * The price is a second forward pass inside the gradient; acceptable for a reference/GPU path.
 */
import type { BackendChoice } from '../../types.js';
import type { CriticLayout, LinearSlot } from '../../critics/layout.js';
import type { CriticRuntime, Engine, RuntimeOptions } from '../types.js';
import type * as TfCore from '@tensorflow/tfjs-core';
import { powerIteration } from '../../critics/spectralNorm.js';
import { UsageError } from '../../errors.js';
import { initTf, tfBackendAvailable, type Tf } from './backends.js';

type Tensor = TfCore.Tensor;
type Variable = TfCore.Variable;

interface Layer {
  slot: LinearSlot;
  w: Variable;
  b: Variable;
  /** Persistent power-iteration vector (spectrally normalised layers only). */
  u?: Float32Array;
}

class TfjsRuntime implements CriticRuntime {
  readonly engine = 'tfjs' as const;
  private readonly towers: Layer[][];
  private readonly vars: Variable[];
  private readonly m: Variable[];
  private readonly v: Variable[];
  private t = 0;
  private x: Tensor | null = null;
  private y: Tensor | null = null;
  /** Per SN layer, this step's u and v as constants (the gradient treats them as fixed). */
  private snConst: Map<Layer, { u: Tensor; v: Tensor }> = new Map();

  constructor(
    private readonly tf: Tf,
    readonly backend: string,
    private readonly layout: CriticLayout,
    params: Float32Array,
    private readonly options: RuntimeOptions,
  ) {
    let k = 0;
    this.towers = layout.towers.map((tower) => tower.map((slot) => {
      const w = tf.variable(tf.tensor2d(params.subarray(slot.weight.offset, slot.weight.offset + slot.weight.size), slot.weight.shape as [number, number]));
      const b = tf.variable(tf.tensor1d(params.subarray(slot.bias.offset, slot.bias.offset + slot.bias.size)));
      const layer: Layer = { slot, w, b };
      if (slot.spectralNorm) layer.u = Float32Array.from(options.spectralU[k++]);
      return layer;
    }));
    this.vars = this.towers.flat().flatMap((l) => [l.w, l.b]);
    this.m = this.vars.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = this.vars.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** The weight the layer actually applies: W, or W / (uᵀ W v) with u, v constant. */
  private weight(l: Layer): Tensor {
    const c = this.snConst.get(l);
    if (!c) return l.w;
    // u is [1, out] and v is [in, 1]: two products give the [1, 1] scalar uᵀ W v.
    const sigma = this.tf.reshape(this.tf.matMul(this.tf.matMul(c.u, l.w), c.v), []);
    return this.tf.div(l.w, sigma);
  }

  private dense(h: Tensor, l: Layer, relu: boolean): Tensor {
    const z = this.tf.add(this.tf.matMul(h, this.weight(l), false, true), l.b);
    return relu ? this.tf.relu(z) : z;
  }

  private forward(): Tensor {
    const tf = this.tf;
    const x = this.x!, y = this.y!;
    const n = x.shape[0];
    if (this.layout.kind === 'separable') {
      const [f, g] = this.towers;
      const tower = (inp: Tensor, t: Layer[]) => this.dense(this.dense(this.dense(inp, t[0], true), t[1], true), t[2], false);
      return tf.matMul(tower(x, f), tower(y, g), false, true);
    }
    // Joint: layer 1 on [x_i; y_j] is W_x x_i + W_y y_j + b, so it costs O(n·d·h), not O(n²·d·h).
    const [l1, l2, l3] = this.towers[0];
    const d = this.layout.dim, dy = this.layout.dimY ?? d, h = this.layout.hidden;
    const w1 = this.weight(l1);
    const wx = tf.slice(w1, [0, 0], [h, d]);
    const wy = tf.slice(w1, [0, d], [h, dy]);
    const a = tf.reshape(tf.matMul(x, wx, false, true), [n, 1, h]);
    const b = tf.reshape(tf.matMul(y, wy, false, true), [1, n, h]);
    const h1 = tf.reshape(tf.relu(tf.add(tf.add(a, b), l1.b)), [n * n, h]);
    return tf.reshape(this.dense(this.dense(h1, l2, true), l3, false), [n, n]);
  }

  /** Pairs scored by the last scores() call: always n² (given a derangement, the loop reads its 2n entries). */
  pairsEvaluated = 0;

  scores(x: Float32Array, y: Float32Array, n: number): Float32Array {
    const tf = this.tf;
    this.pairsEvaluated = n * n;
    this.disposeBatch();
    const d = this.layout.dim, dy = this.layout.dimY ?? d;
    this.x = tf.tensor2d(x.subarray(0, n * d), [n, d]);
    this.y = tf.tensor2d(y.subarray(0, n * dy), [n, dy]);
    for (const l of this.towers.flat()) {
      if (!l.u) continue;
      const [out, inp] = l.slot.weight.shape as [number, number];
      const { v } = powerIteration(l.w.dataSync(), out, inp, l.u);
      this.snConst.set(l, { u: tf.tensor2d(l.u, [1, out]), v: tf.tensor2d(Float32Array.from(v), [inp, 1]) });
    }
    const s = tf.tidy(() => this.forward());
    const out = s.dataSync() as Float32Array;
    s.dispose();
    return out;
  }

  step(dLossdS: Float32Array): void {
    const tf = this.tf;
    const n = this.x!.shape[0];
    const { lr, beta1, beta2, eps } = this.options.adam;
    this.t++;
    const bc1 = 1 - beta1 ** this.t, bc2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      const g = tf.tensor2d(dLossdS, [n, n]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(this.forward(), g)) as TfCore.Scalar, this.vars);
      this.vars.forEach((p, i) => {
        const gi = grads[p.name];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(gi, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(gi), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        p.assign(tf.sub(p, tf.mul(upd, lr)));
      });
    });
  }

  params(): Float32Array {
    const out = new Float32Array(this.layout.size);
    for (const l of this.towers.flat()) {
      out.set(l.w.dataSync() as Float32Array, l.slot.weight.offset);
      out.set(l.b.dataSync() as Float32Array, l.slot.bias.offset);
    }
    return out;
  }

  spectralU(): Float32Array[] {
    return this.towers.flat().filter((l) => l.u).map((l) => Float32Array.from(l.u!));
  }

  private disposeBatch(): void {
    this.x?.dispose(); this.y?.dispose();
    this.x = this.y = null;
    for (const c of this.snConst.values()) { c.u.dispose(); c.v.dispose(); }
    this.snConst.clear();
  }

  dispose(): void {
    this.disposeBatch();
    for (const t of [...this.vars, ...this.m, ...this.v]) t.dispose();
  }
}

export const tfjsEngine: Engine = {
  name: 'tfjs',
  available: (backend: BackendChoice) => tfBackendAvailable(backend),
  async create(layout, params, options) {
    // The variational critic and the auxiliary networks (FLO's u, DoE's marginal) are wasm-only.
    if (layout.kind === 'variational') throw new UsageError('--engine tfjs: the variational critic is wasm-only; use --engine wasm');
    if (layout.aux) throw new UsageError(`--engine tfjs: the auxiliary network '${layout.aux.kind}' (FLO's u, DoE's marginal) is wasm-only; use --engine wasm`);
    const { tf, backend } = await initTf(options.backend);
    return new TfjsRuntime(tf, backend, layout, params, options);
  },
};

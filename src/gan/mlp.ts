/**
 * Small tfjs MLPs for the GAN experiment: the generator, the discriminator and the two towers of
 * the statistics network. Weights are stored [in, out] so the forward pass is x·W (tfjs-wasm's
 * fast, untransposed matmul). Initialisation as everywhere in the project: every weight and bias
 * ~ U(−1/√fan_in, 1/√fan_in), drawn in layer order from a seeded Rng, so runs are reproducible
 * without tf.random.
 *
 * Spectral normalisation of the last layer (MICE, paper eq. 12–13) uses the project's float64
 * power iteration (src/critics/spectralNorm.ts) for u and v, then forms W / (uᵀ W v) in tf with
 * u, v constant, so autodiff gives the same gradient as torch.nn.utils.spectral_norm. The power
 * iteration runs on the stored [in, out] array, i.e. on Wᵀ, which has the same singular values;
 * the persistent u therefore has length `in`.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from '../engine/tfjs/backends.js';
import type { Rng } from '../rng.js';
import { powerIteration } from '../critics/spectralNorm.js';

type Tensor = TfCore.Tensor;
type Variable = TfCore.Variable;

const fastMatMuls = new WeakMap<Tf, (a: Tensor, b: Tensor) => Tensor>();

/**
 * a·b with a hand-written vector–Jacobian product whose products are all untransposed:
 * ∂a = dy·bᵀ, ∂b = aᵀ·dy with the transposes materialised first. tfjs-wasm runs only
 * untransposed 2-D matmuls on its fast (XNNPACK) path; the stock BatchMatMul gradient uses the
 * transposed path, which made a GAN step 4–5× slower here (41 → 9 ms for vanilla, measured).
 * A custom gradient rather than a re-registered kernel gradient, so other tfjs users in the
 * same process keep tfjs's own.
 */
export function matMulFast(tf: Tf, a: Tensor, b: Tensor): Tensor {
  let f = fastMatMuls.get(tf);
  if (!f) {
    f = tf.customGrad((...args: Array<Tensor | TfCore.GradSaveFunc>) => {
      const [x, y, save] = args as [Tensor, Tensor, TfCore.GradSaveFunc];
      save([x, y]);
      return {
        value: tf.matMul(x, y),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy, tf.transpose(saved[1])), tf.matMul(tf.transpose(saved[0]), dy)],
      };
    }) as (a: Tensor, b: Tensor) => Tensor;
    fastMatMuls.set(tf, f);
  }
  return f(a, b);
}

export interface Dense {
  inp: number;
  out: number;
  w: Variable;
  b: Variable;
}

export type Activation = 'relu' | 'leakyRelu';

export interface Mlp {
  layers: Dense[];
  activation: Activation;
  /** Persistent power-iteration vector for the last layer (spectrally normalised MLPs only). */
  snU?: Float64Array;
  /** This step's (u, v) as tf constants, set by `refreshSpectralNorm`. */
  snConst?: { u: Tensor; v: Tensor };
}

/** sizes = [in, h1, …, out]. */
export function createMlp(tf: Tf, rng: Rng, sizes: number[], activation: Activation, spectralNorm = false): Mlp {
  const layers: Dense[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inp = sizes[l], out = sizes[l + 1];
    const bound = 1 / Math.sqrt(inp);
    const w = new Float32Array(inp * out);
    for (let i = 0; i < w.length; i++) w[i] = rng.range(-bound, bound);
    const b = new Float32Array(out);
    for (let i = 0; i < b.length; i++) b[i] = rng.range(-bound, bound);
    layers.push({ inp, out, w: tf.variable(tf.tensor2d(w, [inp, out])), b: tf.variable(tf.tensor1d(b)) });
  }
  const mlp: Mlp = { layers, activation };
  if (spectralNorm) {
    const inp = layers[layers.length - 1].inp;
    const u = new Float64Array(inp);
    let s = 0;
    for (let i = 0; i < inp; i++) { u[i] = rng.normal(); s += u[i] * u[i]; }
    s = Math.sqrt(s) || 1;
    for (let i = 0; i < inp; i++) u[i] /= s;
    mlp.snU = u;
  }
  return mlp;
}

export function variables(mlp: Mlp): Variable[] {
  return mlp.layers.flatMap((l) => [l.w, l.b]);
}

/**
 * One power-iteration step on the last layer (once per training step, before the forward
 * passes of that step); keeps u, v as constants for this step's graph. Returns σ.
 */
export function refreshSpectralNorm(tf: Tf, mlp: Mlp): number {
  if (!mlp.snU) return 1;
  const last = mlp.layers[mlp.layers.length - 1];
  const { sigma, v } = powerIteration(last.w.dataSync(), last.inp, last.out, mlp.snU);
  if (mlp.snConst) tf.dispose([mlp.snConst.u, mlp.snConst.v]);
  mlp.snConst = {
    u: tf.keep(tf.tensor2d(Float32Array.from(mlp.snU), [1, last.inp])),
    v: tf.keep(tf.tensor2d(Float32Array.from(v), [last.out, 1])),
  };
  return sigma;
}

/** Forward pass; the last layer is linear (spectrally normalised when the MLP is). */
export function forward(tf: Tf, mlp: Mlp, x: Tensor): Tensor {
  let h = x;
  mlp.layers.forEach((l, k) => {
    const last = k === mlp.layers.length - 1;
    let w: Tensor = l.w;
    if (last && mlp.snU) {
      if (!mlp.snConst) throw new Error('refreshSpectralNorm must run before the forward pass');
      // σ = uᵀ W v with u, v constant: the gradient flows through W only (eq. 12–13).
      const sigma = tf.sum(tf.mul(tf.matMul(mlp.snConst.u, l.w), tf.transpose(mlp.snConst.v)));
      w = tf.div(l.w, sigma);
    }
    h = tf.add(matMulFast(tf, h, w), l.b);
    if (!last) h = mlp.activation === 'relu' ? tf.relu(h) : tf.leakyRelu(h, 0.2);
  });
  return h;
}

export function disposeMlp(tf: Tf, mlp: Mlp): void {
  tf.dispose(variables(mlp));
  if (mlp.snConst) tf.dispose([mlp.snConst.u, mlp.snConst.v]);
}

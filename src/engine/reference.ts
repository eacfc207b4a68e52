/**
 * Float64 plain-JS reference of the critics' forward and backward passes (joint, separable and
 * variational, and the auxiliary networks of FLO and DoE), spectral norm included, and of
 * torch's Adam step. Deliberately naive (the joint critic evaluates the MLP on
 * every concatenated pair [x_i; y_j]; no first-layer decomposition) so that it checks the fast
 * engines' algebra rather than repeating it. Used by tests: finite differences against this,
 * and this against the engines.
 *
 * Spectral norm (paper eq. 12–13, ../critics/spectralNorm.ts): each step runs one power
 * iteration on the persistent u, then treats u and v as constants, so σ(W) = uᵀWv and
 *   ∂L/∂W = (G − ⟨G, W_SN⟩ u vᵀ) / σ,   G = ∂L/∂W_SN.
 */
import type { CriticLayout, LinearSlot } from '../critics/layout.js';
import type { AdamConfig } from './types.js';
import { powerIteration } from '../critics/spectralNorm.js';

/** The power-iteration vectors of one spectrally normalised layer after this step's iteration. */
export interface SpectralVectors {
  u: Float64Array;
  v: Float64Array;
}

/** One power-iteration step for each spectrally normalised layer (layout order), on copies of us. */
export function referencePowerStep(layout: CriticLayout, params: ArrayLike<number>, us: ArrayLike<number>[]): SpectralVectors[] {
  const out: SpectralVectors[] = [];
  let k = 0;
  for (const tower of layout.towers) {
    for (const l of tower) {
      if (!l.spectralNorm) continue;
      const [o, i] = l.weight.shape as [number, number];
      const u = Float64Array.from(us[k++]);
      const w = slice(params, l.weight.offset, l.weight.size);
      const { v } = powerIteration(w, o, i, u);
      out.push({ u, v });
    }
  }
  return out;
}

function slice(a: ArrayLike<number>, offset: number, size: number): Float64Array {
  const r = new Float64Array(size);
  for (let i = 0; i < size; i++) r[i] = a[offset + i];
  return r;
}

interface LayerCache {
  slot: LinearSlot;
  input: Float64Array;
  rows: number;
  /** Effective weight (W or W/σ), [out, in]. */
  w: Float64Array;
  sigma: number;
  sn?: SpectralVectors;
  /** Post-activation output. */
  output: Float64Array;
  relu: boolean;
}

function effectiveWeight(params: ArrayLike<number>, slot: LinearSlot, sn?: SpectralVectors): { w: Float64Array; sigma: number } {
  const [o, i] = slot.weight.shape as [number, number];
  const w = slice(params, slot.weight.offset, slot.weight.size);
  if (!sn) return { w, sigma: 1 };
  let sigma = 0;
  for (let r = 0; r < o; r++) {
    let s = 0;
    for (let c = 0; c < i; c++) s += w[r * i + c] * sn.v[c];
    sigma += sn.u[r] * s;
  }
  for (let k = 0; k < w.length; k++) w[k] /= sigma;
  return { w, sigma };
}

function linearForward(params: ArrayLike<number>, slot: LinearSlot, input: Float64Array, rows: number, relu: boolean, sn?: SpectralVectors): LayerCache {
  const [o, inp] = slot.weight.shape as [number, number];
  const { w, sigma } = effectiveWeight(params, slot, sn);
  const output = new Float64Array(rows * o);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < o; k++) {
      let s = params[slot.bias.offset + k];
      for (let c = 0; c < inp; c++) s += input[r * inp + c] * w[k * inp + c];
      output[r * o + k] = relu && s < 0 ? 0 : s;
    }
  }
  return { slot, input, rows, w, sigma, sn, output, relu };
}

/** Backprop dOut (post-activation gradient) through one layer; accumulates into grad; returns dInput. */
function linearBackward(cache: LayerCache, dOut: Float64Array, grad: Float64Array): Float64Array {
  const { slot, input, rows, w, sigma, sn, output, relu } = cache;
  const [o, inp] = slot.weight.shape as [number, number];
  const dz = Float64Array.from(dOut);
  if (relu) for (let k = 0; k < dz.length; k++) if (!(output[k] > 0)) dz[k] = 0;
  const gw = new Float64Array(o * inp);
  const dIn = new Float64Array(rows * inp);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < o; k++) {
      const g = dz[r * o + k];
      if (g === 0) continue;
      grad[slot.bias.offset + k] += g;
      for (let c = 0; c < inp; c++) {
        gw[k * inp + c] += g * input[r * inp + c];
        dIn[r * inp + c] += g * w[k * inp + c];
      }
    }
  }
  if (sn) {
    let inner = 0;
    for (let k = 0; k < gw.length; k++) inner += gw[k] * w[k];
    for (let k = 0; k < o; k++) {
      for (let c = 0; c < inp; c++) gw[k * inp + c] = (gw[k * inp + c] - inner * sn.u[k] * sn.v[c]) / sigma;
    }
  }
  for (let k = 0; k < gw.length; k++) grad[slot.weight.offset + k] += gw[k];
  return dIn;
}

function towerForward(params: ArrayLike<number>, tower: LinearSlot[], input: Float64Array, rows: number, sns: (SpectralVectors | undefined)[]): LayerCache[] {
  const caches: LayerCache[] = [];
  let h = input;
  tower.forEach((slot, li) => {
    const c = linearForward(params, slot, h, rows, li < tower.length - 1, sns[li]);
    caches.push(c);
    h = c.output;
  });
  return caches;
}

function towerBackward(caches: LayerCache[], dOut: Float64Array, grad: Float64Array): void {
  let d = dOut;
  for (let li = caches.length - 1; li >= 0; li--) d = linearBackward(caches[li], d, grad);
}

/** Spectral vectors per layer of each tower (undefined for layers without spectral norm). */
function spectralPerLayer(layout: CriticLayout, sn: SpectralVectors[] | undefined): (SpectralVectors | undefined)[][] {
  let k = 0;
  return layout.towers.map((tower) => tower.map((l) => {
    if (!l.spectralNorm) return undefined;
    if (!sn || !sn[k]) throw new Error('reference: spectral vectors missing for a spectrally normalised layer');
    return sn[k++];
  }));
}

interface ForwardState {
  scores: Float64Array;
  towers: LayerCache[][];
}

function forward(layout: CriticLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number, sn?: SpectralVectors[]): ForwardState {
  const d = layout.dim, dy = layout.dimY ?? d, w = d + dy;
  const sns = spectralPerLayer(layout, sn);
  if (layout.kind === 'variational') {
    // S_ij = Σ_k −½ log 2π − ½ v_ik − (y_jk − μ_ik)² / (2 e^(v_ik)), straight from the density.
    const qc = towerForward(params, layout.towers[0], Float64Array.from({ length: n * d }, (_, k) => x[k]), n, sns[0]);
    const o = qc[2].output;
    const scores = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < dy; k++) {
          const mu = o[i * 2 * dy + k], v = o[i * 2 * dy + dy + k], r = y[j * dy + k] - mu;
          s += -0.5 * Math.log(2 * Math.PI) - 0.5 * v - (r * r) / (2 * Math.exp(v));
        }
        scores[i * n + j] = s;
      }
    }
    return { scores, towers: [qc] };
  }
  if (layout.kind === 'joint') {
    const pairs = new Float64Array(n * n * w);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const o = (i * n + j) * w;
        for (let c = 0; c < d; c++) pairs[o + c] = x[i * d + c];
        for (let c = 0; c < dy; c++) pairs[o + d + c] = y[j * dy + c];
      }
    }
    const caches = towerForward(params, layout.towers[0], pairs, n * n, sns[0]);
    return { scores: Float64Array.from(caches[2].output), towers: [caches] };
  }
  const e = layout.embed;
  const fc = towerForward(params, layout.towers[0], Float64Array.from({ length: n * d }, (_, k) => x[k]), n, sns[0]);
  const gc = towerForward(params, layout.towers[1], Float64Array.from({ length: n * dy }, (_, k) => y[k]), n, sns[1]);
  const f = fc[2].output, g = gc[2].output;
  const scores = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < e; k++) s += f[i * e + k] * g[j * e + k];
      scores[i * n + j] = s;
    }
  }
  return { scores, towers: [fc, gc] };
}

/** S (n×n, S[i*n+j] = T(x_i, y_j)) with the spectral vectors held fixed (σ = uᵀWv). */
export function referenceScores(layout: CriticLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number, sn?: SpectralVectors[]): Float64Array {
  return forward(layout, params, x, y, n, sn).scores;
}

/** S and ∂L/∂params for L = Σ dLdS ⊙ S, with the spectral vectors held fixed. */
export function referenceGradient(
  layout: CriticLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number,
  dLdS: ArrayLike<number>, sn?: SpectralVectors[],
): { scores: Float64Array; grad: Float64Array } {
  const st = forward(layout, params, x, y, n, sn);
  const grad = new Float64Array(layout.size);
  if (layout.kind === 'variational') {
    const dy = layout.dimY, o = st.towers[0][2].output;
    const dOut = new Float64Array(n * 2 * dy);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < dy; k++) {
        const mu = o[i * 2 * dy + k], p = Math.exp(-o[i * 2 * dy + dy + k]);
        let dMu = 0, dV = 0;
        for (let j = 0; j < n; j++) {
          const g = dLdS[i * n + j], r = y[j * dy + k] - mu;
          dMu += g * r * p;
          dV += g * (-0.5 + 0.5 * r * r * p);
        }
        dOut[i * 2 * dy + k] = dMu;
        dOut[i * 2 * dy + dy + k] = dV;
      }
    }
    towerBackward(st.towers[0], dOut, grad);
    return { scores: st.scores, grad };
  }
  if (layout.kind === 'joint') {
    towerBackward(st.towers[0], Float64Array.from(dLdS), grad);
    return { scores: st.scores, grad };
  }
  const e = layout.embed;
  const f = st.towers[0][2].output, g = st.towers[1][2].output;
  const df = new Float64Array(n * e), dg = new Float64Array(n * e);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const s = dLdS[i * n + j];
      for (let k = 0; k < e; k++) { df[i * e + k] += s * g[j * e + k]; dg[j * e + k] += s * f[i * e + k]; }
    }
  }
  towerBackward(st.towers[0], df, grad);
  towerBackward(st.towers[1], dg, grad);
  return { scores: st.scores, grad };
}

/**
 * The auxiliary outputs (length n) of a layout with `aux`, and, given dL/dAux, their parameter
 * gradient (added to `grad` when given): FLO's u(x_i, y_i) through its tower on the pairs
 * [x_i; y_i]; DoE's log p(y_j) = Σ_k −½ log 2π − ½ s_k − (y_jk − m_k)² / (2 e^(s_k)).
 */
export function referenceAux(
  layout: CriticLayout, params: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, n: number,
  dLdAux?: ArrayLike<number>, grad?: Float64Array,
): Float64Array {
  const a = layout.aux;
  if (!a) throw new Error('reference: the layout has no auxiliary network');
  const d = layout.dim, dy = layout.dimY;
  if (a.kind === 'u') {
    const pairs = new Float64Array(n * (d + dy));
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) pairs[i * (d + dy) + c] = x[i * d + c];
      for (let c = 0; c < dy; c++) pairs[i * (d + dy) + d + c] = y[i * dy + c];
    }
    const caches = towerForward(params, a.tower, pairs, n, a.tower.map(() => undefined));
    if (dLdAux && grad) towerBackward(caches, Float64Array.from(dLdAux), grad);
    return Float64Array.from(caches[2].output);
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < dy; k++) {
      const m = params[a.mean.offset + k], v = params[a.logVar.offset + k], r = y[j * dy + k] - m;
      s += -0.5 * Math.log(2 * Math.PI) - 0.5 * v - (r * r) / (2 * Math.exp(v));
      if (dLdAux && grad) {
        grad[a.mean.offset + k] += dLdAux[j] * r * Math.exp(-v);
        grad[a.logVar.offset + k] += dLdAux[j] * (-0.5 + 0.5 * r * r * Math.exp(-v));
      }
    }
    out[j] = s;
  }
  return out;
}

/** Adam state for the reference (float64). */
export interface ReferenceAdamState {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

export function referenceAdamInit(size: number): ReferenceAdamState {
  return { m: new Float64Array(size), v: new Float64Array(size), t: 0 };
}

/** One torch.optim.Adam step in place: p −= (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps). */
export function referenceAdamStep(params: Float64Array, grad: ArrayLike<number>, state: ReferenceAdamState, adam: AdamConfig): void {
  state.t += 1;
  const bc1 = 1 - adam.beta1 ** state.t, bc2 = 1 - adam.beta2 ** state.t;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    state.m[i] = adam.beta1 * state.m[i] + (1 - adam.beta1) * g;
    state.v[i] = adam.beta2 * state.v[i] + (1 - adam.beta2) * g * g;
    params[i] -= (adam.lr / bc1) * state.m[i] / (Math.sqrt(state.v[i]) / Math.sqrt(bc2) + adam.eps);
  }
}

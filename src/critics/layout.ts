/**
 * Parameter layout of the critics, shared by every engine so that they can start from the
 * same flat Float32 vector and be compared step by step.
 *
 * Joint critic (Belghazi et al. 2018): T(x, y) = MLP([x; y]), (d_x + d_y) → h → h → 1, ReLU.
 * Separable critic (Oord et al. 2018): T(x, y) = f(x)·g(y), f: d_x → h → h → e, g: d_y → h → h → e.
 * d_x = `dim`; d_y = `dimY`, equal to `dim` unless a task says otherwise (the paper's tasks: 2d, d).
 * Two hidden layers of h = 256 (paper §A.3; not SMILE's mlp(layers=2), which builds three).
 *
 * Weights are stored [out, in] row-major (PyTorch's convention), each tensor followed by its
 * bias, in the order listed below. Initialisation: every weight and bias ~ U(−1/√fan_in,
 * 1/√fan_in) (Algorithm 1's first line, also torch.nn.Linear's default), drawn in layout order.
 */
import type { CriticKind } from '../types.js';
import type { Rng } from '../rng.js';

export interface TensorSlot {
  name: string;
  /** [out, in] for a weight, [out] for a bias. */
  shape: [number, number] | [number];
  offset: number;
  size: number;
  fanIn: number;
}

export interface LinearSlot {
  weight: TensorSlot;
  bias: TensorSlot;
  /** Spectrally normalised (MICE's last layer). */
  spectralNorm: boolean;
}

export type SpectralNormLayers = 'last' | 'all';

export interface CriticLayout {
  kind: CriticKind;
  /** Dimension of x. */
  dim: number;
  /** Dimension of y (= dim for the paper's tasks). */
  dimY: number;
  hidden: number;
  /** Output width of each tower's last layer (1 for joint). */
  embed: number;
  spectralNorm: boolean;
  /** Joint: one tower [l1, l2, l3]. Separable: towers f then g. */
  towers: LinearSlot[][];
  size: number;
}

export function criticLayout(
  kind: CriticKind, dim: number, hidden = 256, embed = 32, spectralNorm = false, dimY = dim,
  snLayers: SpectralNormLayers = 'last',
): CriticLayout {
  const snHidden = spectralNorm && snLayers === 'all';
  let offset = 0;
  const linear = (name: string, fanIn: number, out: number, sn: boolean): LinearSlot => {
    const weight: TensorSlot = { name: `${name}.weight`, shape: [out, fanIn], offset, size: out * fanIn, fanIn };
    offset += weight.size;
    const bias: TensorSlot = { name: `${name}.bias`, shape: [out], offset, size: out, fanIn };
    offset += bias.size;
    return { weight, bias, spectralNorm: sn };
  };
  const tower = (prefix: string, inDim: number, outDim: number): LinearSlot[] => [
    linear(`${prefix}.0`, inDim, hidden, snHidden),
    linear(`${prefix}.1`, hidden, hidden, snHidden),
    linear(`${prefix}.2`, hidden, outDim, spectralNorm),
  ];
  const towers = kind === 'joint'
    ? [tower('t', dim + dimY, 1)]
    : [tower('f', dim, embed), tower('g', dimY, embed)];
  return { kind, dim, dimY, hidden, embed: kind === 'joint' ? 1 : embed, spectralNorm, towers, size: offset };
}

/** Flat initial parameters, U(−1/√fan_in, 1/√fan_in), drawn in layout order from `rng`. */
export function initParams(layout: CriticLayout, rng: Rng): Float32Array {
  const p = new Float32Array(layout.size);
  for (const tower of layout.towers) {
    for (const l of tower) {
      for (const t of [l.weight, l.bias]) {
        const b = 1 / Math.sqrt(t.fanIn);
        for (let i = 0; i < t.size; i++) p[t.offset + i] = rng.range(-b, b);
      }
    }
  }
  return p;
}

/** Initial power-iteration vectors u (length out) for each spectrally normalised layer, in layout order. */
export function initSpectralU(layout: CriticLayout, rng: Rng): Float32Array[] {
  const us: Float32Array[] = [];
  for (const tower of layout.towers) {
    for (const l of tower) {
      if (!l.spectralNorm) continue;
      const out = l.weight.shape[0];
      const u = new Float32Array(out);
      let s = 0;
      for (let i = 0; i < out; i++) { u[i] = rng.normal(); s += u[i] * u[i]; }
      s = Math.sqrt(s) || 1;
      for (let i = 0; i < out; i++) u[i] /= s;
      us.push(u);
    }
  }
  return us;
}

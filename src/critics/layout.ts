/**
 * Parameter layout of the critics, shared by every engine so that they can start from the
 * same flat Float32 vector and be compared step by step.
 *
 * Joint critic (Belghazi et al. 2018): T(x, y) = MLP([x; y]), (d_x + d_y) → h → h → 1, ReLU.
 * Separable critic (Oord et al. 2018): T(x, y) = f(x)·g(y), f: d_x → h → h → e, g: d_y → h → h → e.
 * d_x = `dim`; d_y = `dimY`, equal to `dim` unless a task says otherwise (the paper's tasks: 2d, d).
 * Two hidden layers of h = 256 (paper §A.3; not SMILE's mlp(layers=2), which builds three).
 *
 * Variational critic (issue 22; Cheng et al. 2020's q_θ(y|x), torch-mist's conditional Gaussian):
 * q: d_x → h → h → 2·d_y, ReLU, whose output row for x_i is [μ_i, v_i], the mean and the
 * log-variance of a diagonal Gaussian q(y | x_i) (log-variance unconstrained, as torch-mist's
 * log-scale; CLUB's tanh would cap the variance at e^±1, below the Gaussian task's conditional
 * variance e^(−2I/d) at I/d > ½). Its scores are S[i][j] = log q(y_j | x_i)
 *   = Σ_k [ −½·log 2π − ½·v_ik − (y_jk − μ_ik)² / (2·e^(v_ik)) ].
 *
 * Auxiliary networks (`aux`, for the bounds that read more than S; after the critic's tensors,
 * so the critic's own initial weights are those of the same seed without them):
 *  - 'u' (FLO): u: [x; y] (d_x + d_y) → h → h → 1, ReLU, evaluated on the n positive pairs;
 *  - 'marginal' (DoE): a diagonal Gaussian p(y) with learned mean m and log-variance s (d_y each,
 *    initialised to 0: the standard normal, torch-mist's marginal), log p(y_j) for the n ys.
 *
 * Weights are stored [out, in] row-major (PyTorch's convention), each tensor followed by its
 * bias, in the order listed below. Initialisation: every weight and bias ~ U(−1/√fan_in,
 * 1/√fan_in) (Algorithm 1's first line, also torch.nn.Linear's default), drawn in layout order.
 */
import type { BoundAux, CriticKind } from '../types.js';
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

/** An auxiliary network's slots (see the header): FLO's u tower, or DoE's marginal Gaussian. */
export type AuxLayout =
  | { kind: 'u'; tower: LinearSlot[] }
  | { kind: 'marginal'; mean: TensorSlot; logVar: TensorSlot };

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
  /** Joint: one tower [l1, l2, l3]. Separable: towers f then g. Variational: one tower q. */
  towers: LinearSlot[][];
  /** The auxiliary network, after the towers (absent: none). */
  aux?: AuxLayout;
  size: number;
}

export function criticLayout(
  kind: CriticKind, dim: number, hidden = 256, embed = 32, spectralNorm = false, dimY = dim,
  snLayers: SpectralNormLayers = 'last', aux?: BoundAux,
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
  if (kind === 'variational') {
    const towers = [tower('q', dim, 2 * dimY)];
    return withAux({ kind, dim, dimY, hidden, embed: 2 * dimY, spectralNorm, towers, size: offset }, aux);
  }
  const towers = kind === 'joint'
    ? [tower('t', dim + dimY, 1)]
    : [tower('f', dim, embed), tower('g', dimY, embed)];
  const layout: CriticLayout = { kind, dim, dimY, hidden, embed: kind === 'joint' ? 1 : embed, spectralNorm, towers, size: offset };
  return aux ? withAux(layout, aux) : layout;
}

/** The layout with an auxiliary network appended after its tensors. */
function withAux(layout: CriticLayout, aux: BoundAux | undefined): CriticLayout {
  if (!aux) return layout;
  const { dim, dimY, hidden } = layout;
  let offset = layout.size;
  const tensor = (name: string, shape: [number, number] | [number], fanIn: number): TensorSlot => {
    const size = shape.length === 2 ? shape[0] * shape[1] : shape[0];
    const t: TensorSlot = { name, shape, offset, size, fanIn };
    offset += size;
    return t;
  };
  const linear = (name: string, fanIn: number, out: number): LinearSlot => ({
    weight: tensor(`${name}.weight`, [out, fanIn], fanIn), bias: tensor(`${name}.bias`, [out], fanIn), spectralNorm: false,
  });
  const a: AuxLayout = aux === 'u'
    ? { kind: 'u', tower: [linear('u.0', dim + dimY, hidden), linear('u.1', hidden, hidden), linear('u.2', hidden, 1)] }
    : { kind: 'marginal', mean: tensor('marginal.mean', [dimY], dimY), logVar: tensor('marginal.logVar', [dimY], dimY) };
  return { ...layout, aux: a, size: offset };
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
  // The auxiliary network after the critic's (a marginal starts at N(0, I): zeros, no draws).
  if (layout.aux?.kind === 'u') {
    for (const l of layout.aux.tower) {
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

/**
 * Network descriptions for the GAN experiment's current setup (docs/gan.md), shared by both GAN
 * engines (src/gan/wasm.ts, src/gan/tfjsNets.ts) so that they build the same networks from the
 * same flat parameter vector.
 *
 * A network is a chain of layers; layer l maps [n, inp] to [n, units]:
 *   Z = X·W (+ b)                       W stored [inp, units·pieces] row-major, so forward is
 *                                       an untransposed product; b only when the layer has no BN
 *   batch norm (training mode), γ, β     optional (PacGAN's generator: linear without bias → BN → ReLU)
 *   activation: relu | maxout | none     maxout takes the max over `pieces` column blocks of Z
 *                                       (column p·units + j is piece p of unit j)
 * Flat parameter layout, layer by layer: W, then b (if any), then γ, β (if BN).
 * The generator and discriminator follow PacGAN's 2D-grid configuration (fjxmlzn/PacGAN,
 * synthetic_data_experiments/2DGrid_GAN&PacGAN/pacgan_task.py): generator layers
 * Linear(no bias) → BatchNorm → ReLU, output Linear with bias; discriminator LinearMaxout layers,
 * output Linear. Their initialisation is PacGAN's too: weights N(0, std²), biases 0, γ = 1, β = 0.
 * The MI critic's towers use the project's convention, weights and biases U(−1/√fan_in, 1/√fan_in).
 */
import type { Rng } from '../rng.js';

export type GanActivation = 'relu' | 'maxout' | 'none';

export interface GanLayer {
  inp: number;
  units: number;
  /** Maxout pieces (1 for other activations). */
  pieces: number;
  batchNorm: boolean;
  act: GanActivation;
  /** Offsets (in floats) into the flat parameter vector; -1 when absent. */
  w: number;
  b: number;
  gamma: number;
  beta: number;
}

export interface GanNetDef {
  layers: GanLayer[];
  inp: number;
  out: number;
  /** Parameters in the flat vector. */
  size: number;
  /** Spectrally normalise the last layer's weight (MICE's critic towers). */
  spectralNormLast: boolean;
}

interface LayerSpec { units: number; pieces?: number; batchNorm?: boolean; act: GanActivation }

function build(inp: number, specs: LayerSpec[], spectralNormLast = false): GanNetDef {
  const layers: GanLayer[] = [];
  let off = 0;
  let width = inp;
  for (const s of specs) {
    const pieces = s.act === 'maxout' ? s.pieces ?? 1 : 1;
    if (s.act === 'maxout' && !(pieces >= 2)) throw new RangeError('maxout needs at least 2 pieces');
    const bn = s.batchNorm ?? false;
    const cols = s.units * pieces;
    const l: GanLayer = { inp: width, units: s.units, pieces, batchNorm: bn, act: s.act, w: off, b: -1, gamma: -1, beta: -1 };
    off += width * cols;
    if (!bn) { l.b = off; off += cols; }
    if (bn) { l.gamma = off; off += s.units; l.beta = off; off += s.units; }
    layers.push(l);
    width = s.units;
  }
  return { layers, inp, out: width, size: off, spectralNormLast };
}

/** Generator: inp → layers × [Linear(no bias) → BN → ReLU] → Linear(2) (or plain ReLU layers with biases when batchNorm is false). */
export function generatorDef(inp: number, hidden: number, layers: number, batchNorm: boolean, out = 2): GanNetDef {
  const specs: LayerSpec[] = [];
  for (let l = 0; l < layers; l++) specs.push({ units: hidden, batchNorm, act: 'relu' });
  specs.push({ units: out, act: 'none' });
  return build(inp, specs);
}

/** Discriminator: 2 → layers × LinearMaxout(hidden, pieces) → Linear(1) (ReLU layers when pieces is 1). */
export function discriminatorDef(hidden: number, layers: number, pieces: number, inp = 2): GanNetDef {
  const specs: LayerSpec[] = [];
  for (let l = 0; l < layers; l++) specs.push(pieces > 1 ? { units: hidden, pieces, act: 'maxout' } : { units: hidden, act: 'relu' });
  specs.push({ units: 1, act: 'none' });
  return build(inp, specs);
}

/** A plain MLP tower: inp → hidden (ReLU) → … → out (linear), biases everywhere. */
export function towerDef(inp: number, hidden: number[], out: number, spectralNormLast: boolean): GanNetDef {
  return build(inp, [...hidden.map((units): LayerSpec => ({ units, act: 'relu' })), { units: out, act: 'none' }], spectralNormLast);
}

export type GanInit = { kind: 'normal'; std: number } | { kind: 'fanIn' };

/** Draw a network's parameters from `rng`, layer by layer in layout order. */
export function initNet(def: GanNetDef, rng: Rng, init: GanInit): Float32Array {
  const p = new Float32Array(def.size);
  for (const l of def.layers) {
    const nw = l.inp * l.units * l.pieces;
    const bound = 1 / Math.sqrt(l.inp);
    for (let i = 0; i < nw; i++) p[l.w + i] = init.kind === 'normal' ? init.std * rng.normal() : rng.range(-bound, bound);
    if (l.b >= 0) for (let i = 0; i < l.units * l.pieces; i++) p[l.b + i] = init.kind === 'normal' ? 0 : rng.range(-bound, bound);
    if (l.gamma >= 0) p.fill(1, l.gamma, l.gamma + l.units);
    if (l.beta >= 0) p.fill(0, l.beta, l.beta + l.units);
  }
  return p;
}

/** The persistent power-iteration vector of a spectrally normalised last layer (length = its inp: the iteration runs on the stored [inp, units] array, i.e. on Wᵀ). */
export function initSpectralVector(def: GanNetDef, rng: Rng): Float64Array | undefined {
  if (!def.spectralNormLast) return undefined;
  const inp = def.layers[def.layers.length - 1].inp;
  const u = new Float64Array(inp);
  let s = 0;
  for (let i = 0; i < inp; i++) { u[i] = rng.normal(); s += u[i] * u[i]; }
  s = Math.sqrt(s) || 1;
  for (let i = 0; i < inp; i++) u[i] /= s;
  return u;
}

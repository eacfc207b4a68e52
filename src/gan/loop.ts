/**
 * Training loop of the 'grid' setup (src/gan/setup.ts), engine-agnostic (src/gan/engine.ts).
 * Paper §5.3, eq. 20–21, D the discriminator, G the generator, C the code, I an MI estimate:
 *   L_D = E_P[log D(X)] + E_Z[log(1 − D(G(Z)))]              (eq. 20, D ascends)
 *   L_G = E_Z[log(1 − D(G(Z, C)))] − β·I(G(Z, C); C)         (eq. 21, G descends)
 * with the non-saturating −log D(G) in L_G (Goodfellow et al. 2014 §3), softplus on logits.
 *
 * One step t (learning rates scaled by the schedule's factor at t):
 *  1. a real batch and a latent batch z = [ε, code]; x̃ = G(z); D descends
 *     softplus(−D(x)) + softplus(D(x̃)) on the 2n rows [x; x̃] (one pass: D has no batch norm);
 *  2. against the updated D, G descends softplus(−D(x̃)) − β·objective, the MI term through the
 *     statistics network T(x, c) = f(x)·g(c): S[i][j] = T(x̃_i, c_j) (diagonal = joint pairs), the
 *     shared bound (src/bounds) returns dObjective/dS, and ∂/∂x̃ of ⟨S, dObjective/dS⟩ is the
 *     vector–Jacobian product that reaches G; the critic ascends the objective on the same S
 *     (both gradients from one backward pass when the options agree);
 *  3. Adam for D, G and the critic; the EMA of G's weights.
 * The generator's MI gradient always uses the whole bound (for MICE: miceBlockPartition false,
 * as in src/gan/train.ts: G moves both the joint and the marginal samples).
 * Every random number comes from seeded streams keyed by the seed (data, noise, G/D
 * initialisation, critic initialisation, evaluation), so the variants at one seed share data,
 * noise and G's and D's initial weights: seeds pair the variants.
 */
import type { BoundDefinition, BoundOptions, BoundState, GanResult, GanSpec } from '../types.js';
import { getBound } from '../bounds/index.js';
import { Rng } from '../rng.js';
import { DEFAULT_GAN_MICE_BLOCK_PARTITION } from './config.js';
import { GRID_MEANS, sampleGrid } from './data.js';
import type { GanEngine, GanNet } from './engine.js';
import { countModes, DEFAULT_MIN_PER_MODE } from './modes.js';
import { discriminatorDef, generatorDef, initNet, initSpectralVector, towerDef } from './nets.js';
import { lrFactor, type GridSetup } from './setup.js';

export const CATEGORIES = GRID_MEANS.length;
export const CONTINUOUS_CODE_DIM = 2;
export const EVAL_SAMPLES = 2500;
export const KEEP_SAMPLES = 1000;

export type GanCode = 'continuous' | 'categorical';

/** Width of the code as the networks see it (the categorical code is one-hot). */
export const codeWidth = (code: GanCode): number => (code === 'categorical' ? CATEGORIES : CONTINUOUS_CODE_DIM);

export interface GridGan {
  engine: GanEngine;
  setup: GridSetup;
  code: GanCode;
  beta: number;
  gen: GanNet;
  disc: GanNet;
  critX?: GanNet;
  critC?: GanNet;
  bound?: BoundDefinition;
  boundOptions: BoundOptions;
  /** The generator's options when they differ from the critic's (MICE with the blocked partition gradient). */
  genBoundOptions?: BoundOptions;
  boundState?: BoundState;
  dataRng: Rng;
  noiseRng: Rng;
  t: number;
}

export interface GridStepLog { lossD: number; lossG: number; mi: number }

/** A latent batch: z = [ε, code] [n, noiseDim + codeWidth], and the code as the critic sees it [n, codeWidth]. */
export interface GridLatent { z: Float32Array; c: Float32Array; n: number }

export function sampleLatent(g: Pick<GridGan, 'setup' | 'code'>, rng: Rng, n: number): GridLatent {
  const e = g.setup.noiseDim, w = codeWidth(g.code);
  const z = new Float32Array(n * (e + w));
  const c = new Float32Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < e; k++) z[i * (e + w) + k] = rng.uniform();
    if (g.code === 'categorical') {
      const k = Math.min(CATEGORIES - 1, Math.floor(rng.uniform() * CATEGORIES));
      c[i * w + k] = 1;
    } else {
      for (let k = 0; k < w; k++) c[i * w + k] = rng.uniform();
    }
    z.set(c.subarray(i * w, (i + 1) * w), i * (e + w) + e);
  }
  return { z, c, n };
}

export interface GridGanOptions {
  variant: GanSpec['variant'];
  seed: number;
  beta: number;
  code: GanCode;
  boundOptions?: BoundOptions;
}

export function createGridGan(engine: GanEngine, setup: GridSetup, o: GridGanOptions): GridGan {
  const adam = { beta1: setup.adamBeta1, beta2: setup.adamBeta2, eps: 1e-8 };
  // G's input width depends on the code; D does not, so D starts identical across codes too.
  const dInit = new Rng(['gan-grid-init-d', o.seed]);
  const gInit = new Rng(['gan-grid-init-g', o.code, o.seed]);
  const init = setup.initStd > 0 ? { kind: 'normal', std: setup.initStd } as const : { kind: 'fanIn' } as const;
  const gDef = generatorDef(setup.noiseDim + codeWidth(o.code), setup.genHidden, setup.genLayers, setup.genBatchNorm);
  const dDef = discriminatorDef(setup.discHidden, setup.discLayers, setup.maxoutPieces);
  const g: GridGan = {
    engine, setup, code: o.code, beta: o.variant === 'vanilla' ? 0 : o.beta,
    gen: engine.createNet(gDef, initNet(gDef, gInit, init), { adam, ema: setup.emaDecay > 0 }),
    disc: engine.createNet(dDef, initNet(dDef, dInit, init), { adam }),
    boundOptions: { ...(o.boundOptions ?? {}) },
    dataRng: new Rng(['gan-data', o.seed]),
    noiseRng: new Rng(['gan-noise', o.code, o.seed]),
    t: 0,
  };
  if (o.variant !== 'vanilla') {
    const rng = new Rng(['gan-grid-critic', o.code, o.seed]);
    const sn = o.variant === 'mice';
    const h = [setup.critHidden, setup.critHidden];
    const fx = towerDef(2, h, setup.critEmbed, sn), fc = towerDef(codeWidth(o.code), h, setup.critEmbed, sn);
    const px = initNet(fx, rng, { kind: 'fanIn' }), pc = initNet(fc, rng, { kind: 'fanIn' });
    const ux = initSpectralVector(fx, rng), uc = initSpectralVector(fc, rng);
    g.critX = engine.createNet(fx, px, { adam, ...(ux ? { spectralU: ux } : {}) });
    g.critC = engine.createNet(fc, pc, { adam, ...(uc ? { spectralU: uc } : {}) });
    g.bound = getBound(o.variant);
    if (o.variant === 'mice') {
      // The GAN's default MICE reading trains the critic on the whole value (docs/gan.md).
      g.boundOptions = { miceBlockPartition: DEFAULT_GAN_MICE_BLOCK_PARTITION, ...g.boundOptions };
      if (g.boundOptions.miceBlockPartition) g.genBoundOptions = { ...g.boundOptions, miceBlockPartition: false };
    }
  }
  return g;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** softplus(v) = log(1 + e^v), stable for large |v|. */
const softplus = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));

/** Scores S = f(x)·g(c)ᵀ [n, n] and the tower outputs. */
function criticScores(g: GridGan, x: Float32Array, c: Float32Array, n: number): { S: Float32Array; F: Float32Array; C: Float32Array } {
  const e = g.setup.critEmbed;
  const F = Float32Array.from(g.critX!.forward(x, n));
  const C = Float32Array.from(g.critC!.forward(c, n));
  return { S: g.engine.matmul(F, C, n, e, n, false, true), F, C };
}

/**
 * Backward through S = F·Cᵀ for dS (= ∂L/∂S): parameter gradients of both towers when `params`,
 * and ∂L/∂x when `input`.
 */
function criticBackward(g: GridGan, dS: Float32Array, F: Float32Array, C: Float32Array, n: number, o: { params: boolean; input: boolean }): Float32Array | undefined {
  const e = g.setup.critEmbed;
  const dF = g.engine.matmul(dS, C, n, n, e, false, false);
  const dx = g.critX!.backward(dF, o);
  if (o.params) g.critC!.backward(g.engine.matmul(dS, F, n, n, e, true, false), { params: true, input: false });
  return dx;
}

/**
 * The MI term on a generated batch: ∂(−β·objective)/∂x̃ under the generator's bound options
 * (what G's backward pass receives), the estimate, the bound's next state; with `trainCritic`
 * also the critic's parameter gradient of −objective (stored in the towers, for Adam).
 */
function miTerm(g: GridGan, fake: Float32Array, c: Float32Array, n: number, trainCritic: boolean): { dx: Float32Array; mi: number; state?: BoundState } {
  const { S, F, C } = criticScores(g, fake, c, n);
  const out = g.bound!.evaluate(S, n, g.boundOptions, g.boundState);
  const neg = (grad: ArrayLike<number>) => { const d = new Float32Array(n * n); for (let q = 0; q < d.length; q++) d[q] = -grad[q]; return d; };
  let dxMi: Float32Array;
  if (!g.genBoundOptions) {
    // One pass: the critic's loss −objective and the generator's −β·objective share dS.
    dxMi = criticBackward(g, neg(out.grad), F, C, n, { params: trainCritic, input: true })!;
  } else {
    if (trainCritic) criticBackward(g, neg(out.grad), F, C, n, { params: true, input: false });
    const genGrad = g.bound!.evaluate(S, n, g.genBoundOptions, g.boundState).grad;
    dxMi = criticBackward(g, neg(genGrad), F, C, n, { params: false, input: true })!;
  }
  for (let q = 0; q < dxMi.length; q++) dxMi[q] *= g.beta;
  return { dx: dxMi, mi: out.estimate, ...(out.state ? { state: out.state } : {}) };
}

/** One training step (see the file header). */
export function gridTrainStep(g: GridGan): GridStepLog {
  const { setup } = g;
  const n = setup.batchSize;
  const f = lrFactor(setup.schedule, g.t, setup.steps);
  g.t += 1;
  const real = sampleGrid(g.dataRng, n, undefined);
  for (let i = 0; i < real.length; i++) real[i] /= setup.scale;
  const lat = sampleLatent(g, g.noiseRng, n);
  const fake = Float32Array.from(g.gen.forward(lat.z, n));

  // 1. Discriminator on [real; fake].
  const both = new Float32Array(4 * n);
  both.set(real, 0);
  both.set(fake, 2 * n);
  const logits = g.disc.forward(both, 2 * n);
  const dl = new Float32Array(2 * n);
  let lossD = 0;
  for (let i = 0; i < n; i++) {
    const lr = logits[i], lf = logits[n + i];
    lossD += (softplus(-lr) + softplus(lf)) / n;
    dl[i] = -sigmoid(-lr) / n;
    dl[n + i] = sigmoid(lf) / n;
  }
  g.disc.backward(dl, { params: true, input: false });
  g.disc.adam(setup.lrD * f);

  // 2. Generator against the updated D, plus the MI term.
  const lg = g.disc.forward(fake, n);
  const dlg = new Float32Array(n);
  let lossG = 0;
  for (let i = 0; i < n; i++) { lossG += softplus(-lg[i]) / n; dlg[i] = -sigmoid(-lg[i]) / n; }
  const dx = g.disc.backward(dlg, { params: false, input: true })!;
  let mi = NaN;
  if (g.bound && g.critX && g.critC) {
    g.critX.refreshSpectralNorm();
    g.critC.refreshSpectralNorm();
    const term = miTerm(g, fake, lat.c, n, true);
    for (let q = 0; q < dx.length; q++) dx[q] += term.dx[q];
    mi = term.mi;
    g.critX.adam(setup.lrCritic * f);
    g.critC.adam(setup.lrCritic * f);
    if (term.state) g.boundState = term.state;
  }
  g.gen.backward(dx, { params: true, input: false });
  g.gen.adam(setup.lrG * f);
  if (setup.emaDecay > 0) g.gen.updateEma(setup.emaDecay);
  return { lossD, lossG, mi };
}

/** Generated points in data units for a latent batch (the EMA weights when the setup keeps them). */
export function gridGenerate(g: GridGan, lat: GridLatent): Float32Array {
  const out = Float32Array.from(g.gen.forward(lat.z, lat.n, { ema: g.setup.emaDecay > 0 }));
  for (let i = 0; i < out.length; i++) out[i] *= g.setup.scale;
  return out;
}

/**
 * The value whose gradient the generator's MI term follows on one latent batch (the bound's
 * objective under the generator's options), for the finite-difference test. Runs the critic's
 * forward pass only (the spectral norm's u, v as last refreshed).
 */
export function gridGeneratorMiObjective(g: GridGan, lat: GridLatent): number {
  if (!g.bound) return 0;
  const fake = Float32Array.from(g.gen.forward(lat.z, lat.n));
  const { S } = criticScores(g, fake, lat.c, lat.n);
  return g.bound.evaluate(S, lat.n, g.genBoundOptions ?? g.boundOptions, g.boundState).objective;
}

/**
 * ∂(−β·objective)/∂θ_G on one latent batch, the MI part of the generator's gradient alone (no
 * adversarial term, no update of anything), for the finite-difference test. Call after
 * refreshing the critic's spectral norm (as a training step does).
 */
export function gridGeneratorMiGrad(g: GridGan, lat: GridLatent): Float32Array {
  const fake = Float32Array.from(g.gen.forward(lat.z, lat.n));
  const dx = g.bound ? miTerm(g, fake, lat.c, lat.n, false).dx : new Float32Array(fake.length);
  g.gen.backward(dx, { params: true, input: false });
  return g.gen.grads();
}

export interface GridRunOptions {
  onProgress?: (p: { step: number; steps: number } & GridStepLog) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

/** Train and evaluate one 'grid' GAN; the caller made the engine and owns it. */
export function runGridGan(engine: GanEngine, spec: GanSpec, setup: GridSetup, options: GridRunOptions = {}): Omit<GanResult, 'spec'> {
  const code: GanCode = spec.code ?? 'continuous';
  const boundOptions: BoundOptions = {};
  if (spec.variant === 'mice') {
    if (spec.miceBlockPartition !== undefined) boundOptions.miceBlockPartition = spec.miceBlockPartition;
    if (spec.miceForm !== undefined) boundOptions.miceForm = spec.miceForm;
  }
  if (spec.variant === 'smile') boundOptions.tau = spec.tau ?? 1;
  const t0 = performance.now();
  const g = createGridGan(engine, setup, { variant: spec.variant, seed: spec.seed, beta: spec.beta, code, boundOptions });
  const evalLat = sampleLatent(g, new Rng(['gan-eval', code, spec.seed]), EVAL_SAMPLES);
  const curve = { step: [] as number[], modes: [] as number[], highQuality: [] as number[] };
  const evalEvery = Math.max(1, Math.floor(setup.steps / 10));
  const miTail: number[] = [];
  const tailFrom = setup.steps - Math.max(1, Math.floor(setup.steps / 10));
  const every = options.progressEvery ?? 100;
  let trainMs = 0;
  for (let step = 0; step < setup.steps; step++) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    const ts = performance.now();
    const log = gridTrainStep(g);
    trainMs += performance.now() - ts;
    if (step >= tailFrom && Number.isFinite(log.mi)) miTail.push(log.mi);
    if ((step + 1) % evalEvery === 0 && step + 1 < setup.steps) {
      const m = countModes(gridGenerate(g, evalLat), { minPerMode: DEFAULT_MIN_PER_MODE });
      curve.step.push(step + 1); curve.modes.push(m.modes); curve.highQuality.push(m.highQuality);
    }
    if (options.onProgress && ((step + 1) % every === 0 || step + 1 === setup.steps)) options.onProgress({ step: step + 1, steps: setup.steps, ...log });
  }
  const gen = gridGenerate(g, evalLat);
  const { modes, highQuality, perMode } = countModes(gen, { minPerMode: DEFAULT_MIN_PER_MODE });
  curve.step.push(setup.steps); curve.modes.push(modes); curve.highQuality.push(highQuality);
  const samples: [number, number][] = [];
  for (let i = 0; i < Math.min(KEEP_SAMPLES, EVAL_SAMPLES); i++) samples.push([round4(gen[2 * i]), round4(gen[2 * i + 1])]);
  const result: Omit<GanResult, 'spec'> = {
    variant: spec.variant, seed: spec.seed, engine: engine.name, backend: engine.backend,
    modes, highQuality, perMode, curve,
    wallMs: Math.round(performance.now() - t0), samples,
    msPerStep: setup.steps > 0 ? trainMs / setup.steps : 0,
  };
  if (miTail.length > 0) result.miEstimate = miTail.reduce((a, b) => a + b, 0) / miTail.length;
  return result;
}

const round4 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v);

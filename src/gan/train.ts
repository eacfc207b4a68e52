/**
 * GAN training with an optional MI regulariser (paper §5.3, eq. 20–21):
 *   L_D = E_P[log D(X)] + E_Z[log(1 − D(G(Z)))]                 (eq. 20, D ascends it)
 *   L_G = E_Z[log(1 − D(G(Z)))] − β·I(G(Z, C); C)               (eq. 21, G descends it)
 * We use the non-saturating form −E[log D(G(Z))] for the adversarial part of L_G (Goodfellow
 * et al. 2014, §3; the saturating form stalls early in training), with logits and softplus.
 *
 * The MI term is estimated by the project's shared bounds (src/bounds), never re-written here:
 * the statistics network gives the n×n score matrix S[i][j] = T(G(z_i, c_i), c_j) (diagonal =
 * joint pairs), the bound returns dObjective/dS, and tfjs backpropagates it as a vector–Jacobian
 * product: the gradient of ⟨S, const(dObjective/dS)⟩ w.r.t. the generator's and the critic's
 * variables. The generator ascends β·objective, the critic ascends the objective. For MICE the
 * critic's last layers are spectrally normalised (one power-iteration step per update); for MINE
 * the bound's moving-average state is carried from step to step.
 *
 * One step: (1) D on a real batch and a fake batch; (2) G on the same z, c against the updated D,
 * plus −β·I; (3) the critic on the same generated batch (held fixed) and the same dObjective/dS.
 * Every random number comes from seeded Rng streams (data, noise, init), so a run is a pure
 * function of its spec on a given backend.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Tf } from '../engine/tfjs/backends.js';
import type { BoundDefinition, BoundOptions, BoundState, GanVariant } from '../types.js';
import { getBound } from '../bounds/index.js';
import { Rng } from '../rng.js';
import { DEFAULT_GAN_MICE_BLOCK_PARTITION, type GanConfig } from './config.js';
import { sampleGrid, sampleUniform } from './data.js';
import { createMlp, disposeMlp, forward, matMulFast, refreshSpectralNorm, variables, type Mlp } from './mlp.js';

type Tensor = TfCore.Tensor;
type Variable = TfCore.Variable;
type Optimizer = TfCore.Optimizer;

export interface GanModel {
  tf: Tf;
  cfg: GanConfig;
  variant: GanVariant;
  beta: number;
  gen: Mlp;
  disc: Mlp;
  /** Statistics network towers f(x), g(c) (mine/mice only). */
  critX?: Mlp;
  critC?: Mlp;
  bound?: BoundDefinition;
  /** Options of the critic's update (the bound's defaults). */
  boundOptions: BoundOptions;
  /**
   * Options of the generator's MI gradient when they differ from the critic's. MICE blocks the
   * partition function's gradient in the critic's update (Algorithm 1); the generator, though,
   * moves both the joint and the marginal samples and descends L_G − β·I_MICE (eq. 21), so it
   * takes the gradient of the whole DV expression (miceBlockPartition: false). With the blocked
   * gradient the generator only raises T on its joint pairs, which T's unbounded growth lets it
   * do forever: the run diverges (measured: scores of −1e16 within 500 steps).
   */
  genBoundOptions?: BoundOptions;
  boundState?: BoundState;
  optG: Optimizer;
  optD: Optimizer;
  optT?: Optimizer;
  dataRng: Rng;
  noiseRng: Rng;
}

export interface StepLog {
  lossD: number;
  lossG: number;
  /** The bound's MI estimate on this batch (NaN for vanilla). */
  mi: number;
}

/**
 * Build the networks. Generator and discriminator weights come from one stream keyed by the seed
 * only, so vanilla, +MINE and +MICE at one seed start from identical G and D (paired runs); the
 * critic has its own stream. Data and noise streams are shared by the variants too.
 */
export function createGan(tf: Tf, cfg: GanConfig, variant: GanVariant, seed: number, beta: number, criticOptions: BoundOptions = {}): GanModel {
  const gdRng = new Rng(['gan-init', seed]);
  const gen = createMlp(tf, gdRng, [cfg.noiseDim + cfg.codeDim, cfg.genHidden, cfg.genHidden, 2], 'relu');
  const disc = createMlp(tf, gdRng, [2, cfg.discHidden, cfg.discHidden, 1], 'leakyRelu');
  const adam = (lr = cfg.lr) => tf.train.adam(lr, cfg.adamBeta1, 0.999);
  const m: GanModel = {
    tf, cfg, variant, beta, gen, disc, boundOptions: criticOptions,
    optG: adam(), optD: adam(cfg.discLr),
    dataRng: new Rng(['gan-data', seed]),
    noiseRng: new Rng(['gan-noise', seed]),
  };
  if (variant !== 'vanilla') {
    const critRng = new Rng(['gan-critic', seed]);
    const sn = variant === 'mice';
    m.critX = createMlp(tf, critRng, [2, cfg.critHidden, cfg.critHidden, cfg.critEmbed], 'relu', sn);
    m.critC = createMlp(tf, critRng, [cfg.codeDim, cfg.critHidden, cfg.critHidden, cfg.critEmbed], 'relu', sn);
    m.bound = getBound(variant);
    if (variant === 'mice') {
      m.boundOptions = { miceBlockPartition: DEFAULT_GAN_MICE_BLOCK_PARTITION, ...criticOptions };
      if (m.boundOptions.miceBlockPartition) m.genBoundOptions = { ...m.boundOptions, miceBlockPartition: false };
    }
    m.optT = adam();
  }
  return m;
}

export function disposeGan(m: GanModel): void {
  const { tf } = m;
  for (const net of [m.gen, m.disc, m.critX, m.critC]) if (net) disposeMlp(tf, net);
  for (const opt of [m.optG, m.optD, m.optT]) opt?.dispose();
}

/** A batch of generator inputs: z = [ε, c] as an [n, noiseDim + codeDim] array, and c alone. */
export interface Latent { z: Float32Array; c: Float32Array; n: number }

export function sampleLatent(m: GanModel, n: number, rng = m.noiseRng): Latent {
  const { noiseDim, codeDim } = m.cfg;
  const eps = sampleUniform(rng, n, noiseDim);
  const c = sampleUniform(rng, n, codeDim);
  const z = new Float32Array(n * (noiseDim + codeDim));
  for (let i = 0; i < n; i++) {
    z.set(eps.subarray(i * noiseDim, (i + 1) * noiseDim), i * (noiseDim + codeDim));
    z.set(c.subarray(i * codeDim, (i + 1) * codeDim), i * (noiseDim + codeDim) + noiseDim);
  }
  return { z, c, n };
}

const width = (m: GanModel) => m.cfg.noiseDim + m.cfg.codeDim;

/** The generator's raw output (network units: data / cfg.scale), flat [n, 2]. */
function generateNet(m: GanModel, lat: Latent): Float32Array {
  const { tf } = m;
  const x = tf.tidy(() => forward(tf, m.gen, tf.tensor2d(lat.z, [lat.n, width(m)])));
  const out = x.dataSync() as Float32Array;
  x.dispose();
  return out;
}

/** Generated points for a latent batch in data units, as a flat [n, 2] array. */
export function generate(m: GanModel, lat: Latent): Float32Array {
  return generateNet(m, lat).map((v) => v * m.cfg.scale);
}

/** A target batch in network units. */
function realBatch(m: GanModel, n: number): Float32Array {
  return sampleGrid(m.dataRng, n, m.cfg.sigma).map((v) => v / m.cfg.scale);
}

/** Score matrix S = f(x)·g(c)ᵀ, S[i][j] = T(x_i, c_j). */
function scores(m: GanModel, x: Tensor, c: Tensor): Tensor {
  return matMulFast(m.tf, forward(m.tf, m.critX!, x), m.tf.transpose(forward(m.tf, m.critC!, c)));
}

function namedGrads(grads: Record<string, Tensor>, vars: Variable[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const v of vars) out[v.name] = grads[v.name];
  return out;
}

export interface GeneratorGradOptions {
  /** Weight of the adversarial term (1 in training; 0 isolates the MI term, for tests). */
  adversarial: number;
}

/**
 * Gradient of the generator loss (adversarial·(−log D(G)) − β·⟨S, dObjective/dS⟩) w.r.t. the
 * generator's variables, on one latent batch. Also returns the bound's output, whose gradient the
 * critic step reuses. The caller disposes `grads`.
 */
export function generatorGrads(m: GanModel, lat: Latent, opts: GeneratorGradOptions = { adversarial: 1 }) {
  const { tf } = m;
  let boundOut: ReturnType<BoundDefinition['evaluate']> | undefined;
  let fake: Float32Array | undefined;
  let lossAdv = 0;
  const vars = variables(m.gen);
  const { value, grads } = tf.variableGrads(() => {
    const z = tf.tensor2d(lat.z, [lat.n, width(m)]);
    const x = forward(tf, m.gen, z);
    fake = x.dataSync() as Float32Array;
    const adv = tf.mean(tf.softplus(tf.neg(forward(tf, m.disc, x))));
    lossAdv = adv.dataSync()[0];
    let loss: Tensor = tf.mul(adv, opts.adversarial);
    if (m.bound) {
      const s = scores(m, x, tf.tensor2d(lat.c, [lat.n, m.cfg.codeDim]));
      const sv = s.dataSync();
      boundOut = m.bound.evaluate(sv, lat.n, m.boundOptions, m.boundState);
      const genGrad = m.genBoundOptions ? m.bound.evaluate(sv, lat.n, m.genBoundOptions, m.boundState).grad : boundOut.grad;
      const dS = tf.tensor2d(Float32Array.from(genGrad), [lat.n, lat.n]);
      // The VJP: ∂⟨S, dS⟩/∂θ = Σ_ij dObjective/dS_ij · ∂S_ij/∂θ = ∂objective/∂θ.
      loss = tf.sub(loss, tf.mul(tf.sum(tf.mul(s, dS)), m.beta));
    }
    return loss as TfCore.Scalar;
  }, vars);
  value.dispose();
  return { grads: namedGrads(grads, vars), boundOut, fake: fake!, lossAdv };
}

function discriminatorStep(m: GanModel, real: Float32Array, fake: Float32Array): number {
  const { tf } = m;
  const n = real.length / 2;
  return tf.tidy(() => {
    const xr = tf.tensor2d(real, [n, 2]);
    const xf = tf.tensor2d(fake, [fake.length / 2, 2]);
    const { value, grads } = tf.variableGrads(() => {
      const l = tf.add(tf.mean(tf.softplus(tf.neg(forward(tf, m.disc, xr)))), tf.mean(tf.softplus(forward(tf, m.disc, xf))));
      return l as TfCore.Scalar;
    }, variables(m.disc));
    m.optD.applyGradients(grads);
    return value.dataSync()[0];
  });
}

/** One training step (D, then G with the MI term, then the critic). */
export function trainStep(m: GanModel): StepLog {
  const { tf, cfg } = m;
  const n = cfg.batchSize;
  const realLast = realBatch(m, n);
  const lat = sampleLatent(m, n);

  // (1) Discriminator: minimise −L_D = softplus(−D(x)) + softplus(D(G(z))); `discSteps`
  // updates, the last one on this step's generator batch.
  let lossD = 0;
  for (let k = 0; k < cfg.discSteps; k++) {
    const real = k === cfg.discSteps - 1 ? realLast : realBatch(m, n);
    const fakeD = generateNet(m, k === cfg.discSteps - 1 ? lat : sampleLatent(m, n));
    lossD = discriminatorStep(m, real, fakeD);
  }

  // (2) Generator, with one power-iteration step for MICE's critic first.
  if (m.critX && m.critC) { refreshSpectralNorm(tf, m.critX); refreshSpectralNorm(tf, m.critC); }
  let mi = NaN;
  let lossG = 0;
  tf.tidy(() => {
    const g = generatorGrads(m, lat);
    lossG = g.lossAdv;
    m.optG.applyGradients(g.grads);
    if (!g.boundOut) return;
    mi = g.boundOut.estimate;
    // (3) Critic: ascend the bound's objective on the same (now fixed) generated batch.
    const dS = tf.tensor2d(Float32Array.from(g.boundOut.grad), [n, n]);
    const x = tf.tensor2d(g.fake, [n, 2]);
    const c = tf.tensor2d(lat.c, [n, cfg.codeDim]);
    const critVars = [...variables(m.critX!), ...variables(m.critC!)];
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.sum(tf.mul(scores(m, x, c), dS))) as TfCore.Scalar, critVars);
    value.dispose();
    m.optT!.applyGradients(grads);
    if (g.boundOut.state) m.boundState = g.boundOut.state;
  });
  return { lossD, lossG, mi };
}

/**
 * The value whose gradient the generator's MI term follows, for one latent batch: the bound's
 * objective under the generator's options (for MICE the full DV value, for MINE the linearised
 * objective at the current moving average). Used by the finite-difference test.
 */
export function generatorMiObjective(m: GanModel, lat: Latent): number {
  if (!m.bound) return 0;
  const { tf } = m;
  const s = tf.tidy(() => scores(m, forward(tf, m.gen, tf.tensor2d(lat.z, [lat.n, width(m)])), tf.tensor2d(lat.c, [lat.n, m.cfg.codeDim])));
  const sv = s.dataSync();
  s.dispose();
  return m.bound.evaluate(sv, lat.n, m.genBoundOptions ?? m.boundOptions, m.boundState).objective;
}

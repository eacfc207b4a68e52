/**
 * Named configurations of the GAN experiment (paper §5.3). The paper gives no architecture,
 * optimiser or budget, so these are ours; docs/gan.md says how each was chosen and what it
 * scores.
 *
 *  - 'v1' (a GanSpec without `setup`): the first configuration, tfjs only (src/gan/train.ts):
 *    G 10 → 128 → 128 → 2 (ReLU), D 2 → 256 → 256 → 1 (LeakyReLU), constant lr, 5 000 steps. Its vanilla GAN does not
 *    learn the grid (samples on the border of the square); kept so that its published cells
 *    (results/quick/) keep their meaning.
 *  - 'grid' (the headline): the same kind of small ReLU networks, G 8+code → 128 → 128 → 2 and
 *    D 2 → 256 → 256 → 1 (ReLU), batch 100, Adam β₁ = 0.5 with lr 1e-3 (G, critic) and 3e-3 (D),
 *    but the learning rate decays linearly to 0 over the run and the generator evaluated is an
 *    EMA of its weights (decay 0.99); 6 000 steps. Chosen by measurement (docs/gan.md: a constant
 *    rate and PacGAN's batch-normalised / maxout networks were tried and did worse or cost more).
 *    Runs on either GAN engine (src/gan/engine.ts).
 */
import type { GanSpec } from '../types.js';

export const GAN_SETUPS = ['v1', 'grid'] as const;
export type GanSetupName = (typeof GAN_SETUPS)[number];

export type LrSchedule = 'constant' | 'linear' | 'cosine';

export interface GridSetup {
  name: 'grid';
  batchSize: number;
  /** Generator input z = [ε, code]: ε ~ U(0, 1)^noiseDim. */
  noiseDim: number;
  genHidden: number;
  genLayers: number;
  /** Batch norm in the generator's hidden layers (PacGAN's choice); without it they are Linear + bias → ReLU. */
  genBatchNorm: boolean;
  discHidden: number;
  discLayers: number;
  maxoutPieces: number;
  /**
   * Initial weights of G and D: N(0, initStd²) with biases 0, BN γ = 1, β = 0 (PacGAN), or, with
   * initStd 0, the project's U(−1/√fan_in, 1/√fan_in) for weights and biases.
   */
  initStd: number;
  /** Statistics network towers f(x), g(c): → critHidden → critHidden → critEmbed. */
  critHidden: number;
  critEmbed: number;
  lrG: number;
  lrD: number;
  lrCritic: number;
  adamBeta1: number;
  adamBeta2: number;
  schedule: LrSchedule;
  /** Decay of the EMA of the generator's weights that is evaluated (0: evaluate the raw weights). */
  emaDecay: number;
  steps: number;
  /** The networks see data / scale. */
  scale: number;
}

export const GRID_SETUP: Readonly<GridSetup> = {
  name: 'grid',
  batchSize: 100,
  noiseDim: 8,
  genHidden: 128,
  genLayers: 2,
  genBatchNorm: false,
  discHidden: 256,
  discLayers: 2,
  maxoutPieces: 1,
  initStd: 0,
  critHidden: 64,
  critEmbed: 16,
  lrG: 1e-3,
  lrD: 3e-3,
  lrCritic: 1e-3,
  adamBeta1: 0.5,
  adamBeta2: 0.999,
  schedule: 'linear',
  emaDecay: 0.99,
  steps: 6000,
  scale: 4,
};

/** The learning-rate factor at step t of `steps` (t = 0 first). */
export function lrFactor(schedule: LrSchedule, t: number, steps: number): number {
  if (schedule === 'linear') return 1 - t / steps;
  if (schedule === 'cosine') return 0.5 * (1 + Math.cos((Math.PI * t) / steps));
  return 1;
}

/** The 'grid' setup with a spec's optional overrides applied. */
export function gridSetup(spec: GanSpec): GridSetup {
  return {
    ...GRID_SETUP,
    ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
    ...(spec.noiseDim !== undefined ? { noiseDim: spec.noiseDim } : {}),
    ...(spec.lr !== undefined ? { lrG: spec.lr, lrCritic: spec.lr } : {}),
    ...(spec.discLr !== undefined ? { lrD: spec.discLr } : {}),
    ...(spec.emaDecay !== undefined ? { emaDecay: spec.emaDecay } : {}),
    ...(spec.schedule !== undefined ? { schedule: spec.schedule } : {}),
    steps: spec.steps,
  };
}

/** β of eq. 21 when none is given for the 'grid' setup (docs/gan.md: the β scan). */
export const DEFAULT_GRID_BETA = 0.1;

export interface GridSpecOptions {
  steps?: number;
  beta?: number;
  backend?: GanSpec['backend'];
  engine?: NonNullable<GanSpec['engine']>;
  code?: 'continuous' | 'categorical';
  batchSize?: number;
  miceBlockPartition?: boolean;
  miceForm?: 'dv' | 'nwj';
  tau?: number;
  lr?: number;
  discLr?: number;
  emaDecay?: number;
  schedule?: LrSchedule;
}

/**
 * A 'grid' GanSpec with every field that equals its default left out (so specs, and the cells'
 * hashes, stay stable as options are added). Options that do not apply to the variant (β for
 * vanilla, MICE's reading for others, τ for non-SMILE) are dropped; β is 0 for vanilla.
 */
export function gridSpec(variant: GanSpec['variant'], seed: number, o: GridSpecOptions = {}): GanSpec {
  const s = GRID_SETUP;
  return {
    kind: 'gan', variant, seed, setup: 'grid',
    steps: o.steps ?? s.steps,
    beta: variant === 'vanilla' ? 0 : o.beta ?? DEFAULT_GRID_BETA,
    backend: o.backend ?? 'auto',
    ...(o.engine !== undefined && o.engine !== 'auto' ? { engine: o.engine } : {}),
    ...(o.code === 'categorical' ? { code: 'categorical' as const } : {}),
    ...(o.batchSize !== undefined && o.batchSize !== s.batchSize ? { batchSize: o.batchSize } : {}),
    ...(variant === 'mice' && o.miceBlockPartition === true ? { miceBlockPartition: true } : {}),
    ...(variant === 'mice' && o.miceForm === 'nwj' ? { miceForm: 'nwj' as const } : {}),
    ...(variant === 'smile' && o.tau !== undefined && o.tau !== 1 ? { tau: o.tau } : {}),
    ...(o.lr !== undefined && o.lr !== s.lrG ? { lr: o.lr } : {}),
    ...(o.discLr !== undefined && o.discLr !== s.lrD ? { discLr: o.discLr } : {}),
    ...(o.emaDecay !== undefined && o.emaDecay !== s.emaDecay ? { emaDecay: o.emaDecay } : {}),
    ...(o.schedule !== undefined && o.schedule !== s.schedule ? { schedule: o.schedule } : {}),
  };
}

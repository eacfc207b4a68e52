/**
 * The GAN experiment's fixed settings (paper §5.3; the paper gives no architecture, so these are
 * ours, chosen small enough for a CPU run of a few minutes and documented in docs/gan.md).
 */
import type { GanSpec, GanVariant } from '../types.js';
import { GRID_SIGMA } from './data.js';
import { DEFAULT_MIN_PER_MODE } from './modes.js';

export interface GanConfig {
  batchSize: number;
  /** Generator input z = [ε, c]: ε ~ U(0,1)^noiseDim (nuisance), c ~ U(0,1)^codeDim (the code). */
  noiseDim: number;
  codeDim: number;
  genHidden: number;
  discHidden: number;
  /** Statistics network T(x, c) = f(x)·g(c): towers → critHidden → critHidden → critEmbed. */
  critHidden: number;
  critEmbed: number;
  lr: number;
  /**
   * The discriminator's Adam learning rate. Higher than the generator's: an MLP learns the 25
   * narrow bumps of the target slowly (measured, D alone against uniform fakes, 2 000 steps:
   * loss 1.06 at 128 units and lr 1e-3, 0.71 at 256 units and lr 3e-3; chance is 1.39), and a
   * discriminator that cannot see the bumps gives the generator nothing to concentrate on.
   */
  discLr: number;
  /** Discriminator updates per generator update. */
  discSteps: number;
  /** Adam β₁ (0.5 is the usual GAN choice; β₂ = 0.999). */
  adamBeta1: number;
  sigma: number;
  /**
   * The networks see data / scale (the grid's ±4 becomes ±1) and the generator's output is
   * multiplied back. With U(−1/√fan_in, …) initialisation the first layer's ReLU kinks all lie
   * within about one unit of the origin, so on the raw ±4 grid the discriminator starts with
   * almost no resolution at the outer modes and needs thousands of steps just to move its biases
   * there; the usual fix (PacGAN divides the grid by 2√2) is this rescaling.
   */
  scale: number;
  evalSamples: number;
  minPerMode: number;
  /** Generated points kept in the result for the scatter plot. */
  keepSamples: number;
}

/**
 * The largest GAN batch the CLI accepts (32× the default). The statistics network scores every
 * pair of the batch, so memory and time grow as n²: at 8 192 one grid step takes ~20 s and 3 GB,
 * and at 16 384 the WebAssembly engine's 4 GiB memory cannot hold it.
 */
export const MAX_GAN_BATCH_SIZE = 4096;

export const GAN_DEFAULTS: Readonly<GanConfig> = {
  batchSize: 128,
  noiseDim: 8,
  codeDim: 2,
  genHidden: 128,
  discHidden: 256,
  critHidden: 64,
  critEmbed: 16,
  lr: 1e-3,
  discLr: 3e-3,
  discSteps: 1,
  adamBeta1: 0.5,
  sigma: GRID_SIGMA,
  scale: 4,
  evalSamples: 2500,
  minPerMode: DEFAULT_MIN_PER_MODE,
  keepSamples: 1000,
};

export const DEFAULT_GAN_STEPS = 5000;
/**
 * β of eq. 21. At β = 0.3–1 the MI term outweighs the adversarial one early on: the generator
 * spreads its mass uniformly over the plane (I_MICE ≈ 3.9 nats), the discriminator never
 * separates that from the grid and no mode forms (measured over 4 000 steps); at β = 0.03 the
 * term is too weak to matter. 0.1 is between; docs/gan.md has the runs.
 */
export const DEFAULT_GAN_BETA = 0.1;

/**
 * MICE's critic in the GAN trains on the whole DV value (partition gradient not blocked) unless
 * the spec asks for Algorithm 1's blocked gradient: with the block, nothing bounds the critic's
 * scores (only E_P[T] is pushed up, and only the last layer is normalised), so the scores grow
 * without limit and the estimate sinks (measured: −1e7 nats within 2 000 steps; docs/gan.md).
 */
export const DEFAULT_GAN_MICE_BLOCK_PARTITION = false;

export function ganConfig(spec: GanSpec): GanConfig {
  return {
    ...GAN_DEFAULTS,
    ...(spec.batchSize !== undefined ? { batchSize: spec.batchSize } : {}),
    ...(spec.noiseDim !== undefined ? { noiseDim: spec.noiseDim } : {}),
    ...(spec.codeDim !== undefined ? { codeDim: spec.codeDim } : {}),
  };
}

/** A spec with the defaults filled in (β is forced to 0 for vanilla: it has no MI term). */
export function ganSpec(variant: GanVariant, seed: number, over: Partial<Omit<GanSpec, 'kind' | 'variant' | 'seed'>> = {}): GanSpec {
  return {
    kind: 'gan',
    variant,
    seed,
    steps: over.steps ?? DEFAULT_GAN_STEPS,
    beta: variant === 'vanilla' ? 0 : over.beta ?? DEFAULT_GAN_BETA,
    backend: over.backend ?? 'auto',
    ...(over.batchSize !== undefined ? { batchSize: over.batchSize } : {}),
    ...(over.noiseDim !== undefined ? { noiseDim: over.noiseDim } : {}),
    ...(over.codeDim !== undefined ? { codeDim: over.codeDim } : {}),
    ...(variant === 'mice' && over.miceBlockPartition !== undefined ? { miceBlockPartition: over.miceBlockPartition } : {}),
  };
}

/**
 * The types every part of mi-harness shares. A cell is a plain JSON-serialisable spec; a
 * CellResult is what one trained critic yields. Bounds, engines, the pool, the cell store and
 * the report all meet here, so this file changes rarely and deliberately.
 */

export const ESTIMATORS = [
  'nwj', 'dv', 'mine', 'smile', 'infonce', 'js', 'tuba', 'mice', 'alpha-infonce', 'flatnce',
] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

export const CRITICS = ['joint', 'separable'] as const;
export type CriticKind = (typeof CRITICS)[number];

export const TASKS = ['gaussian', 'cubic'] as const;
export type TaskName = (typeof TASKS)[number];

export const ENGINES = ['auto', 'tfjs', 'wasm'] as const;
export type EngineChoice = (typeof ENGINES)[number];

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Options a bound may read; each bound documents the ones it uses. */
export interface BoundOptions {
  /** SMILE clip threshold τ; Infinity (or absent) means no clipping, i.e. DV. */
  tau?: number;
  /** α-InfoNCE interpolation weight α ∈ [0, 1]. */
  alpha?: number;
  /** MINE moving-average rate for the partition function (default 0.01). */
  emaRate?: number;
  /** MICE: which form to evaluate, 'dv' (Algorithm 1, default) or 'nwj' (eq. 14). */
  miceForm?: 'dv' | 'nwj';
  /** MICE: block the partition function's gradient (default true, the paper's method). */
  miceBlockPartition?: boolean;
}

/** Explicit state a bound carries between steps (MINE's moving average). JSON-friendly. */
export type BoundState = Record<string, number>;

/**
 * What a bound returns for an n×n score matrix S (row-major, S[i*n+j] = T(x_i, y_j);
 * the diagonal holds samples of the joint, the off-diagonal of the product of marginals).
 *  - estimate: the MI value the estimator reports for this batch (nats);
 *  - objective: the quantity training MAXIMISES (may differ from estimate: SMILE, JS, MICE);
 *  - grad: dObjective/dS, length n*n, row-major (the analytic gradient the engines backprop);
 *  - state: the bound's state after this step (only for stateful bounds).
 */
export interface BoundOutput {
  estimate: number;
  objective: number;
  grad: Float64Array;
  state?: BoundState;
}

export interface BoundDefinition {
  name: EstimatorName;
  /** True when the reported estimate is, in expectation, a lower bound on MI (NWJ, TUBA, InfoNCE, …). */
  lowerBound: boolean;
  /** Pure: same (scores, n, options, state) → same output. Never mutates its inputs. */
  evaluate(scores: ArrayLike<number>, n: number, options?: BoundOptions, state?: BoundState): BoundOutput;
}

/** One benchmark cell: everything needed to train one critic and nothing else. */
export interface CellSpec {
  estimator: EstimatorName;
  boundOptions: BoundOptions;
  critic: CriticKind;
  /** Spectrally normalise the critic's last layer(s). Default: true for MICE only. */
  spectralNorm: boolean;
  task: TaskName;
  /** The staircase of true MI values, nats. */
  mi: number[];
  stepsPerLevel: number;
  batchSize: number;
  dim: number;
  /** Within-batch AR(1) correlation ρ_batch (paper eq. 18–19); 0 = the standard benchmark. */
  batchRho: number | 'random';
  seed: number;
  hidden: number;
  embed: number;
  lr: number;
  engine: EngineChoice;
  backend: BackendChoice;
}

/** Statistics of one MI level, over the window documented in src/engine/levelStats.ts. */
export interface LevelStats {
  trueMi: number;
  /** Window over which the statistics are taken: steps [from, to) of the whole run. */
  window: [number, number];
  mean: number;
  bias: number;
  variance: number;
  mse: number;
  /** Share of finite window estimates strictly above the true MI. */
  violations: number;
  /** Count of non-finite (NaN/±Inf) estimates in the window: divergence, reported not thrown. */
  nonFinite: number;
}

export interface CellResult {
  spec: CellSpec;
  estimator: EstimatorName;
  critic: CriticKind;
  task: TaskName;
  seed: number;
  /** Engine and backend actually used (never 'auto'). */
  engine: 'tfjs' | 'wasm';
  backend: string;
  steps: number;
  msPerStep: number;
  wallMs: number;
  levels: LevelStats[];
  /** Downsampled trajectory: raw estimate and its EMA (rate 0.01) every `stride` steps. */
  trajectory: { stride: number; step: number[]; estimate: number[]; ema: number[] };
  /** log n for the batch size, the ceiling of InfoNCE-type bounds. */
  logN: number;
}

/** The GAN experiment (paper §5.3, eq. 20–21): one run of a GAN with an optional MI regulariser. */
export const GAN_VARIANTS = ['vanilla', 'mine', 'mice'] as const;
export type GanVariant = (typeof GAN_VARIANTS)[number];

export interface GanSpec {
  kind: 'gan';
  variant: GanVariant;
  seed: number;
  steps: number;
  /** Weight β of the MI term in the generator loss (0 for vanilla). */
  beta: number;
  backend: BackendChoice;
  /** Optional overrides of the GAN defaults (src/gan/config.ts); absent = default. */
  batchSize?: number;
  noiseDim?: number;
  codeDim?: number;
  /** MICE only: block the partition function's gradient in the critic's update (Algorithm 1). Default false in the GAN; see docs/gan.md. */
  miceBlockPartition?: boolean;
}

export interface GanResult {
  spec: GanSpec;
  variant: GanVariant;
  seed: number;
  engine: 'tfjs';
  backend: string;
  /** Modes captured out of 25. */
  modes: number;
  /** Share of generated samples within 3σ of some mode. */
  highQuality: number;
  wallMs: number;
  /** A sample of generated points for the scatter plot, [x, y] pairs. */
  samples: [number, number][];
  /** Mean MI estimate I(G(z, c); c) over the last tenth of training (mine/mice only). */
  miEstimate?: number;
  msPerStep?: number;
}

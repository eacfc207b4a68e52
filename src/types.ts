/**
 * The types every part of mi-harness shares. A cell is a plain JSON-serialisable spec; a
 * CellResult is what one trained critic yields. Bounds, engines, the pool, the cell store and
 * the report all meet here, so this file changes rarely and deliberately.
 */

export const ESTIMATORS = [
  'nwj', 'dv', 'mine', 'smile', 'infonce', 'js', 'tuba', 'mice', 'alpha-infonce', 'flatnce',
] as const;
/**
 * Built-in estimators added after the numerics fingerprint was pinned (issue 22's field), kept
 * apart from ESTIMATORS so that every list over ESTIMATORS (the fingerprint's bound digest, the
 * engine-equality tests over the joint and separable critics) is unchanged; knownEstimators()
 * (src/bounds/index.ts) lists both. f-DIME (Letizia et al. 2024), FLO (Guo et al. 2022; a
 * contrastive bound with an extra network u(x, y)) and the variational-conditional ones —
 * Barber–Agakov, CLUB, L1Out, DoE — which read the scores of the 'variational' critic,
 * S[i][j] = log q(y_j | x_i).
 */
export const VARIATIONAL_ESTIMATORS = ['ba', 'club', 'l1out', 'doe'] as const;
export const NEWER_ESTIMATORS = ['flo', ...VARIATIONAL_ESTIMATORS] as const;
export const FIELD_ESTIMATORS = ['fdime', ...NEWER_ESTIMATORS] as const;
export const ALL_ESTIMATORS = [...ESTIMATORS, ...FIELD_ESTIMATORS] as const;
export type EstimatorName = (typeof ALL_ESTIMATORS)[number];

/**
 * 'variational' (issue 22): an MLP d_x → h → h → 2·d_y giving the mean and log-variance of a
 * diagonal Gaussian q(y|x); its score matrix is S[i][j] = log q(y_j | x_i) (src/critics/layout.ts).
 * Only the estimators of VARIATIONAL_ESTIMATORS read it, and only the wasm engine trains it.
 */
export const CRITICS = ['joint', 'separable', 'variational'] as const;
export type CriticKind = (typeof CRITICS)[number];

/** The paper's staircase tasks (§5.1). Other tasks (the BMI suite, plugins) are named by TaskId. */
export const TASKS = ['gaussian', 'cubic'] as const;
export type TaskName = (typeof TASKS)[number];
/**
 * The field's staircases beyond the paper: the transformed staircases of the f-DIME code
 * (src/tasks/fieldStaircases.ts). Like the paper's tasks their dimension is the cell's `dim` and
 * their MI is set per level; they are kept out of TASKS, which the paper's reports and
 * REPRODUCTION.md read as "the paper's two tasks".
 */
export const FIELD_STAIRCASES = ['asinh', 'half-cube', 'student-t'] as const;
export type FieldStaircaseName = (typeof FIELD_STAIRCASES)[number];
/** A built-in staircase task: the paper's or the field's (dimension = the cell's `dim`). */
export type StaircaseName = TaskName | FieldStaircaseName;
/**
 * Any registered task's id: a built-in staircase task ('gaussian', 'cubic', 'asinh', …), a
 * mixture task ('mix:x', src/tasks/mixtures/), a BMI task ('bmi:binormal',
 * src/tasks/bmi/suite.ts) or a plugin's task. `string & {}` keeps the editor's completion for
 * the built-in names while accepting any string; src/tasks/registry.ts says which are known.
 */
export type TaskId = StaircaseName | (string & {});
/** A built-in estimator's name, or a plugin bound's (src/bounds/index.ts registers them). */
export type EstimatorId = EstimatorName | (string & {});

export const ENGINES = ['auto', 'tfjs', 'wasm', 'webgpu'] as const;
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
  /** f-DIME: which f-divergence, 'kl' (default), 'gan' or 'hd' (src/bounds/fdime.ts). */
  fdimeF?: 'kl' | 'gan' | 'hd';
  /**
   * Barber–Agakov: the differential entropy H(Y) of y's marginal, nats. Not a user option: the
   * training loop fills it from the task (TaskDefinition.entropyY) for bounds with needsEntropyY,
   * so it never appears in a CellSpec.
   */
  entropyY?: number;
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
  /**
   * −grad rounded to float32 (dLoss/dS, what the engines' step takes), when the bound's pass
   * wrote it directly (NWJ's float32 pass over float32 scores): the training step then skips
   * converting grad. A view of the passes' memory, valid until their next call; a bound that
   * changes grad after its pass must not pass this on.
   */
  dLoss32?: Float32Array;
  state?: BoundState;
  /**
   * dObjective/dAux, length n, for a bound with `aux` (FLO's u_i, DoE's log p(y_j)): what the
   * engine backpropagates into the auxiliary network (negated, as for grad).
   */
  auxGrad?: Float64Array;
}

/**
 * What a bound reads besides S, from a network the critic's layout adds (src/critics/layout.ts):
 *  - 'u': FLO's u(x_i, y_i), an MLP on [x; y] evaluated on the n positive pairs;
 *  - 'marginal': DoE's log p(y_j) under a learned diagonal Gaussian marginal of y, for the n ys.
 */
export type BoundAux = 'u' | 'marginal';

export interface BoundDefinition {
  /** The estimator's name: a built-in EstimatorName, or a plugin's own (which must not collide). */
  name: EstimatorId;
  /** True when the reported estimate is, in expectation, a lower bound on MI (NWJ, TUBA, InfoNCE, …). */
  lowerBound: boolean;
  /**
   * True when the bound reads the off-diagonal scores only through means over all n(n−1) of them,
   * so that on the derangement fill of S (src/bounds/derangement.ts) it evaluates exactly the
   * estimator whose product-of-marginals samples are the n pairs (x_i, y_σ(i)). Absent: a cell
   * with `negatives: 'derangement'` is refused (InfoNCE-type bounds normalise each row over every y_j).
   */
  derangement?: boolean;
  /**
   * True when the reported estimate is meant as an upper bound on MI (CLUB, L1Out): its
   * violations are then estimates BELOW the truth (src/engine/levelStats.ts). Absent: false.
   */
  upperBound?: boolean;
  /** The critic kinds this bound can train (absent: 'joint' and 'separable'). */
  critics?: readonly CriticKind[];
  /** The auxiliary outputs evaluate() reads (absent: none). */
  aux?: BoundAux;
  /** True when the bound reads options.entropyY, which the training loop fills from the task. */
  needsEntropyY?: boolean;
  /**
   * What BMI's finite-sample protocol ranks held-out evaluations by (src/engine/finiteSample.ts):
   * absent, the estimate (BMI's); 'objective', the training objective, for a bound whose estimate
   * is not what it optimises (the likelihood-trained BA, CLUB, L1Out, DoE).
   */
  heldOutSelection?: 'objective';
  /**
   * Pure: same (scores, n, options, state) → same output. Never mutates its inputs. gradOut
   * (optional, length n²): write the gradient there and return it as grad (a training loop
   * reuses one buffer instead of allocating n² doubles per step); otherwise grad is a new array.
   * aux (length n): the auxiliary outputs, for a bound with `aux`; its gradient is auxGrad.
   */
  evaluate(scores: ArrayLike<number>, n: number, options?: BoundOptions, state?: BoundState, gradOut?: Float64Array, aux?: ArrayLike<number>): BoundOutput;
}

/** One benchmark cell: everything needed to train one critic and nothing else. */
export interface CellSpec {
  estimator: EstimatorId;
  boundOptions: BoundOptions;
  critic: CriticKind;
  /** Spectrally normalise the critic's last layer(s). Default: true for MICE only. */
  spectralNorm: boolean;
  /**
   * Which layers spectralNorm applies to: absent = the last layer of each tower (paper eq. 13–14,
   * the default); 'all' = every linear layer (Miyato et al. 2018), the reading the paper's
   * Lemma 6 needs, which bounds the critic by the product of every layer's Lipschitz constant.
   * Absent rather than 'last' so that specs from before this option keep their addresses.
   */
  spectralNormLayers?: 'all';
  task: TaskId;
  /** The staircase of true MI values, nats; a fixed-MI task has one level, its true MI. */
  mi: number[];
  stepsPerLevel: number;
  batchSize: number;
  /** Dimension of x (and of y unless dimY says otherwise). */
  dim: number;
  /** Within-batch AR(1) correlation ρ_batch (paper eq. 18–19); 0 = the standard benchmark. */
  batchRho: number | 'random';
  seed: number;
  hidden: number;
  embed: number;
  lr: number;
  engine: EngineChoice;
  backend: BackendChoice;
  // Optional fields below are ABSENT at their default, so every spec written before they
  // existed hashes (and so addresses its cell) exactly as before.
  /** Dimension of y when it differs from x's (e.g. BMI's Swiss roll, 2 × 1). Absent: dimY = dim. */
  dimY?: number;
  /** BMI's finite-sample protocol (src/engine/finiteSample.ts). Absent: a fresh batch every step. */
  finiteSample?: FiniteSampleProtocol;
  /** sha256 of each plugin file whose bound or task this cell uses, sorted. Absent: none. */
  plugins?: string[];
  /**
   * 'float32': the bounds' exponentials over the n² scores in float32 SIMD (src/bounds/passes.ts),
   * NWJ's pass about 4× faster at n = 1 024, estimates within float32 rounding of the default's.
   * Absent: float64, bit for bit Math.exp (every published cell).
   */
  boundPrecision?: 'float32';
  /**
   * 'derangement': the product-of-marginals samples are the n pairs (x_i, y_σ(i)) for a uniformly
   * random derangement σ drawn every step from its own stream (src/bounds/derangement.ts), as in
   * f-DIME, instead of all n(n−1) off-diagonal pairs; the joint critic then evaluates 2n pairs,
   * not n². Absent: all pairs.
   */
  negatives?: 'derangement';
}

/**
 * BMI's finite-sample protocol (Czyż et al. 2023; their neural estimators' defaults): one fixed
 * sample of `size` points per seed, standardised per coordinate, split at random into a train
 * part and a held-out part (`testShare` of the points); training draws batches from the train
 * part only, and every `evalEvery` steps the bound is evaluated on the held-out part; training
 * stops early when two evaluations in a row do not improve on the best, and the reported
 * estimate is the best held-out value (BMI's `TrainingLog.final_mi`).
 */
export interface FiniteSampleProtocol {
  size: number;
  testShare: number;
  evalEvery: number;
}

/** What a finite-sample cell adds to its CellResult. */
export interface HeldOutResult {
  /** The reported estimate: the best held-out evaluation (BMI's protocol). */
  estimate: number;
  /** The last held-out evaluation. */
  final: number;
  /** Every held-out evaluation: step (1-based, after that many updates) and value. */
  evals: { step: number; estimate: number }[];
  /** Training steps actually taken (early stopping or divergence may end training before spec's). */
  steps: number;
  trainSize: number;
  testSize: number;
}

/**
 * A seeded source of randomness for task samplers. src/rng.ts's Rng satisfies it; a sampler
 * must draw only from it, in a fixed order, so that a seed always gives the same sample.
 */
export interface TaskRng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** What a sampler is asked for besides n and the stream. */
export interface TaskSampleOptions {
  /** The true MI this batch must have (staircase tasks; fixed-MI tasks ignore it), nats. */
  mi: number;
  /** Within-batch correlation ρ_batch (only the Gaussian task and its transforms support ρ_batch ≠ 0). */
  batchRho: number | 'random';
}

/**
 * A task: a joint distribution of (x, y) with known mutual information, in the spirit of BMI's
 * ISampler (`sample(n_points, rng) → (x, y)`, `dim_x`, `dim_y`, `mutual_information()`). Either
 * fixed-MI (`trueMi` given: the BMI suite) or a staircase task whose sampler takes the MI of each
 * batch (`trueMi` absent: the paper's Gaussian and Cubic). Plugins export objects of this shape.
 */
export interface TaskDefinition {
  /** Unique id, e.g. 'bmi:binormal'; what `--task` takes. */
  id: TaskId;
  /** Family for grouping, e.g. 'multinormal', 'student-t', 'transformed'. */
  family: string;
  /** One line saying what the task is. */
  description: string;
  dimX: number;
  dimY: number;
  /** True MI in nats (fixed-MI tasks: exact, or a Monte Carlo mean stated with trueMiSe); absent for staircase tasks. */
  trueMi?: number;
  /**
   * Monte Carlo standard error of trueMi, nats, when trueMi is a Monte Carlo mean (the mixture
   * tasks: the mean of their exact PMI over a fixed sample); absent when trueMi is exact.
   */
  trueMiSe?: number;
  /** One line saying how the true MI (or a staircase's MI per level) is obtained. */
  trueMiMethod?: string;
  /**
   * The differential entropy H(Y) of y's marginal, nats, where it is known (the Barber–Agakov
   * bound needs it); for a staircase task it must not depend on the level's MI (true of every
   * staircase that moves only the dependence, as the Gaussian and Cubic do). Absent: unknown, and
   * `ba` refuses the task.
   */
  entropyY?: number;
  /**
   * n pairs: x is n×dimX and y n×dimY, row-major. Draws only from `rng`. A staircase task reads
   * `options.mi`; its dimension is the task's dimX/dimY (the built-in staircases take the
   * cell's `dim` instead, see src/tasks/registry.ts).
   */
  sample(n: number, rng: TaskRng, options: TaskSampleOptions): { x: ArrayLike<number>; y: ArrayLike<number> };
}

/** A plugin module's default export (harness --plugin FILE). */
export interface PluginDefinition {
  bounds?: BoundDefinition[];
  tasks?: TaskDefinition[];
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
  /**
   * Share of finite window estimates strictly above the true MI (strictly below it for an
   * estimator whose bound has upperBound: CLUB, L1Out).
   */
  violations: number;
  /** Count of non-finite (NaN/±Inf) estimates in the window: divergence, reported not thrown. */
  nonFinite: number;
}

export interface CellResult {
  spec: CellSpec;
  estimator: EstimatorId;
  critic: CriticKind;
  task: TaskId;
  seed: number;
  /** Engine and backend actually used (never 'auto'). */
  engine: 'tfjs' | 'wasm' | 'webgpu';
  backend: string;
  steps: number;
  msPerStep: number;
  wallMs: number;
  levels: LevelStats[];
  /** Downsampled trajectory: raw estimate and its EMA (rate 0.01) every `stride` steps. */
  trajectory: { stride: number; step: number[]; estimate: number[]; ema: number[] };
  /** log n for the batch size, the ceiling of InfoNCE-type bounds. */
  logN: number;
  /** Finite-sample protocol only: the held-out evaluations and the reported estimate. */
  heldOut?: HeldOutResult;
  /** WebGPU engine only: the adapter and the batch of cells this one was trained with. */
  gpu?: { adapter: string; fallback: boolean; batch: number; batchWallMs: number };
}

/**
 * KSG (Kraskov, Stögbauer & Grassberger 2004, algorithm 1, max-norm): the non-neural reference
 * of the BMI preset, on the same fixed, standardised sample of `size` points the finite-sample
 * cells draw at this seed (src/estimators/ksg.ts).
 */
export interface KsgSpec {
  kind: 'ksg';
  task: TaskId;
  seed: number;
  size: number;
  /** Neighbours k (BMI's KSG runs use 5). */
  k: number;
  /** As CellSpec.plugins: the plugin files of a plugin task. Absent: none. */
  plugins?: string[];
}

export interface KsgResult {
  spec: KsgSpec;
  task: TaskId;
  seed: number;
  engine: 'js';
  /** Neighbour search used: k-d trees (low dimensions) or all pairs (src/estimators/ksg.ts). */
  backend: 'kd-tree' | 'pairwise';
  estimate: number;
  trueMi: number;
  dimX: number;
  dimY: number;
  wallMs: number;
}

/** The GAN experiment (paper §5.3, eq. 20–21): one run of a GAN with an optional MI regulariser. */
export const GAN_VARIANTS = ['vanilla', 'mine', 'mice', 'smile', 'infonce'] as const;
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
  /** Named configuration (src/gan/setup.ts); absent = 'v1', the first one (tfjs only). */
  setup?: 'grid';
  /** The code C of eq. 21: absent = 'continuous' (U(0,1)^codeDim), or one-hot over 25 values. */
  code?: 'categorical';
  /** GAN engine ('grid' setup only); absent = 'auto' (wasm when its kernels load, else tfjs). */
  engine?: EngineChoice;
  /** MICE only: the bound's form, absent = 'dv' (Algorithm 1), or 'nwj' (eq. 14). */
  miceForm?: 'nwj';
  /** SMILE only: clip threshold τ (absent = 1). */
  tau?: number;
  /** 'grid' setup overrides (absent = the setup's value): G's and the critic's lr, D's lr, EMA decay, schedule. */
  lr?: number;
  discLr?: number;
  emaDecay?: number;
  schedule?: 'constant' | 'linear' | 'cosine';
}

export interface GanResult {
  spec: GanSpec;
  variant: GanVariant;
  seed: number;
  engine: 'tfjs' | 'wasm';
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
  /** High-quality samples per mode (of evalSamples), in GRID_MEANS order ('grid' setup). */
  perMode?: number[];
  /** Modes and high-quality share of the evaluated generator every tenth of training ('grid' setup). */
  curve?: { step: number[]; modes: number[]; highQuality: number[] };
}

/** One job of a sweep: a training cell, a GAN run or a KSG estimate (the pool's and the worker's unit). */
export type Job = CellSpec | GanSpec | KsgSpec;

/**
 * Named grids. Budgets (docs/sweep.md has the arithmetic): the wasm engine runs a separable
 * n = 64, h = 256 step in 2–3 ms on one core (2.0 ms measured on an idle core), a joint step
 * in about 60 ms.
 *  - smoke: seconds; the test suite's grid (tiny network, 40 steps a cell).
 *  - quick (default): the paper's five estimators plus MICE with the partition gradient not
 *    blocked, separable critic, both tasks, 10 seeds (so a paired Wilcoxon test can reach
 *    p ≈ 0.002), 500 steps per level: 120 cells × 2 500 steps = 300 000 steps ≈ 900
 *    core-seconds ≈ 7.5 minutes on 2 workers.
 *  - paper: the headline store (results/): the paper's protocol (§5.1–5.2, Fig. 1–3 and 5–7),
 *    separable critic, both tasks, ρ_batch ∈ {0, 0.1, …, 0.5, random}, MI 2..10 × 4 000 steps,
 *    d = 20, n = 64, h = 256, the six main variants plus MICE with every layer spectrally
 *    normalised (blocked and not), 10 seeds: 8 × 2 × 7 × 10 = 1 120 cells, about 44 s each on
 *    an idle core (sn=all about twice that) ≈ 8 hours on 2 workers.
 *  - paper-joint: the joint critic at the paper's protocol, Gaussian, ρ_batch = 0, the six main
 *    variants, 10 seeds (60 cells × ~10 min on an idle core; 3 seeds until 1 December). The rest of the joint grid is
 *    `--preset paper --critics joint`, a cluster job (docs/slurm.sbatch, `--shard i/n`).
 *  - paper-full: everything the paper's protocol can be asked: both critics, the main
 *    variants, every MICE ablation and every other baseline; 4 480 cells — a cluster job.
 *  - nightly: quick with 1 500 steps per level and ρ_batch ∈ {0, 0.3} (standard + one extended
 *    setting): 240 cells × 7 500 steps ≈ 1.8 M steps ≈ 5 400 core-seconds.
 *  - consistency: InfoNCE, NWJ, SMILE(τ=1) and MICE blocked and unblocked at n ∈ {16, 32, 64,
 *    128, 256}, 10 seeds, 1 000 steps per level, float64 bound at every n (250 cells).
 *  - gan: the §5.3 GAN on 25 Gaussians ('grid' setup, src/gan/setup.ts), 10 seeds per arm: vanilla,
 *    and at β ∈ {0.01, 0.1, 1}: +MINE, +MICE in each reading that trains (DV form and NWJ form,
 *    eq. 14, critic unblocked), +MICE as Algorithm 1 writes it (critic blocked) and +SMILE(τ=1) as
 *    a modern control; each with the continuous and the categorical code. 320 runs × 6 000 steps,
 *    about 2 core-hours on the wasm engine (docs/gan.md).
 *  - gan-v1: the first GAN configuration (v1, tfjs), vanilla / +MINE / +MICE, 5 seeds each; its
 *    cells are published in results/quick/.
 *  - field: the field table of issue 22 on the paper's protocol (separable critic, ρ_batch 0,
 *    MI 2..10 × 4 000 steps, d = 20, n = 64, h = 256, 10 seeds): the zoo and the estimators
 *    published since, on the paper's staircases, f-DIME's transformed staircases (asinh,
 *    half-cube, Student-t) and the mixtures of Czyż et al. 2023 (fixed MI: one level of 4 000
 *    steps, critic input at the task's dimensions). Its store is results/field; the six main
 *    variants' paper cells (Gaussian, Cubic, ρ_batch 0) are the paper store's, held there too.
 *  - bmi: BMI's benchmark (Czyż et al. 2023) on its 40 tasks with its finite-sample protocol
 *    (5 000 points per seed, half held out, evaluated every 250 steps, early stopping, at most
 *    4 000 steps), the main estimators, critics sized for the task (grid.ts criticSize), 5 seeds:
 *    the separable critic on all 40 tasks, the joint critic on the 33 with d_x + d_y ≤ 10 (up to
 *    5 × 5), plus KSG (k = 5): 1 200 + 990 training cells and 200 KSG jobs, about 1.9
 *    core-hours with early stopping as measured (≈ 1 h on two idle cores), 4.4 if no cell
 *    stopped early. The joint critic on the 7 wide tasks (210 cells more) is
 *    `{ "preset": "bmi", "jointMaxInputs": null }` in a config. docs/bmi.md has the arithmetic.
 *  - bmi-field: the field's thirteen other estimators (BMI_FIELD_ESTIMATORS) on BMI's protocol,
 *    separable critic (the variational bounds train theirs), 5 seeds: 2 600 cells into the BMI
 *    store, so the field table ranks every estimator on BMI's suite too (docs/field.md).
 */
import type { GanArm, Grid } from './grid.js';
import { seedRange } from './grid.js';
import { CELL_DEFAULTS } from '../spec.js';
import { DEFAULT_GAN_BETA, DEFAULT_GAN_STEPS } from '../../src/gan/config.js';
import { bmiSuite } from '../../src/tasks/bmi/suite.js';
import { mixtureSuite } from '../../src/tasks/mixtures/suite.js';
import { FIELD_STAIRCASES, TASKS } from '../../src/types.js';
import { DEFAULT_GRID_BETA, GRID_SETUP } from '../../src/gan/setup.js';

export const MAIN_ESTIMATORS = ['infonce', 'nwj', 'smile:tau=1', 'smile:tau=inf', 'mice', 'mice:block=off'];
/**
 * MICE ablations beside the default reading (README "MICE: the reading we implement"): with the
 * partition gradient blocked (the paper's Algorithm 1 as written) training maximises E_P[T]
 * alone and diverges here, so `mice:block=off` is in every main preset to show the reading
 * that trains; the paper preset adds the NWJ form and the no-spectral-norm ablation.
 */
export const MICE_ABLATIONS = ['mice:form=nwj:block=off', 'mice:block=off:sn=off'];
export const OTHER_BASELINES = ['dv', 'mine', 'js', 'tuba', 'alpha-infonce', 'flatnce'];
/**
 * MICE with every linear layer spectrally normalised (Miyato et al. 2018): the reading the
 * paper's Lemma 6 needs (the critic's variance bounded by the product of every layer's
 * Lipschitz constant), where eq. 13–14 normalise only the last layer.
 */
export const MICE_SN_ALL = ['mice:sn=all', 'mice:block=off:sn=all'];
const PAPER_RHO: (number | 'random')[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 'random'];

/**
 * The field preset's estimators (issue 22): the paper's and SMILE's zoo, each at its default
 * reading, then the estimators published since — f-DIME's three f-divergences (negatives by
 * derangement, their default), FLO, and the variational-conditional bounds (BA, CLUB, L1Out,
 * DoE, which train the variational critic whatever the grid's critic axis says).
 */
export const FIELD_ZOO = ['nwj', 'dv', 'mine', 'smile:tau=1', 'smile:tau=inf', 'infonce', 'js', 'tuba', 'alpha-infonce', 'flatnce', 'mice', 'mice:block=off'];
export const FIELD_NEW = ['fdime:f=kl', 'fdime:f=gan', 'fdime:f=hd', 'flo', 'ba', 'club', 'l1out', 'doe'];
/** The field preset's tasks: the paper's staircases, f-DIME's transformed ones, and the mixtures (fixed MI, one level). */
export const FIELD_TASKS: string[] = [...TASKS, ...FIELD_STAIRCASES, ...mixtureSuite().map((t) => t.id)];

/** β values of the GAN preset's scan (the 0.01, 0.1, 1: two decades around the default). */
export const GAN_BETAS = [0.01, 0.1, 1];
/**
 * The GAN preset's arms, in priority order (the order docs/gan.md's run followed): vanilla; +MICE
 * (the GAN's default reading: DV form, critic unblocked) and +MINE; the other MICE readings (NWJ
 * form unblocked, and Algorithm 1 as written: critic blocked); the SMILE(τ=1) control. Each with
 * both codes.
 */
export const GAN_ARMS: GanArm[] = (() => {
  const arms: GanArm[] = [];
  const codes = ['continuous', 'categorical'] as const;
  for (const code of codes) arms.push({ variant: 'vanilla', code });
  const readings: Omit<GanArm, 'beta' | 'code'>[] = [
    { variant: 'mice' }, { variant: 'mine' },
    { variant: 'mice', miceForm: 'nwj' }, { variant: 'mice', miceBlockPartition: true },
    { variant: 'smile', tau: 1 },
  ];
  for (const r of readings) for (const code of codes) for (const beta of GAN_BETAS) arms.push({ ...r, code, beta });
  return arms;
})();

/**
 * The field's other estimators on BMI's suite (issue 22: the field table ranks every estimator on
 * every suite): the field preset's estimators that the bmi preset does not run, separable critic
 * (the variational bounds train their own), BMI's protocol. Barber–Agakov is left out: BMI's
 * protocol standardises y by the sample's own spread, so H(Y) is not known (src/tasks/entropy.ts).
 */
export const BMI_FIELD_ESTIMATORS = [...FIELD_ZOO, ...FIELD_NEW].filter((e) => !MAIN_ESTIMATORS.includes(e) && e !== 'ba');

const base: Grid = {
  estimators: MAIN_ESTIMATORS,
  critics: ['separable'],
  tasks: ['gaussian', 'cubic'],
  batchRho: [0],
  seeds: seedRange(10),
  batchSizes: [CELL_DEFAULTS.batchSize],
  mi: [...CELL_DEFAULTS.mi],
  stepsPerLevel: CELL_DEFAULTS.stepsPerLevel,
  dim: CELL_DEFAULTS.dim,
  hidden: CELL_DEFAULTS.hidden,
  embed: CELL_DEFAULTS.embed,
  lr: CELL_DEFAULTS.lr,
  engine: CELL_DEFAULTS.engine,
  backend: CELL_DEFAULTS.backend,
};

/** BMI's finite-sample protocol on its 40 tasks, 5 seeds (the bmi and bmi-field presets). */
const BMI_PROTOCOL: Grid = {
  ...base, tasks: bmiSuite().map((t) => t.id), seeds: seedRange(5),
  stepsPerLevel: 4000, sizeCriticsForTask: true, finiteSample: { size: 5000, testShare: 0.5, evalEvery: 250 },
};

export const PRESETS = {
  smoke: {
    ...base, estimators: ['nwj', 'mice'], tasks: ['gaussian'], seeds: seedRange(2), batchSizes: [16],
    mi: [2, 4], stepsPerLevel: 20, dim: 4, hidden: 32, embed: 8,
  },
  quick: { ...base, stepsPerLevel: 500 },
  paper: { ...base, estimators: [...MAIN_ESTIMATORS, ...MICE_SN_ALL], batchRho: PAPER_RHO },
  'paper-joint': { ...base, critics: ['joint'], tasks: ['gaussian'] },
  'paper-full': {
    ...base, estimators: [...MAIN_ESTIMATORS, ...MICE_SN_ALL, ...MICE_ABLATIONS, ...OTHER_BASELINES], critics: ['joint', 'separable'],
    batchRho: PAPER_RHO,
  },
  nightly: { ...base, batchRho: [0, 0.3], stepsPerLevel: 1500 },
  consistency: {
    ...base, estimators: ['infonce', 'nwj', 'smile:tau=1', 'mice', 'mice:block=off'], tasks: ['gaussian'],
    batchSizes: [16, 32, 64, 128, 256], stepsPerLevel: 1000,
    // One numerics along the curve: `auto` would switch the bound to float32 at n = 256.
    boundPrecision: 'float64',
  },
  gan: { ...base, estimators: [], seeds: seedRange(10), gan: { variants: ['vanilla', 'mine', 'mice'], steps: GRID_SETUP.steps, beta: DEFAULT_GRID_BETA, setup: 'grid', engine: 'wasm', arms: GAN_ARMS } },
  field: { ...base, estimators: [...FIELD_ZOO, ...FIELD_NEW], tasks: FIELD_TASKS },
  bmi: { ...BMI_PROTOCOL, critics: ['joint', 'separable'], jointMaxInputs: 10, ksg: { k: 5 } },
  'bmi-field': { ...BMI_PROTOCOL, estimators: BMI_FIELD_ESTIMATORS, critics: ['separable'] },
  // Steps and β as src/gan/config.ts's defaults (DEFAULT_GAN_STEPS, DEFAULT_GAN_BETA).
  'gan-v1': { ...base, estimators: [], seeds: seedRange(5), gan: { variants: ['vanilla', 'mine', 'mice'], steps: DEFAULT_GAN_STEPS, beta: DEFAULT_GAN_BETA } },
} satisfies Record<string, Grid>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
/** The main job (README): the paper's protocol into the headline store. */
export const DEFAULT_PRESET: PresetName = 'paper';

/**
 * Where each preset's cells go unless --out says otherwise. results/ is the headline store: the
 * paper's protocol, the consistency sweep and the GAN runs, everything REPRODUCTION.md reads;
 * the shorter protocols keep stores of their own so their numbers never mix with the paper's.
 */
export const PRESET_STORES: Record<PresetName, string> = {
  smoke: 'results/smoke', quick: 'results/quick', paper: 'results', 'paper-joint': 'results', 'paper-full': 'results',
  nightly: 'results/nightly', consistency: 'results', gan: 'results', 'gan-v1': 'results/quick', bmi: 'results/bmi', 'bmi-field': 'results/bmi',
  field: 'results/field',
};

export function preset(name: PresetName): Grid {
  return structuredClone(PRESETS[name]) as Grid;
}

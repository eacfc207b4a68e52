/**
 * Named grids. Budgets (docs/sweep.md has the arithmetic): the wasm engine runs a separable
 * n = 64, h = 256 step in 2–3 ms on one core (2.0 ms measured on an idle core), a joint step
 * in about 60 ms.
 *  - smoke: seconds; the test suite's grid (tiny network, 40 steps a cell).
 *  - quick (default): the paper's five estimators plus MICE with the partition gradient not
 *    blocked, separable critic, both tasks, 10 seeds (so a paired Wilcoxon test can reach
 *    p ≈ 0.002), 500 steps per level: 120 cells × 2 500 steps = 300 000 steps ≈ 900
 *    core-seconds ≈ 7.5 minutes on 2 workers.
 *  - paper: §5.1–5.2 and Appendix: standard + extended benchmark (ρ_batch 0…0.5 and random),
 *    both critics, both tasks, MI 2..10 × 4 000 steps, the five estimators, the MICE ablations
 *    and every other baseline; 3 920 cells — a cluster job (see docs/slurm.sbatch).
 *  - nightly: quick with 1 500 steps per level and ρ_batch ∈ {0, 0.3} (standard + one extended
 *    setting): 240 cells × 7 500 steps ≈ 1.8 M steps ≈ 5 400 core-seconds.
 *  - consistency: four estimators at n ∈ {16, 32, 64, 128, 256}, 10 seeds, 1 000 steps per level.
 *  - gan: the §5.3 GAN on 25 Gaussians, vanilla / +MINE / +MICE, 5 seeds each.
 *  - bmi: BMI's benchmark (Czyż et al. 2023) on its 40 tasks with its finite-sample protocol
 *    (5 000 points per seed, half held out, evaluated every 250 steps, early stopping, at most
 *    4 000 steps), the main estimators, both critics sized for the task (grid.ts criticSize),
 *    5 seeds, plus KSG (k = 5): 2 400 training cells and 200 KSG jobs; docs/bmi.md has its cost.
 */
import type { Grid } from './grid.js';
import { seedRange } from './grid.js';
import { CELL_DEFAULTS } from '../spec.js';
import { DEFAULT_GAN_BETA, DEFAULT_GAN_STEPS } from '../../src/gan/config.js';
import { bmiSuite } from '../../src/tasks/bmi/suite.js';

export const MAIN_ESTIMATORS = ['infonce', 'nwj', 'smile:tau=1', 'smile:tau=inf', 'mice', 'mice:block=off'];
/**
 * MICE ablations beside the default reading (README "MICE: the reading we implement"): with the
 * partition gradient blocked (the paper's Algorithm 1 as written) training maximises E_P[T]
 * alone and diverges here, so `mice:block=off` is in every main preset to show the reading
 * that trains; the paper preset adds the NWJ form and the no-spectral-norm ablation.
 */
export const MICE_ABLATIONS = ['mice:form=nwj:block=off', 'mice:block=off:sn=off'];
export const OTHER_BASELINES = ['dv', 'mine', 'js', 'tuba', 'alpha-infonce', 'flatnce'];

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

export const PRESETS = {
  smoke: {
    ...base, estimators: ['nwj', 'mice'], tasks: ['gaussian'], seeds: seedRange(2), batchSizes: [16],
    mi: [2, 4], stepsPerLevel: 20, dim: 4, hidden: 32, embed: 8,
  },
  quick: { ...base, stepsPerLevel: 500 },
  paper: {
    ...base, estimators: [...MAIN_ESTIMATORS, ...MICE_ABLATIONS, ...OTHER_BASELINES], critics: ['joint', 'separable'],
    batchRho: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 'random'],
  },
  nightly: { ...base, batchRho: [0, 0.3], stepsPerLevel: 1500 },
  consistency: {
    ...base, estimators: ['infonce', 'nwj', 'smile:tau=1', 'mice'], tasks: ['gaussian'],
    batchSizes: [16, 32, 64, 128, 256], stepsPerLevel: 1000,
  },
  // Steps and β as src/gan/config.ts's defaults (DEFAULT_GAN_STEPS, DEFAULT_GAN_BETA).
  gan: { ...base, estimators: [], seeds: seedRange(5), gan: { variants: ['vanilla', 'mine', 'mice'], steps: DEFAULT_GAN_STEPS, beta: DEFAULT_GAN_BETA } },
  bmi: {
    ...base, critics: ['joint', 'separable'], tasks: bmiSuite().map((t) => t.id), seeds: seedRange(5),
    stepsPerLevel: 4000, sizeCriticsForTask: true, finiteSample: { size: 5000, testShare: 0.5, evalEvery: 250 }, ksg: { k: 5 },
  },
} satisfies Record<string, Grid>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
export const DEFAULT_PRESET: PresetName = 'quick';

export function preset(name: PresetName): Grid {
  return structuredClone(PRESETS[name]) as Grid;
}

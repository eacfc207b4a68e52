/**
 * The mixture ("fine") tasks of Czyż et al. 2023, "The Mixtures and the Neural Critics: On the
 * Pointwise Mutual Information Profiles of Fine Distributions" — the mixture tasks of BMI's v2
 * benchmark (cbg-ethz/bmi workflows/benchmark/v2/config.py, src/bmi/benchmark/tasks/mixtures.py):
 * X, AI, Galaxy, Waves and Concentric (d = 3, 5; 5 components), with BMI's parameters. Ids are
 * 'mix:' + a slug; `bmiId` is BMI's own task id. BMI rescales its v2 tasks before estimating, an
 * affine map per coordinate that leaves MI unchanged; here the samples are raw (the finite-sample
 * protocol standardises them, src/tasks/draw.ts).
 *
 * True MI: the Monte Carlo mean of the exact PMI (./monteCarlo.ts) over MC_SAMPLES = 200 000
 * points drawn from the fixed stream Rng(['true-mi', id]) — twice BMI's own 100 000 — kept below
 * as constants (the value enters every cell's spec as its one MI level, so it must never move)
 * and recomputed by test/mixture-tasks.test.ts, which also checks SE ≤ 0.005 and an independent
 * seed's agreement. The largest SE is AI's, about 0.002 nats: 25 times smaller than an error
 * difference of 0.05 nats between two estimators, so the truth's uncertainty cannot change their
 * ranking at that resolution.
 */
import type { TaskDefinition, TaskRng, TaskSampleOptions } from '../../types.js';
import { aiDistribution } from './ai.js';
import { concentricDistribution } from './concentric.js';
import { galaxyDistribution } from './galaxy.js';
import type { MixtureSpec } from './spec.js';
import { wavesDistribution } from './waves.js';
import { xDistribution } from './x.js';

/** Monte Carlo sample size of every mixture task's true MI. */
export const MC_SAMPLES = 200_000;
/** The fixed stream a mixture task's true MI is computed from. */
export const mcKey = (id: string): string[] => ['true-mi', id];

/** The Monte Carlo means and standard errors (nats) at MC_SAMPLES from mcKey(id): test/mixture-tasks.test.ts recomputes them. */
export const MIXTURE_TRUE_MI: Record<string, { mi: number; se: number }> = {
  'mix:x': { mi: 0.41057028028529546, se: 0.0016686191387697271 },
  'mix:ai': { mi: 0.778048259105298, se: 0.0019393419135144516 },
  'mix:galaxy': { mi: 0.49445393147017175, se: 0.001139154129760998 },
  'mix:waves': { mi: 1.307594922135534, se: 0.0008428070714438017 },
  'mix:concentric-3x1-5': { mi: 0.45338215447332675, se: 0.0015016583321535405 },
  'mix:concentric-5x1-5': { mi: 0.6258610943451575, se: 0.0015901963394964887 },
};

export interface MixtureTask extends TaskDefinition {
  trueMi: number;
  trueMiSe: number;
  trueMiMethod: string;
  bmiId: string;
  bmiName: string;
  spec: MixtureSpec;
  sample(n: number, rng: TaskRng, options?: TaskSampleOptions): { x: Float64Array; y: Float64Array };
  /** Exact PMI at a point of the task's space (x after the task's map). */
  pmi(x: ArrayLike<number>, y: ArrayLike<number>): number;
}

export function mixtureSpecs(): MixtureSpec[] {
  return [xDistribution(), aiDistribution(), galaxyDistribution(), wavesDistribution(), concentricDistribution(3), concentricDistribution(5)];
}

function task(spec: MixtureSpec): MixtureTask {
  const id = `mix:${spec.slug}`;
  const mix = spec.mixture;
  const truth = MIXTURE_TRUE_MI[id];
  if (!truth) throw new Error(`mixture task ${id}: no true MI recorded`);
  const base = new Float64Array(mix.dimX);
  return {
    id, family: 'mixture', description: spec.description, bmiId: spec.bmiId, bmiName: spec.bmiName, spec,
    dimX: mix.dimX, dimY: mix.dimY, trueMi: truth.mi, trueMiSe: truth.se,
    // y is never mapped (only x is), so H(Y) is the base mixture's y-marginal's.
    ...(mix.dimY === 1 ? { entropyY: mix.entropyY1d() } : {}),
    trueMiMethod: `Monte Carlo mean of the exact PMI over ${MC_SAMPLES} points from a fixed seed; SE = sd(PMI)/√N`,
    sample(n: number, rng: TaskRng) {
      const s = mix.sample(n, rng);
      if (spec.mapX) {
        const d = mix.dimX, out = new Float64Array(d);
        for (let i = 0; i < n; i++) {
          spec.mapX(s.x.subarray(i * d, (i + 1) * d), out);
          s.x.set(out, i * d);
        }
      }
      return s;
    },
    pmi(x, y) {
      if (!spec.unmapX) return mix.pmi(x, y);
      spec.unmapX(x, base);
      return mix.pmi(base, y);
    },
  };
}

let suite: MixtureTask[] | null = null;

/** The mixture tasks, in the order above (built once). */
export function mixtureSuite(): MixtureTask[] {
  suite ??= mixtureSpecs().map(task);
  return suite;
}

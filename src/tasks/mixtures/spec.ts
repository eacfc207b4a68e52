/**
 * What a mixture task is made of (./suite.ts turns it into a TaskDefinition): a Gaussian mixture
 * over (x, y) with exact densities (./gaussianMixture.ts) and optionally an invertible map of x
 * applied after sampling (BMI's TransformedSampler over a BMMSampler). PMI is invariant under an
 * invertible map of one side, f × id: the Jacobian factor |det Df⁻¹| enters p(x, y) and p(x)
 * alike and cancels, so PMI_task(x, y) = PMI_base(f⁻¹(x), y) and the true MI is the base's.
 */
import type { GaussianMixture } from './gaussianMixture.js';

export interface MixtureSpec {
  /** Our id without its 'mix:' prefix, e.g. 'x'. */
  slug: string;
  /** BMI's task id (src/bmi/benchmark/tasks/mixtures.py), e.g. '1v1-X-0.9'. */
  bmiId: string;
  /** BMI's display name, e.g. 'X 1 × 1'. */
  bmiName: string;
  description: string;
  mixture: GaussianMixture;
  /** The map of x applied to every sampled row (in → out, both length dimX). Absent: none. */
  mapX?: (row: ArrayLike<number>, out: Float64Array) => void;
  /** Its inverse, for the PMI of a task-space point. */
  unmapX?: (row: ArrayLike<number>, out: Float64Array) => void;
}

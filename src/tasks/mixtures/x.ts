/**
 * The "X" distribution (Czyż et al. 2023, "The Mixtures and the Neural Critics", Fig. 1; BMI's
 * task_x, cbg-ethz/bmi src/bmi/benchmark/tasks/mixtures.py, task id '1v1-X-0.9'): an equal
 * mixture of two bivariate normals with unit variances and correlations +0.9 and −0.9. Both
 * components have X ~ N(0, 1) and Y ~ N(0, 1), so the marginals are standard normal and the
 * correlation is 0, yet I(X; Y) > 0: the dependence sits in the sign of xy.
 */
import { GaussianMixture } from './gaussianMixture.js';
import type { MixtureSpec } from './spec.js';

export const X_CORRELATION = 0.9;

export function xDistribution(): MixtureSpec {
  const comp = (r: number) => ({ weight: 0.5, mean: [0, 0], cov: [1, r, r, 1] });
  return {
    slug: 'x', bmiId: `1v1-X-${X_CORRELATION}`, bmiName: 'X 1 × 1',
    description: `X 1 × 1: ½ N(0, [[1, ρ], [ρ, 1]]) + ½ N(0, [[1, −ρ], [−ρ, 1]]), ρ = ${X_CORRELATION} (Czyż et al. 2023; BMI task_x)`,
    mixture: new GaussianMixture(1, 1, [comp(-X_CORRELATION), comp(X_CORRELATION)]),
  };
}

/**
 * The "AI" distribution (Czyż et al. 2023, "The Mixtures and the Neural Critics", Fig. 1; BMI's
 * task_ai, cbg-ethz/bmi src/bmi/benchmark/tasks/mixtures.py, task id '1v1-AI'): six equally
 * weighted bivariate normals drawing the letters A and I in the (x, y) plane. The "I": a vertical
 * stroke at x = 1 (variances 0.01, 0.2) with two serifs at y = ±1 (0.05, 0.001). The "A": a
 * crossbar at (−0.8, −0.2) (0.03, 0.001) and two slanted strokes at (−1.2, 0) and (−0.4, 0) with
 * Var x = 0.04, Var y = 0.2 and correlation +0.95 and −0.95. Parameters exactly as BMI's.
 */
import { GaussianMixture } from './gaussianMixture.js';
import type { MixtureSpec } from './spec.js';

export function aiDistribution(): MixtureSpec {
  const corr = 0.95, varX = 0.04, varY = 0.2;
  const c = Math.sqrt(varX * varY) * corr;
  const diag = (mx: number, my: number, vx: number, vy: number) => ({ weight: 1 / 6, mean: [mx, my], cov: [vx, 0, 0, vy] });
  return {
    slug: 'ai', bmiId: '1v1-AI', bmiName: 'AI 1 × 1',
    description: 'AI 1 × 1: six bivariate normals drawing the letters A and I (Czyż et al. 2023; BMI task_ai)',
    mixture: new GaussianMixture(1, 1, [
      // I
      diag(1, 0, 0.01, 0.2),
      diag(1, 1, 0.05, 0.001),
      diag(1, -1, 0.05, 0.001),
      // A
      diag(-0.8, -0.2, 0.03, 0.001),
      { weight: 1 / 6, mean: [-1.2, 0], cov: [varX, c, c, varY] },
      { weight: 1 / 6, mean: [-0.4, 0], cov: [varX, -c, -c, varY] },
    ]),
  };
}

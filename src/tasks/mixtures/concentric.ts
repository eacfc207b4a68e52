/**
 * "Concentric" multinormals (Czyż et al. 2023, "The Mixtures and the Neural Critics"; BMI's
 * task_concentric_multinormal, cbg-ethz/bmi src/bmi/benchmark/tasks/mixtures.py, task ids
 * '{d}v1-concentric_gaussians-{K}'): K equally weighted components i = 1..K, each with
 * x ~ N(0, i²·I_d) and, independently, y ~ N(i, 10⁻⁴). Every x-component is centred at 0, so x
 * carries the component only through its radius; y nearly reveals the component. The benchmark
 * uses d = 3 and 5 with K = 5 (and K = 10, d = 25 in its starred extras).
 */
import { GaussianMixture } from './gaussianMixture.js';
import type { MixtureSpec } from './spec.js';

export const CONCENTRIC_Y_VARIANCE = 1e-4;

export function concentricDistribution(dimX: number, components = 5): MixtureSpec {
  const m = dimX + 1;
  const comps = Array.from({ length: components }, (_, j) => {
    const i = j + 1;
    const cov = new Array<number>(m * m).fill(0);
    for (let r = 0; r < dimX; r++) cov[r * m + r] = i * i;
    cov[m * m - 1] = CONCENTRIC_Y_VARIANCE;
    return { weight: 1 / components, mean: [...new Array<number>(dimX).fill(0), i], cov };
  });
  return {
    slug: `concentric-${dimX}x1-${components}`, bmiId: `${dimX}v1-concentric_gaussians-${components}`, bmiName: `Concentric ${dimX} × 1`,
    description: `Concentric ${dimX} × 1: ${components} components i = 1..${components}, x ~ N(0, i²I), y ~ N(i, 10⁻⁴) (Czyż et al. 2023; BMI task_concentric_multinormal)`,
    mixture: new GaussianMixture(dimX, 1, comps),
  };
}

/**
 * The "Galaxy" distribution (Czyż et al. 2023, "The Mixtures and the Neural Critics", Fig. 1;
 * BMI's task_galaxy with its defaults speed 0.5, distance 3, cbg-ethz/bmi
 * src/bmi/benchmark/tasks/mixtures.py, task id '2v1-galaxy-0.5-3.0'): an equal mixture of two
 * standard normal balls in R³ = R²_x × R_y centred at ±(1.5, 1.5, 1.5), then x ∈ R² spun by
 * BMI's Spiral with generator [[0, −1], [1, 0]] and speed 0.5: x ↦ R(0.5‖x‖²) x, R(θ) the
 * rotation by θ. The spiral keeps ‖x‖, so its inverse rotates back by the same angle; it is a
 * diffeomorphism of x alone, so PMI and MI are the base mixture's (./spec.ts).
 */
import { GaussianMixture } from './gaussianMixture.js';
import type { MixtureSpec } from './spec.js';

export const GALAXY_SPEED = 0.5;
export const GALAXY_DISTANCE = 3;

function spin(sign: 1 | -1) {
  return (row: ArrayLike<number>, out: Float64Array) => {
    const a = row[0], b = row[1];
    const t = sign * GALAXY_SPEED * (a * a + b * b);
    const c = Math.cos(t), s = Math.sin(t);
    out[0] = c * a - s * b;
    out[1] = s * a + c * b;
  };
}

export function galaxyDistribution(): MixtureSpec {
  const h = GALAXY_DISTANCE / 2;
  const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  return {
    slug: 'galaxy', bmiId: `2v1-galaxy-${GALAXY_SPEED}-${GALAXY_DISTANCE.toFixed(1)}`, bmiName: 'Galaxy 2 × 1',
    description: `Galaxy 2 × 1: ½ N(−1.5·1, I₃) + ½ N(1.5·1, I₃) with x ∈ R² spun by x ↦ R(${GALAXY_SPEED}‖x‖²)x (Czyż et al. 2023; BMI task_galaxy)`,
    mixture: new GaussianMixture(2, 1, [
      { weight: 0.5, mean: [-h, -h, -h], cov: eye },
      { weight: 0.5, mean: [h, h, h], cov: eye },
    ]),
    mapX: spin(1),
    unmapX: spin(-1),
  };
}

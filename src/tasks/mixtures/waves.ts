/**
 * The "Waves" distribution (Czyż et al. 2023, "The Mixtures and the Neural Critics", Fig. 1;
 * BMI's task_waves with its defaults: 12 components, amplitude 5, frequency 3; cbg-ethz/bmi
 * src/bmi/benchmark/tasks/mixtures.py, task id '2v1-waves-12-5.0-3.0'): twelve equally weighted
 * normals in R²_x × R_y with covariance diag(0.1, 1, 0.1) and means 1.5·(k, 0, k mod 4),
 * k = 0..11, then x bent by x₀ ↦ x₀ + 5 sin(3 x₁) and scaled, x ↦ (0.1 x₀ − 0.8, 0.5 x₁).
 * Both maps are invertible maps of x alone (a shear with unit Jacobian, an affine map), so PMI
 * and MI are the base mixture's (./spec.ts); the inverse undoes the scaling, then the shear.
 */
import { GaussianMixture } from './gaussianMixture.js';
import type { MixtureSpec } from './spec.js';

export const WAVES_COMPONENTS = 12;
export const WAVES_AMPLITUDE = 5;
export const WAVES_FREQUENCY = 3;

export function wavesDistribution(): MixtureSpec {
  const components = Array.from({ length: WAVES_COMPONENTS }, (_, k) => ({
    weight: 1 / WAVES_COMPONENTS, mean: [1.5 * k, 0, 1.5 * (k % 4)], cov: [0.1, 0, 0, 0, 1, 0, 0, 0, 0.1],
  }));
  return {
    slug: 'waves', bmiId: `2v1-waves-${WAVES_COMPONENTS}-${WAVES_AMPLITUDE.toFixed(1)}-${WAVES_FREQUENCY.toFixed(1)}`, bmiName: 'Waves 2 × 1',
    description: `Waves 2 × 1: ${WAVES_COMPONENTS} normals 1.5·(k, 0, k mod 4), x₀ += ${WAVES_AMPLITUDE} sin(${WAVES_FREQUENCY}x₁), then x ↦ (0.1x₀ − 0.8, 0.5x₁) (Czyż et al. 2023; BMI task_waves)`,
    mixture: new GaussianMixture(2, 1, components),
    mapX(row, out) {
      const a = row[0] + WAVES_AMPLITUDE * Math.sin(WAVES_FREQUENCY * row[1]);
      out[0] = 0.1 * a - 0.8;
      out[1] = 0.5 * row[1];
    },
    unmapX(row, out) {
      const b = row[1] / 0.5;
      out[0] = (row[0] + 0.8) / 0.1 - WAVES_AMPLITUDE * Math.sin(WAVES_FREQUENCY * b);
      out[1] = b;
    },
  };
}

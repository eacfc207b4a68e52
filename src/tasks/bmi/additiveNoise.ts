/**
 * BMI's additive-noise task (cbg-ethz/bmi src/bmi/samplers/_additive_uniform.py,
 * src/bmi/benchmark/tasks/additive_noise.py): X ~ U(0, 1), N ~ U(−ε, ε), Y = X + N.
 * Closed form (BMI's docstring): I = 1/(4ε) for ε > 1/2, ε − log(2ε) otherwise. It follows from
 * I = h(Y) − h(N) = h(Y) − log(2ε) with Y's trapezoidal density.
 */
import type { TaskRng } from '../../types.js';
import type { Sampler } from './sampler.js';

export function additiveNoiseMi(eps: number): number {
  if (!(eps > 0)) throw new RangeError(`epsilon must be > 0, got ${eps}`);
  return eps > 0.5 ? 0.25 / eps : eps - Math.log(2 * eps);
}

export function additiveNoise(eps: number): Sampler {
  const mi = additiveNoiseMi(eps);
  return {
    dimX: 1, dimY: 1, mi,
    sample(n: number, rng: TaskRng) {
      const x = new Float64Array(n), y = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = rng.uniform();
      for (let i = 0; i < n; i++) y[i] = x[i] + (2 * rng.uniform() - 1) * eps;
      return { x, y };
    },
  };
}

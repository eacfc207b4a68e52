/**
 * The true MI of a mixture task as Czyż et al. (2023) compute it (BMI's
 * bmm.estimate_mutual_information / BMMSampler(mi_estimate_sample)): I(X; Y) = E[PMI(X, Y)],
 * estimated by the mean of the exact PMI over N points drawn from the distribution, with the
 * Monte Carlo standard error SE = sd(PMI)/√N (sd with N − 1). The points are the base mixture's
 * (PMI is unchanged by the task's map of x, ./spec.ts).
 */
import type { TaskRng } from '../../types.js';
import type { MixtureSpec } from './spec.js';

export interface MonteCarloMi {
  mean: number;
  se: number;
  sd: number;
  n: number;
}

export function monteCarloMi(spec: MixtureSpec, n: number, rng: TaskRng): MonteCarloMi {
  const mix = spec.mixture;
  const { x, y } = mix.sample(n, rng);
  const dx = mix.dimX, dy = mix.dimY;
  const pmi = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    pmi[i] = mix.pmi(x.subarray(i * dx, (i + 1) * dx), y.subarray(i * dy, (i + 1) * dy));
    sum += pmi[i];
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (pmi[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, se: sd / Math.sqrt(n), sd, n };
}

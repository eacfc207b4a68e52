/**
 * Helpers shared by the estimators that read the variational critic (src/critics/layout.ts
 * 'variational'), whose score matrix is S[i][j] = log q(y_j | x_i) for a diagonal Gaussian
 * q(y|x): Barber–Agakov (./ba.ts), CLUB (./club.ts), L1Out (./l1out.ts) and DoE (./doe.ts).
 * Each of them trains q by maximum likelihood — the objective's S-part is the mean
 * log-likelihood of the positive pairs, mean_i S_ii (the reference codes' `learning_loss` /
 * `batch_loss`: Linear95/CLUB, mlcolab's torch-mist) — and differs only in what it reports.
 */
import type { BoundOptions } from '../types.js';
import { UsageError } from '../errors.js';

/** mean_i S_ii: the mean log-likelihood log q(y_i | x_i) of the positive pairs. */
export function logLikelihood(s: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i * n + i];
  return sum / n;
}

/** The gradient of mean_i S_ii: 1/n on the diagonal, 0 elsewhere (into out when it has n² entries). */
export function logLikelihoodGrad(n: number, out?: Float64Array): Float64Array {
  const g = out && out.length === n * n ? out.fill(0) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) g[i * n + i] = 1 / n;
  return g;
}

/** The n auxiliary outputs a bound with `aux` needs; a missing or short array is a programming error. */
export function requireAux(name: string, what: string, aux: ArrayLike<number> | undefined, n: number): ArrayLike<number> {
  if (!aux || aux.length < n) throw new RangeError(`${name}: needs the ${n} auxiliary outputs ${what} (got ${aux ? aux.length : 'none'})`);
  return aux;
}

/** options.entropyY, which the training loop fills from the task; without it Barber–Agakov has no value. */
export function requireEntropyY(options: BoundOptions | undefined): number {
  const h = options?.entropyY;
  if (typeof h !== 'number' || !Number.isFinite(h)) {
    throw new UsageError(`ba: needs the entropy H(Y) of y's marginal (boundOptions.entropyY, filled from the task), got ${String(h)}`);
  }
  return h;
}

/**
 * f-DIME (Letizia, Novello & Tonello, "Mutual Information Estimation via f-Divergence and Data
 * Derangements", NeurIPS 2024; the estimators I_KL-DIME, I_GAN-DIME, I_HD-DIME and objectives
 * J_KL, J_GAN, J_HD as their README states them; their code nicolaNovello/fDIME, utils.py
 * `kl_fdime_e`, `gan_fdime_e`, `hd_fdime_e` and the `_deranged` forms, classes.py `fDIME.train`).
 * Train a discriminator D on the variational lower bound J_f(D) ≤ D_f(P_XY ‖ P_X P_Y) of an
 * f-divergence, then report the MI as E_P[log R(D)], with R(D*) = p_XY/(p_X p_Y) at the optimum
 * (I_fDIME = E_P[log (f*)'(T̂)]; the code's `mi_estimate = mean(log(R))` over the batch's joint pairs).
 * options.fdimeF picks f (default 'kl', the paper's headline estimator):
 *
 *   kl   D = softplus(S)   J_KL  = E_P[log D] − E_Q[D] + 1                     R = D
 *   gan  D = σ(−S)         J_GAN = E_P[log(1 − D)] + E_Q[log D] + log 4        R = (1 − D)/D = e^S
 *   hd   D = softplus(−S)  J_HD  = 2 − E_P[D] − E_Q[1/D]                       R = 1/D²
 *
 * E_P is the mean over the diagonal S_ii (joint pairs), E_Q over the n(n−1) off-diagonal entries
 * (product of marginals; with `negatives: 'derangement'`, the f-DIME default, the n pairs
 * (x_i, y_σ(i)) through the fill of ./derangement.ts). objective = J_f, estimate = mean_i log R(D_ii).
 * The optima: D*_KL = p/q, D*_GAN = q/(p + q), D*_HD = √(q/p), so each R(D*) = p/q; J_KL ≤ KL = MI,
 * J_GAN ≤ 2·JS(P‖Q) and J_HD ≤ ∫(√p − √q)² (the squared Hellinger distance, f(u) = (√u − 1)²).
 *
 * Their critic's output T goes through the same activations (softplus for KL and HD, sigmoid for
 * GAN). For GAN and HD we write S = −T, so that on every estimator a larger score means "more
 * like a joint pair" (S → log p/q for GAN, → ½ log p/q where p ≫ q for HD): negating the last
 * layer is a reparametrisation, and with a sign-symmetric initialisation the same estimator.
 * Their `eps` terms (log(D + 1e-7), log(1 − D + 1e-5), 1/(D + 1e7) on the diagonal) only guard
 * float32 logarithms and mask the diagonal; here the logarithms of softplus and σ are taken in
 * closed, stable forms in float64 and the diagonal is simply left out of E_Q.
 *
 * The GAN objective is the JS f-GAN value of ./js.ts plus log 4 (same gradient), and its estimate
 * is the mean joint score mean_i S_ii; js reports NWJ instead.
 * lowerBound is false for every f: E_P[log R(D)] is a plug-in of the learned density ratio, not a
 * variational bound (for KL, E_P[log D] = J_KL + E_Q[D] − 1 exceeds the lower bound J_KL whenever
 * E_Q[D] > 1); the paper reports low variance and consistency, not a bound.
 */
import type { BoundDefinition, BoundOptions, BoundOutput } from '../types.js';
import { UsageError } from '../errors.js';
import { checkScores, diagMean, jsFgan, sigmoid, softplus } from './util.js';

export const FDIME_DIVERGENCES = ['kl', 'gan', 'hd'] as const;
export type FdimeDivergence = (typeof FDIME_DIVERGENCES)[number];

/** Below this, log softplus(x) and its derivative use their expansions in e^x (error O(e^(2x)) < 1e-26). */
const TAIL = -30;

/** log(softplus(x)), finite for every finite x (≈ x as x → −∞). */
export function logSoftplus(x: number): number {
  return x < TAIL ? x - Math.exp(x) / 2 : Math.log(softplus(x));
}

/** d/dx log(softplus(x)) = σ(x)/softplus(x), in (0, 1]. */
export function dLogSoftplus(x: number): number {
  return x < TAIL ? 1 - Math.exp(x) / 2 : sigmoid(x) / softplus(x);
}

/** Read options.fdimeF (default 'kl'). */
export function fdimeDivergence(options?: BoundOptions): FdimeDivergence {
  const f = options?.fdimeF ?? 'kl';
  if (!(FDIME_DIVERGENCES as readonly string[]).includes(f)) throw new UsageError(`fdimeF: must be one of ${FDIME_DIVERGENCES.join(', ')}, got '${String(f)}'`);
  return f;
}

function klDime(s: ArrayLike<number>, n: number, grad: Float64Array): BoundOutput {
  const cOff = 1 / (n * (n - 1));
  let logD = 0, marg = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j, v = s[k];
      if (i === j) { logD += logSoftplus(v); grad[k] = dLogSoftplus(v) / n; } else { marg += softplus(v); grad[k] = -sigmoid(v) * cOff; }
    }
  }
  const estimate = logD / n;
  return { estimate, objective: estimate - marg * cOff + 1, grad };
}

function ganDime(s: ArrayLike<number>, n: number, gradOut?: Float64Array): BoundOutput {
  // log(1 − σ(−S)) = −softplus(−S) and log σ(−S) = −softplus(S): the JS f-GAN value.
  const { value, grad } = jsFgan(s, n, gradOut);
  return { estimate: diagMean(s, n), objective: value + Math.log(4), grad };
}

function hdDime(s: ArrayLike<number>, n: number, grad: Float64Array): BoundOutput {
  const cOff = 1 / (n * (n - 1));
  let logD = 0, joint = 0, marg = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j, v = s[k];
      const l = logSoftplus(-v); // log D
      if (i === j) {
        logD += l; joint += softplus(-v);
        grad[k] = sigmoid(-v) / n; // −dD/dS
      } else {
        marg += Math.exp(-l);
        // −d(1/D)/dS = −σ(−S)/D² = −e^(log σ(−S) − 2 log D)
        grad[k] = -Math.exp(-softplus(v) - 2 * l) * cOff;
      }
    }
  }
  return { estimate: (-2 * logD) / n, objective: 2 - joint / n - marg * cOff, grad };
}

export const fdime: BoundDefinition = {
  name: 'fdime',
  lowerBound: false,
  derangement: true,
  evaluate(scores, n, options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const f = fdimeDivergence(options);
    if (f === 'gan') return ganDime(scores, n, gradOut);
    const grad = gradOut && gradOut.length === n * n ? gradOut : new Float64Array(n * n);
    return f === 'kl' ? klDime(scores, n, grad) : hdDime(scores, n, grad);
  },
};

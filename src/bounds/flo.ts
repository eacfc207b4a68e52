/**
 * FLO (Guo et al., "Tight Mutual Information Estimation With Contrastive Fenchel–Legendre
 * Optimization", NeurIPS 2022; the official `LossFLO`, qingguo666/FLO): with the critic's scores
 * S_ij = g(x_i, y_j) and a second network u(x, y) evaluated on the n positive pairs
 * (u_i = u(x_i, y_i), the auxiliary outputs 'u'),
 *   I_FLO = 1 − (1/n) Σ_i [ u_i + e^(−u_i) · (1/(n−1)) Σ_{j≠i} e^(S_ij − S_ii) ].
 * Why it is a bound: −log a = max_u (1 − u − a·e^(−u)) (the Fenchel–Legendre dual of −log,
 * attained at u = log a), so with a = E_{y'} e^(g(x,y') − g(x,y)) every u gives at most
 * E_p[g] − E_x log E_{y'} e^(g(x,y')) ≤ I(X; Y). The batch value is linear in the negatives'
 * exponentials (j ≠ i: negatives independent of the positive pair), so its expectation obeys the
 * same inequality: a lower bound in expectation (lowerBound true), unlike InfoNCE not capped at log n.
 * Both networks maximise it: estimate = objective.
 * Gradient, with t_i = e^(−u_i) · mean_{j≠i} e^(S_ij − S_ii):  ∂/∂u_i = −(1 − t_i)/n,
 * ∂/∂S_ii = t_i/n,  ∂/∂S_ij = −(t_i/n) · e^(S_ij) / Σ_{k≠i} e^(S_ik)  (j ≠ i).
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, rowLogSumExp } from './util.js';
import { requireAux } from './variational.js';

export const flo: BoundDefinition = {
  name: 'flo',
  lowerBound: true,
  aux: 'u',
  evaluate(scores, n, _options, _state, gradOut, aux): BoundOutput {
    checkScores(scores, n);
    const u = requireAux('flo', 'u(x_i, y_i) on the positive pairs', aux, n);
    const grad = gradOut && gradOut.length === n * n ? gradOut : new Float64Array(n * n);
    const auxGrad = new Float64Array(n);
    const logNeg = Math.log(n - 1);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      const lse = rowLogSumExp(scores, n, i, true);
      const t = Math.exp(lse - logNeg - scores[o + i] - u[i]);
      sum += u[i] + t;
      auxGrad[i] = -(1 - t) / n;
      const c = t / n;
      for (let j = 0; j < n; j++) grad[o + j] = j === i ? c : -c * Math.exp(scores[o + j] - lse);
    }
    const value = 1 - sum / n;
    return { estimate: value, objective: value, grad, auxGrad };
  },
};

/**
 * TUBA (Poole et al. 2019, eq. 8) without a learned baseline, a(y) = 1: 1 + E_P[T] − E_Q[e^T]
 * over the off-diagonal pairs (SMILE's `tuba_lower_bound` with log_baseline None).
 * estimate = objective. Without a baseline TUBA(T) = NWJ(T + 1): the same bound with the critic
 * shifted by 1, so the two differ only in where the optimal critic sits.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, marginalGrad, diagMean, offDiagLogMeanExp } from './util.js';

export const tuba: BoundDefinition = {
  name: 'tuba',
  lowerBound: true,
  derangement: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    // 1/n on the diagonal, −e^(T_ij − log n(n−1)) off it.
    const grad = marginalGrad(scores, n, Math.log(n * (n - 1)), null, gradOut);
    const value = 1 + diagMean(scores, n) - Math.exp(offDiagLogMeanExp(scores, n));
    return { estimate: value, objective: value, grad };
  },
};

/**
 * SMILE (Song & Ermon 2020; paper eq. 7): estimate = E_P[T] − log mean_{i≠j} e^(clip(T_ij, −τ, τ)),
 * the joint term unclipped (as in SMILE's `smile_lower_bound`); τ = options.tau ?? ∞, and τ = ∞
 * reports DV. Training follows the same code: the value is DV-like but the gradient is that of the
 * JS f-GAN objective E_P[−softplus(−T)] − E_Q[softplus(T)], so objective = the JS value.
 * With a finite τ the estimate is neither a lower nor an upper bound (paper §3.2).
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, diagMean, jsFgan, numberOption, offDiagLogMeanExp } from './util.js';

export const smile: BoundDefinition = {
  name: 'smile',
  lowerBound: false,
  derangement: true,
  evaluate(scores, n, options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const tau = numberOption(options?.tau, 'tau', Infinity, 0, Infinity);
    const estimate = diagMean(scores, n) - offDiagLogMeanExp(scores, n, -tau, tau);
    const { value, grad } = jsFgan(scores, n, gradOut);
    return { estimate, objective: value, grad };
  },
};

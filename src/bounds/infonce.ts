/**
 * InfoNCE / CPC (Oord et al. 2018; paper eq. 8): mean_i [T_ii − log Σ_j e^(T_ij)] + log n, the
 * row normaliser including the positive (SMILE's `infonce_lower_bound`). estimate = objective;
 * it never exceeds log n.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, infonceValue } from './util.js';

export const infonce: BoundDefinition = {
  name: 'infonce',
  lowerBound: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const { value, grad } = infonceValue(scores, n, gradOut);
    return { estimate: value, objective: value, grad };
  },
};

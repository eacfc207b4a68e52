/**
 * NWJ (Nguyen, Wainwright & Jordan 2010; paper eq. 5): I ≥ E_P[T] − E_Q[e^(T−1)], E_Q over the
 * n(n−1) off-diagonal pairs (SMILE's `nwj_lower_bound`). estimate = objective.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, nwjValue } from './util.js';

export const nwj: BoundDefinition = {
  name: 'nwj',
  lowerBound: true,
  derangement: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const { value, grad, dLoss32 } = nwjValue(scores, n, gradOut);
    return dLoss32 ? { estimate: value, objective: value, grad, dLoss32 } : { estimate: value, objective: value, grad };
  },
};

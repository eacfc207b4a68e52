/**
 * FlatNCE (Chen et al. 2021, "Simpler, faster, stronger: breaking the log-K curse on contrastive
 * learners", Alg. 1). Per row l_i = log Σ_{j≠i} e^(T_ij − T_ii); FlatNCE's loss e^(l − sg(l))
 * always has value 1 and gradient ∇l, so training maximises objective = −mean_i l_i (whose
 * gradient is FlatNCE's). estimate = the InfoNCE value (paper eq. 8) of the same scores, as the
 * FlatNCE paper reports; the two differ in value and gradient.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, flatnceRows, infonceOnly } from './util.js';

export const flatnce: BoundDefinition = {
  name: 'flatnce',
  lowerBound: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const { sum, grad } = flatnceRows(scores, n, gradOut);
    return { estimate: infonceOnly(scores, n), objective: -sum / n, grad };
  },
};

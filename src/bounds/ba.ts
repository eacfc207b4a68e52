/**
 * Barber–Agakov (Barber & Agakov 2003; Poole et al. 2019, eq. 2, "I_BA"): for any conditional
 * density q(y|x),  I(X; Y) ≥ H(Y) + E_p[log q(y|x)],  since the gap is E_x KL(p(y|x) ‖ q(y|x)) ≥ 0.
 * On the variational critic's scores S[i][j] = log q(y_j | x_i):
 *   estimate = H(Y) + mean_i S_ii,
 * with H(Y) the task's known marginal entropy (options.entropyY, filled by the training loop from
 * TaskDefinition.entropyY). A lower bound for every q (lowerBound true), tight when q = p(y|x).
 * q is trained by maximum likelihood, which is maximising the bound itself: objective = estimate,
 * gradient 1/n on the diagonal (torch-mist's BA: loss −log q(y|x)).
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores } from './util.js';
import { logLikelihood, logLikelihoodGrad, requireEntropyY } from './variational.js';

export const ba: BoundDefinition = {
  name: 'ba',
  lowerBound: true,
  critics: ['variational'],
  heldOutSelection: 'objective',
  needsEntropyY: true,
  evaluate(scores, n, options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const value = requireEntropyY(options) + logLikelihood(scores, n);
    return { estimate: value, objective: value, grad: logLikelihoodGrad(n, gradOut) };
  },
};

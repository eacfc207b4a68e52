/**
 * CLUB, the contrastive log-ratio upper bound (Cheng et al., ICML 2020, the sampled vCLUB
 * estimator; Linear95/CLUB `CLUB.forward`):
 *   I_vCLUB = (1/n) Σ_i log q(y_i | x_i) − (1/n²) Σ_i Σ_j log q(y_j | x_i),
 * the negative term over all n² pairs, the diagonal included, as in both reference codes
 * (Linear95/CLUB's mean over the whole matrix; torch-mist's CLUB with neg_samples = 0). On the
 * variational critic's scores S[i][j] = log q(y_j | x_i): estimate = mean_i S_ii − mean_ij S_ij
 * (q's normalising constants cancel within each row). An upper bound when q = p(y|x) (their
 * Theorem 3.1), and for a learned q when KL(p(x,y) ‖ q(x,y)) ≤ KL(p(x)p(y) ‖ q(x,y)) (Theorem 3.2):
 * reported as an upper bound (upperBound true), its violations counted below the truth.
 * q is trained by maximum likelihood (their `learning_loss`): objective = mean_i S_ii.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores } from './util.js';
import { logLikelihood, logLikelihoodGrad } from './variational.js';

export const club: BoundDefinition = {
  name: 'club',
  lowerBound: false,
  upperBound: true,
  critics: ['variational'],
  heldOutSelection: 'objective',
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    let all = 0;
    for (let k = 0; k < n * n; k++) all += scores[k];
    const ll = logLikelihood(scores, n);
    return { estimate: ll - all / (n * n), objective: ll, grad: logLikelihoodGrad(n, gradOut) };
  },
};

/**
 * DoE, the difference of entropies (McAllester & Stratos, "Formal Limitations on the Measurement
 * of Mutual Information", AISTATS 2020, §"the difference of entropies estimator"):
 * I(X; Y) = H(Y) − H(Y|X), each entropy estimated by a cross-entropy upper bound under a learned
 * density — a marginal p_θ(y) and a conditional q(y|x) —
 *   I_DoE = (1/n) Σ_i [ log q(y_i | x_i) − log p_θ(y_i) ].
 * The difference of two upper bounds is neither a lower nor an upper bound (lowerBound false).
 * Here q is the variational critic (S[i][i] = log q(y_i | x_i)) and p_θ a diagonal Gaussian with
 * learned mean and log-variance (torch-mist's default marginal, a learned affine map of N(0, I)),
 * whose log-densities a_j = log p_θ(y_j) arrive as the auxiliary outputs ('marginal').
 * Both densities are trained by maximum likelihood (torch-mist's DoE.batch_loss, the two
 * cross-entropies summed): objective = mean_i S_ii + mean_j a_j; estimate = mean_i S_ii − mean_j a_j.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores } from './util.js';
import { logLikelihood, logLikelihoodGrad, requireAux } from './variational.js';

export const doe: BoundDefinition = {
  name: 'doe',
  lowerBound: false,
  critics: ['variational'],
  heldOutSelection: 'objective',
  aux: 'marginal',
  evaluate(scores, n, _options, _state, gradOut, aux): BoundOutput {
    checkScores(scores, n);
    const a = requireAux('doe', 'log p(y_j) of the marginal model', aux, n);
    let marginal = 0;
    for (let j = 0; j < n; j++) marginal += a[j];
    marginal /= n;
    const ll = logLikelihood(scores, n);
    return {
      estimate: ll - marginal, objective: ll + marginal,
      grad: logLikelihoodGrad(n, gradOut), auxGrad: new Float64Array(n).fill(1 / n),
    };
  },
};

/**
 * L1Out, the leave-one-out upper bound (Poole et al. 2019, §2.4 "leave one out"; Cheng et al.
 * 2020's L1OutUB baseline): p(y_i) is replaced by the mixture of the other n − 1 conditionals,
 *   I_L1Out = (1/n) Σ_i [ log q(y_i | x_i) − log( (1/(n−1)) Σ_{j≠i} q(y_i | x_j) ) ].
 * On the variational critic's scores S[j][i] = log q(y_i | x_j) the mixture is the column i
 * without its diagonal entry: estimate = mean_i [ S_ii − (logsumexp_{j≠i} S_ji − log(n−1)) ].
 * (Linear95/CLUB's L1OutUB meant to mask the diagonal but adds −20 to every entry; this is the
 * exact leave-one-out.) An upper bound when q = p(y|x) (Poole et al.); with a learned q it is not
 * guaranteed, but it is reported as one (upperBound true), its violations counted below the truth.
 * q is trained by maximum likelihood: objective = mean_i S_ii.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores } from './util.js';
import { logLikelihood, logLikelihoodGrad } from './variational.js';

/** Σ_i logsumexp_{j≠i} S_ji, row-major passes (column maxima, then the column sums around them). */
function leaveOneOutColumns(s: ArrayLike<number>, n: number): number {
  const max = new Float64Array(n).fill(-Infinity);
  for (let j = 0; j < n; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) if (i !== j && !(s[o + i] <= max[i])) max[i] = s[o + i];
  }
  const sum = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) if (i !== j) sum[i] += Math.exp(s[o + i] - max[i]);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = max[i];
    total += Number.isNaN(m) ? NaN : m === Infinity || m === -Infinity ? m : m + Math.log(sum[i]);
  }
  return total;
}

export const l1out: BoundDefinition = {
  name: 'l1out',
  lowerBound: false,
  upperBound: true,
  critics: ['variational'],
  heldOutSelection: 'objective',
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const ll = logLikelihood(scores, n);
    const estimate = ll - (leaveOneOutColumns(scores, n) / n - Math.log(n - 1));
    return { estimate, objective: ll, grad: logLikelihoodGrad(n, gradOut) };
  },
};

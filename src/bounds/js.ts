/**
 * JS (Poole et al. 2019 §2.3; SMILE's `js_lower_bound`): train the critic on the Jensen–Shannon
 * f-GAN objective E_P[−softplus(−T)] − E_Q[softplus(T)] (Nowozin et al. 2016), report the NWJ
 * value (paper eq. 5) of the same scores. estimate = NWJ, objective = JS; they differ in value
 * and gradient.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, jsFgan, nwjOnly } from './util.js';

export const js: BoundDefinition = {
  name: 'js',
  lowerBound: true,
  derangement: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const { value, grad } = jsFgan(scores, n, gradOut);
    return { estimate: nwjOnly(scores, n), objective: value, grad };
  },
};

/**
 * Donsker–Varadhan (paper eq. 2): E_P[T] − log E_Q[e^T], the partition term a log-mean-exp over
 * the n(n−1) off-diagonal pairs. estimate = objective. It is a variational lower bound on MI
 * (the supremum over T equals the KL), so lowerBound is true; on a finite batch the log of a
 * sample mean is biased (Jensen), so a single batch value can still exceed the true MI.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, dvValue } from './util.js';

export const dv: BoundDefinition = {
  name: 'dv',
  lowerBound: true,
  derangement: true,
  evaluate(scores, n, _options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const { value, grad } = dvValue(scores, n, gradOut);
    return { estimate: value, objective: value, grad };
  },
};

/**
 * MICE (Mutual Information Continuity-constrained Estimator, ICLR 2022 submission; OpenReview). The paper states it two ways:
 *  - eq. 14, the NWJ form  E_P[T^SN] − E_Q[e^(T^SN − 1)]   (options.miceForm = 'nwj');
 *  - Algorithm 1, the DV form  (1/n)Σ_i T_ii − log (1/(n(n−1))) Σ_{i≠j} e^(T_ij)   ('dv', default),
 * and Algorithm 1 takes "the gradients on the left-hand side of I_MICE": the partition function's
 * gradient is blocked (stop-gradient), options.miceBlockPartition ?? true.
 * estimate = objective = the chosen form's value. grad: blocked → only E_P[T]'s (1/n on the
 * diagonal, 0 elsewhere); unblocked → the full gradient of the chosen form.
 * Why DV is the default: with the partition gradient blocked, nothing in the NWJ form stops a
 * constant shift of the critic from raising E_Q[e^(T−1)] (and sinking the estimate), while DV is
 * invariant to shifting T; Algorithm 1 is also the training procedure the paper actually writes
 * down. The benchmark decides which is accurate. The spectral norm of the last layer (eq. 13) is
 * the critic's business, not the bound's.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { UsageError } from '../errors.js';
import { checkScores, dvOnly, dvValue, nwjOnly, nwjValue } from './util.js';

export const mice: BoundDefinition = {
  name: 'mice',
  lowerBound: true,
  derangement: true,
  evaluate(scores, n, options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const form = options?.miceForm ?? 'dv';
    if (form !== 'dv' && form !== 'nwj') throw new UsageError(`miceForm: must be 'dv' or 'nwj', got '${String(form)}'`);
    const block = options?.miceBlockPartition ?? true;
    if (typeof block !== 'boolean') throw new UsageError(`miceBlockPartition: must be true or false, got ${String(block)}`);
    if (block) {
      // The partition term's gradient is discarded, so it is not computed.
      const value = form === 'dv' ? dvOnly(scores, n) : nwjOnly(scores, n);
      const grad = gradOut && gradOut.length === n * n ? gradOut.fill(0) : new Float64Array(n * n);
      for (let i = 0; i < n; i++) grad[i * n + i] = 1 / n;
      return { estimate: value, objective: value, grad };
    }
    const full = form === 'dv' ? dvValue(scores, n, gradOut) : nwjValue(scores, n, gradOut);
    const out: BoundOutput = { estimate: full.value, objective: full.value, grad: full.grad };
    const dLoss32 = (full as { dLoss32?: Float32Array }).dLoss32;
    if (dLoss32) out.dLoss32 = dLoss32;
    return out;
  },
};

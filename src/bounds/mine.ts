/**
 * MINE (Belghazi et al. 2018; paper eq. 6). estimate = the batch DV value
 * E_P[T] − log mean_{i≠j} e^(T_ij). Training uses the bias-corrected gradient: the partition
 * term's gradient is mean_{i≠j}(e^T ∇T) / ema, where ema is a moving average of
 * Z = mean_{i≠j} e^(T_ij), carried as state { ema }:
 *   ema ← (1 − r)·ema + r·Z,  r = options.emaRate ?? 0.01,  initialised to the first batch's Z;
 * as in SMILE's `mine_lower_bound`, the current batch is folded in before dividing, which caps
 * Z/ema at 1/r when an outlier batch arrives.
 * objective = E_P[T] − (log ema + Z/ema − 1), with ema held constant: the linearisation of DV's
 * log Z around ema, so its gradient is exactly the bias-corrected one, it equals DV when Z = ema
 * and lies below DV otherwise (log is concave). Not a bound (paper §3.2): lowerBound false.
 */
import type { BoundDefinition, BoundOutput, BoundState } from '../types.js';
import { checkScores, marginalGrad, diagMean, numberOption, offDiagLogMeanExp } from './util.js';

/** The MINE objective and its gradient for a given (constant) moving average `ema`; lme: the batch's offDiagLogMeanExp when the caller has it. */
export function mineObjective(scores: ArrayLike<number>, n: number, ema: number, lme?: number, gradOut?: Float64Array): { value: number; grad: Float64Array } {
  checkScores(scores, n);
  const logEma = Math.log(ema);
  const logNOff = Math.log(n * (n - 1));
  // 1/n on the diagonal, −e^(T_ij − log n(n−1) − log ema) off it.
  const grad = marginalGrad(scores, n, logNOff, logEma, gradOut);
  const ratio = Math.exp((lme ?? offDiagLogMeanExp(scores, n)) - logEma);
  return { value: diagMean(scores, n) - (logEma + ratio - 1), grad };
}

export const mine: BoundDefinition = {
  name: 'mine',
  lowerBound: false,
  derangement: true,
  evaluate(scores, n, options, state?: BoundState, gradOut?: Float64Array): BoundOutput {
    checkScores(scores, n);
    const r = numberOption(options?.emaRate, 'emaRate', 0.01, 0, 1, true);
    const lme = offDiagLogMeanExp(scores, n);
    const z = Math.exp(lme);
    const prev = state?.ema;
    const ema = typeof prev === 'number' ? (1 - r) * prev + r * z : z;
    const { value, grad } = mineObjective(scores, n, ema, lme, gradOut);
    return { estimate: diagMean(scores, n) - lme, objective: value, grad, state: { ema } };
  },
};

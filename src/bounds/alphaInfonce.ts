/**
 * α-InfoNCE: Poole et al. 2019 ("On variational bounds of mutual information"), eq. 11–12, the
 * interpolated bound I_α between NWJ/TUBA (α = 1) and the leave-one-out InfoNCE (α = 0), as in
 * their colab's `interpolated_lower_bound` with the constant baseline a(y) = 1:
 *   B_ij = log(α + (1−α)·m_ij),  m_ij = mean_{k≠j} e^(T_ik)   (row i, column j held out)
 *   I_α  = 1 + mean_{i≠j}(T_ii − B_ij) − mean_{i≠j} e^(T_ij − B_ii).
 * α = options.alpha ?? 0.5. estimate = objective. The gradient is analytic; the sums over held-out
 * terms use leave-one-out log-sum-exps, so every exponential is ≤ 1 up to a factor n.
 */
import type { BoundDefinition, BoundOutput } from '../types.js';
import { checkScores, leaveOneOutLogSumExp, logAddExp, numberOption } from './util.js';

export const alphaInfonce: BoundDefinition = {
  name: 'alpha-infonce',
  lowerBound: true,
  evaluate(scores, n, options, _state, gradOut): BoundOutput {
    checkScores(scores, n);
    const alpha = numberOption(options?.alpha, 'alpha', 0.5, 0, 1);
    const la = Math.log(alpha);
    const l1a = Math.log(1 - alpha);
    const lnm1 = Math.log(n - 1);
    const nOff = n * (n - 1);
    const grad = gradOut && gradOut.length === n * n ? gradOut : new Float64Array(n * n);
    const row = new Float64Array(n);
    const u = new Float64Array(n);
    let joint = 0;
    let marg = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      for (let k = 0; k < n; k++) row[k] = scores[o + k];
      const loo = leaveOneOutLogSumExp(row); // loo[j] = log Σ_{k≠j} e^(T_ik)
      let bii = 0;
      for (let j = 0; j < n; j++) {
        const b = logAddExp(la, l1a + loo[j] - lnm1);
        if (j === i) { bii = b; u[j] = -Infinity; } else { u[j] = -b; joint += row[i] - b; }
      }
      // Joint term: ∂/∂T_ik of −mean_{i≠j} B_ij sums over j ∉ {i, k}, a leave-one-out over u.
      const looU = leaveOneOutLogSumExp(u);
      // Marginal term: Q_i = Σ_{j≠i} e^(T_ij − B_ii); its B_ii also depends on T_ik (k ≠ i).
      const q = Math.exp(loo[i] - bii);
      marg += q;
      const shrink = 1 - (alpha === 1 ? 0 : Math.exp(l1a + loo[i] - lnm1 - bii));
      for (let k = 0; k < n; k++) {
        let g = k === i ? 1 / n : 0;
        if (alpha < 1) g -= Math.exp(l1a - lnm1 + row[k] + looU[k]) / nOff;
        if (k !== i) g -= (Math.exp(row[k] - bii) * shrink) / nOff;
        grad[o + k] = g;
      }
    }
    const value = 1 + joint / nOff - marg / nOff;
    return { estimate: value, objective: value, grad };
  },
};

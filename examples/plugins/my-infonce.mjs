// A bound plugin for mi-harness: InfoNCE/CPC (Oord et al. 2018), written from scratch as a
// template for your own estimator. Load it with `--plugin examples/plugins/my-infonce.mjs`
// (harness run, sweep, report) and check it with `harness check-plugin`.
//
// The contract (the built-in bounds' own, src/types.ts BoundDefinition):
//   evaluate(scores, n, options?, state?) → { estimate, objective, grad }
//   - scores: Float64Array of n×n, row-major, scores[i*n + j] = T(x_i, y_j); the diagonal holds
//     pairs drawn from the joint, the off-diagonal pairs from the product of the marginals;
//   - estimate: the MI value this batch reports (nats);
//   - objective: what training maximises (here the same value);
//   - grad: dObjective/dScores, a Float64Array of n×n (the engines backpropagate it);
//   - state: optional, returned when the bound carries state between steps (none here).
// It must be pure: same inputs, same outputs; never modify `scores` or `state`.
//
// InfoNCE: I ≥ mean_i [T_ii − log Σ_j e^(T_ij)] + log n, at most log n. This file computes it
// with the same floating-point operations as the built-in `infonce`, so it trains to the same
// numbers bit for bit (test/plugins.test.ts checks that in `run` and in a 2-worker `sweep`).

function rowLogSumExp(s, n, i) {
  let m = -Infinity;
  for (let j = 0; j < n; j++) m = Math.max(m, s[i * n + j]);
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp(s[i * n + j] - m);
  return m + Math.log(sum);
}

const myInfonce = {
  name: 'my-infonce',
  lowerBound: true,
  evaluate(scores, n) {
    const grad = new Float64Array(n * n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const lse = rowLogSumExp(scores, n, i);
      sum += scores[i * n + i] - lse;
      for (let j = 0; j < n; j++) grad[i * n + j] = ((i === j ? 1 : 0) - Math.exp(scores[i * n + j] - lse)) / n;
    }
    const value = sum / n + Math.log(n);
    return { estimate: value, objective: value, grad };
  },
};

export default { bounds: [myInfonce] };

// A task plugin for mi-harness: a Gaussian channel with x ∈ R³ and y ∈ R², as a template for
// your own task. Load it with `--plugin examples/plugins/gaussian-channel.mjs`; then
// `harness tasks`, `harness sample --task example:gaussian-channel-3x2 …`, `harness run --task …`
// and `harness sweep --tasks …` all know it. Check it with `harness check-plugin`.
//
// The contract (src/types.ts TaskDefinition, in the spirit of BMI's ISampler):
//   { id, dimX, dimY, trueMi?, family?, description?, sample(n, rng, options) → { x, y } }
//   - x: n×dimX numbers, row-major; y: n×dimY;
//   - draw ONLY from rng (rng.uniform() in [0, 1), rng.normal() standard normal), in a fixed
//     order, so a seed always gives the same sample (never Math.random);
//   - trueMi: the exact MI in nats; leave it out for a staircase task, whose sampler then reads
//     options.mi (the MI the current level asks for).
//
// The channel: x ~ N(0, I₃), y = W x + σ ε with ε ~ N(0, I₂), W = [[1, 0.5, 0], [0, 1, −1]],
// σ = 1. Then I(X; Y) = ½ log det(I₂ + W Wᵀ / σ²) (the Gaussian channel's capacity formula at
// this input covariance): W Wᵀ = [[1.25, 0.5], [0.5, 2]], so I = ½ log(2.25 · 3 − 0.25).

const W = [[1, 0.5, 0], [0, 1, -1]];
const SIGMA = 1;
const trueMi = 0.5 * Math.log((1 + 1.25) * (1 + 2) - 0.5 * 0.5);

export default {
  tasks: [{
    id: 'example:gaussian-channel-3x2',
    family: 'example',
    description: 'x ~ N(0, I₃), y = W x + ε in R² (a Gaussian channel; examples/plugins/gaussian-channel.mjs)',
    dimX: 3,
    dimY: 2,
    trueMi,
    sample(n, rng) {
      const x = new Float64Array(n * 3), y = new Float64Array(n * 2);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 3; k++) x[i * 3 + k] = rng.normal();
        for (let r = 0; r < 2; r++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += W[r][k] * x[i * 3 + k];
          y[i * 2 + r] = s + SIGMA * rng.normal();
        }
      }
      return { x, y };
    },
  }],
};

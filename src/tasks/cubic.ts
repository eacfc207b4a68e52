/**
 * Cubic task (paper §5.1): the Gaussian task with y ↦ y³ applied elementwise. The map is a
 * bijection, so I(X; Y³) = I(X; Y): the exact MI is the Gaussian one.
 */
export function cubeInPlace(y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i] * y[i] * y[i];
}

/** The Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * H(Y³) of the Cubic task's y, nats. Per coordinate, for y ~ N(0, 1) and the bijection z = y³,
 * H(Z) = H(Y) + E[log |dz/dy|] = ½·log(2πe) + E[log 3y²] = ½·log(2πe) + log 3 + 2·E[log |y|], and
 * E[log |y|] = −(γ + log 2)/2 for a standard normal (γ: Euler–Mascheroni); the d coordinates are
 * independent, so H(Y³) = d·(½·log(2πe) + log 3 − γ − log 2) ≈ 1.2472·d at every MI level.
 */
export function cubicEntropyY(dim: number): number {
  return dim * (0.5 * Math.log(2 * Math.PI * Math.E) + Math.log(3) - EULER_GAMMA - Math.log(2));
}

/**
 * Half-cube staircase (the f-DIME code, nicolaNovello/fDIME utils.py, sample_correlated_gaussian
 * and sample_gaussian with mode "half-cube"; Letizia, Novello & Tonello, NeurIPS 2024): the
 * Gaussian task's (x, y) (src/tasks/gaussian.ts) with t ↦ sign(t)·|t|^{3/2} = t·√|t| applied
 * elementwise to BOTH x and y, as the code does (unlike the paper's cubic task, which maps y only).
 *
 * True MI: t ↦ t√|t| is a continuous, strictly increasing bijection of R (a homeomorphism,
 * smooth away from 0), so it is an invertible map of each side and I(f(X); f(Y)) = I(X; Y):
 * exactly the Gaussian task's MI, i.e. the level. Because it transforms the Gaussian task's
 * sample, ρ_batch (paper eq. 18–19) carries over unchanged.
 */
export function halfCubeInPlace(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i] * Math.sqrt(Math.abs(a[i]));
}

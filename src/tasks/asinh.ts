/**
 * Asinh staircase (the f-DIME code, nicolaNovello/fDIME utils.py, sample_correlated_gaussian and
 * sample_gaussian with mode "asinh"; Letizia, Novello & Tonello, "Mutual Information Estimation
 * via f-Divergence and Data Derangements", NeurIPS 2024, the "asinh" staircase): the Gaussian
 * task's (x, y) (src/tasks/gaussian.ts; the code's rho_gauss_corr form y = ρx + √(1 − ρ²)ε) with
 * t ↦ asinh t = log(t + √(1 + t²)) applied elementwise to BOTH x and y, as the code does.
 *
 * True MI: asinh is a smooth bijection of R, so the elementwise map is a diffeomorphism of each
 * side and I(asinh X; asinh Y) = I(X; Y) (MI is invariant under invertible maps of each variable):
 * exactly the Gaussian task's MI, i.e. the level. Computed here with Math.asinh, the same
 * function without the log form's cancellation for negative t. Because it transforms the Gaussian
 * task's sample, ρ_batch (paper eq. 18–19) carries over unchanged.
 */
export function asinhInPlace(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.asinh(a[i]);
}

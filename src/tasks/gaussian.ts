/**
 * Gaussian task (Belghazi et al. 2018; Poole et al. 2019; paper §5.1): x, y ∈ R^d, each
 * coordinate pair correlated with ρ, independent across coordinates. Exact MI
 *   I(X; Y) = −(d/2)·log(1 − ρ²),   so for a target I:  ρ = sqrt(1 − exp(−2I/d)).
 */
export function rhoForMi(mi: number, dim: number): number {
  if (!(mi >= 0)) throw new RangeError(`MI must be >= 0, got ${mi}`);
  return Math.sqrt(-Math.expm1((-2 * mi) / dim));
}

export function miForRho(rho: number, dim: number): number {
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`rho must be in [0, 1), got ${rho}`);
  return -(dim / 2) * Math.log1p(-rho * rho);
}

/**
 * H(Y) of the Gaussian task's y, nats: y ~ N(0, I_d) at every MI (y_i = ρx_i + sqrt(1 − ρ²)ε_i with
 * x_i and ε_i standard normal; ρ_batch correlates the xs across the batch but leaves each marginal
 * standard), so H(Y) = (d/2)·log(2πe) whatever the level. The Barber–Agakov bound needs it.
 */
export function gaussianEntropyY(dim: number): number {
  return (dim / 2) * Math.log(2 * Math.PI * Math.E);
}

/**
 * Special functions the BMI tasks need: the standard normal CDF (BMI's `normal_cdf`,
 * ½(1 + erf(x/√2)), here through erfc for accuracy in the tails), log Γ and ψ (the Student-t
 * entropy). From @stdlib, whose implementations follow Cephes/FDLIBM.
 */
import erfc from '@stdlib/math-base-special-erfc';
import gammaln from '@stdlib/math-base-special-gammaln';
import digamma from '@stdlib/math-base-special-digamma';

export { gammaln, digamma };

/** Φ(x) = ½ erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Gaussian mixtures over (x, y) with their exact densities: the building block of the "fine"
 * distributions of Czyż, Grabowski, Vogt, Beerenwinkel & Marx, "The Mixtures and the Neural
 * Critics: On the Pointwise Mutual Information Profiles of Fine Distributions" (2023; BMI's
 * bmm.mixture and bmm.MultivariateNormalDistribution, cbg-ethz/bmi src/bmi/samplers/_tfp/).
 *
 *   p(x, y) = Σ_k w_k N((x, y); μ_k, Σ_k),  p(x) = Σ_k w_k N(x; μ_k^x, Σ_k^xx),  p(y) likewise,
 *
 * since a Gaussian's marginal is the Gaussian of its mean's and covariance's blocks. So the
 * pointwise MI PMI(x, y) = log p(x, y) − log p(x) − log p(y) is exact (log-sum-exp over the
 * components, each log-density through a Cholesky factor), and I(X; Y) = E[PMI] is a Monte
 * Carlo mean over the mixture's own sample (./monteCarlo.ts).
 *
 * Sampling, fixed order per point: one uniform picks the component (inverse CDF of the
 * weights), then dimX + dimY normals z give μ_k + L_k z.
 */
import type { TaskRng } from '../../types.js';
import { block, cholesky, lowerTimes } from '../bmi/linalg.js';

export interface Component {
  weight: number;
  /** Mean of (x, y), length dimX + dimY. */
  mean: number[];
  /** Covariance of (x, y), row-major (dimX + dimY)². */
  cov: number[];
}

/** A Gaussian's log-density through its Cholesky factor: −½‖L⁻¹(v − μ)‖² − Σ log L_ii − (m/2) log 2π. */
class Normal {
  private readonly l: Float64Array;
  private readonly logNorm: number;
  private readonly r: Float64Array;
  constructor(readonly mean: Float64Array, cov: Float64Array, readonly m: number) {
    this.l = cholesky(cov, m);
    let logDiag = 0;
    for (let i = 0; i < m; i++) logDiag += Math.log(this.l[i * m + i]);
    this.logNorm = -logDiag - 0.5 * m * Math.log(2 * Math.PI);
    this.r = new Float64Array(m);
  }
  /** log N(v[from .. from + m); μ, Σ). */
  logPdf(v: ArrayLike<number>, from = 0): number {
    const { l, m, r } = this;
    let q = 0;
    for (let i = 0; i < m; i++) {
      let s = v[from + i] - this.mean[i];
      for (let k = 0; k < i; k++) s -= l[i * m + k] * r[k];
      r[i] = s / l[i * m + i];
      q += r[i] * r[i];
    }
    return this.logNorm - 0.5 * q;
  }
  /** μ + L z into out. */
  draw(z: Float64Array, out: Float64Array): void {
    lowerTimes(this.l, this.m, z, out);
    for (let i = 0; i < this.m; i++) out[i] += this.mean[i];
  }
}

function logSumExp(a: Float64Array): number {
  let max = -Infinity;
  for (const v of a) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const v of a) s += Math.exp(v - max);
  return max + Math.log(s);
}

export class GaussianMixture {
  readonly k: number;
  private readonly logW: Float64Array;
  private readonly cum: Float64Array;
  private readonly joint: Normal[];
  private readonly margX: Normal[];
  private readonly margY: Normal[];
  private readonly buf: Float64Array;
  private readonly point: Float64Array;
  /** One-dimensional y: each component's mean and standard deviation of y (for entropyY1d). */
  private readonly yMoments: { mean: number; sd: number }[];

  constructor(readonly dimX: number, readonly dimY: number, components: Component[]) {
    const m = dimX + dimY;
    const total = components.reduce((s, c) => s + c.weight, 0);
    if (!(Math.abs(total - 1) < 1e-12)) throw new RangeError(`mixture weights must sum to 1, got ${total}`);
    this.k = components.length;
    this.logW = Float64Array.from(components, (c) => Math.log(c.weight));
    this.cum = new Float64Array(this.k);
    let acc = 0;
    components.forEach((c, i) => { acc += c.weight; this.cum[i] = acc; });
    this.joint = components.map((c) => {
      if (c.mean.length !== m || c.cov.length !== m * m) throw new RangeError(`a component needs a mean of ${m} and a ${m}×${m} covariance`);
      return new Normal(Float64Array.from(c.mean), Float64Array.from(c.cov), m);
    });
    this.margX = components.map((c) => new Normal(Float64Array.from(c.mean.slice(0, dimX)), block(c.cov, m, 0, dimX), dimX));
    this.margY = components.map((c) => new Normal(Float64Array.from(c.mean.slice(dimX)), block(c.cov, m, dimX, m), dimY));
    this.buf = new Float64Array(this.k);
    this.point = new Float64Array(m);
    this.yMoments = dimY === 1 ? components.map((c) => ({ mean: c.mean[dimX], sd: Math.sqrt(c.cov[dimX * m + dimX]) })) : [];
  }

  /**
   * H(Y) = −∫ p(y) log p(y) dy for a one-dimensional y (the Barber–Agakov bound needs it), by
   * composite Simpson over the union of the components' μ ± 14σ intervals (outside them every
   * component's density is below 1e-42 of its peak), at a step of 1/200 of the smallest σ an
   * interval covers: the integrand is smooth at that scale.
   */
  entropyY1d(): number {
    if (this.dimY !== 1) throw new RangeError('entropyY1d: y must be one-dimensional');
    const iv = this.yMoments.map((c) => ({ lo: c.mean - 14 * c.sd, hi: c.mean + 14 * c.sd, sd: c.sd })).sort((a, b) => a.lo - b.lo);
    const merged: { lo: number; hi: number; sd: number }[] = [];
    for (const v of iv) {
      const last = merged[merged.length - 1];
      if (last && v.lo <= last.hi) { last.hi = Math.max(last.hi, v.hi); last.sd = Math.min(last.sd, v.sd); } else merged.push({ ...v });
    }
    const y = new Float64Array(1);
    const f = (t: number) => { y[0] = t; const l = this.logY(y); return -Math.exp(l) * l; };
    let total = 0;
    for (const { lo, hi, sd } of merged) {
      const panels = 2 * Math.ceil((hi - lo) / (sd / 200) / 2), h = (hi - lo) / panels;
      let s = f(lo) + f(hi);
      for (let k = 1; k < panels; k++) s += (k % 2 ? 4 : 2) * f(lo + k * h);
      total += (s * h) / 3;
    }
    return total;
  }

  private mix(parts: Normal[], v: ArrayLike<number>, from: number): number {
    for (let j = 0; j < this.k; j++) this.buf[j] = this.logW[j] + parts[j].logPdf(v, from);
    return logSumExp(this.buf);
  }

  /** log p(x, y) for one point given as x (length dimX) and y (length dimY). */
  logJoint(x: ArrayLike<number>, y: ArrayLike<number>): number {
    const v = this.point;
    for (let i = 0; i < this.dimX; i++) v[i] = x[i];
    for (let i = 0; i < this.dimY; i++) v[this.dimX + i] = y[i];
    return this.mix(this.joint, v, 0);
  }

  logX(x: ArrayLike<number>, from = 0): number { return this.mix(this.margX, x, from); }
  logY(y: ArrayLike<number>, from = 0): number { return this.mix(this.margY, y, from); }

  /** PMI(x, y) = log p(x, y) − log p(x) − log p(y). */
  pmi(x: ArrayLike<number>, y: ArrayLike<number>): number {
    return this.logJoint(x, y) - this.logX(x) - this.logY(y);
  }

  /** n points; x is n×dimX and y n×dimY, row-major. */
  sample(n: number, rng: TaskRng): { x: Float64Array; y: Float64Array } {
    const { dimX, dimY } = this;
    const m = dimX + dimY;
    const x = new Float64Array(n * dimX), y = new Float64Array(n * dimY);
    const z = new Float64Array(m), v = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      let c = 0;
      while (c < this.k - 1 && u >= this.cum[c]) c++;
      for (let r = 0; r < m; r++) z[r] = rng.normal();
      this.joint[c].draw(z, v);
      for (let r = 0; r < dimX; r++) x[i * dimX + r] = v[r];
      for (let r = 0; r < dimY; r++) y[i * dimY + r] = v[dimX + r];
    }
    return { x, y };
  }
}

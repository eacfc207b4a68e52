/**
 * KSG: the Kraskov–Stögbauer–Grassberger k-nearest-neighbour MI estimator (Phys. Rev. E 69,
 * 066138, 2004), algorithm 1 (their eq. 8), with the max-norm in every space:
 *   Î(X; Y) = ψ(k) + ψ(N) − ⟨ψ(n_x(i) + 1) + ψ(n_y(i) + 1)⟩_i,
 * where ε_i is the distance from z_i = (x_i, y_i) to its k-th nearest neighbour in the joint
 * space (‖z − z'‖ = max(‖x − x'‖∞, ‖y − y'‖∞)) and n_x(i) (n_y(i)) counts the points other than
 * i strictly closer than ε_i to x_i (y_i) in the marginal space. The non-neural reference of the
 * BMI preset. Neighbour searches use k-d trees (./kdtree.ts): O(N log N) in low dimensions.
 * The raw value is returned (it can be slightly negative at MI ≈ 0; BMI's own KSG clamps at 0).
 */
import digamma from '@stdlib/math-base-special-digamma';
import { KdTree } from './kdtree.js';

/**
 * Joint dimensions up to which the k-d tree is used. Above it pruning fails (every box is within
 * reach of every query) and one flat pass over all pairs per point, computing both marginal
 * distances at once, is several times faster: O(N² (d_x + d_y)).
 */
export const KSG_TREE_MAX_DIM = 6;

export function ksg(x: Float64Array, y: Float64Array, n: number, dimX: number, dimY: number, k = 5): number {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`ksg: k must be an integer >= 1, got ${k}`);
  if (n <= k) throw new RangeError(`ksg: needs more than k = ${k} points, got ${n}`);
  if (x.length !== n * dimX || y.length !== n * dimY) throw new RangeError('ksg: x must be n×dimX and y n×dimY');
  return dimX + dimY <= KSG_TREE_MAX_DIM ? ksgTree(x, y, n, dimX, dimY, k) : ksgPairwise(x, y, n, dimX, dimY, k);
}

function ksgTree(x: Float64Array, y: Float64Array, n: number, dimX: number, dimY: number, k: number): number {
  const dz = dimX + dimY;
  const z = new Float64Array(n * dz);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dimX; a++) z[i * dz + a] = x[i * dimX + a];
    for (let b = 0; b < dimY; b++) z[i * dz + dimX + b] = y[i * dimY + b];
  }
  const tz = new KdTree(z, n, dz), tx = new KdTree(x, n, dimX), ty = new KdTree(y, n, dimY);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const eps = tz.kthNeighbourDistance(i, k);
    // countWithin includes the point itself when ε > 0 (ε = 0 only for k duplicated points).
    const nx = eps > 0 ? tx.countWithin(i, eps) - 1 : 0;
    const ny = eps > 0 ? ty.countWithin(i, eps) - 1 : 0;
    acc += digamma(nx + 1) + digamma(ny + 1);
  }
  return digamma(k) + digamma(n) - acc / n;
}

/** All pairs, one point at a time: both marginal distances in one pass, k-th joint one by selection. */
function ksgPairwise(x: Float64Array, y: Float64Array, n: number, dimX: number, dimY: number, k: number): number {
  const dx = new Float64Array(n), dy = new Float64Array(n), dz = new Float64Array(n - 1);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * dimX, yo = i * dimY;
    let p = 0;
    for (let j = 0; j < n; j++) {
      let mx = 0, my = 0;
      const xj = j * dimX, yj = j * dimY;
      for (let c = 0; c < dimX; c++) { const g = Math.abs(x[xo + c] - x[xj + c]); if (g > mx) mx = g; }
      for (let c = 0; c < dimY; c++) { const g = Math.abs(y[yo + c] - y[yj + c]); if (g > my) my = g; }
      dx[j] = mx; dy[j] = my;
      if (j !== i) dz[p++] = mx > my ? mx : my;
    }
    const eps = kthSmallest(dz, k - 1);
    let nx = 0, ny = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (dx[j] < eps) nx++;
      if (dy[j] < eps) ny++;
    }
    acc += digamma(nx + 1) + digamma(ny + 1);
  }
  return digamma(k) + digamma(n) - acc / n;
}

/** The r-th smallest entry (0-based) by quickselect; reorders `a`. */
function kthSmallest(a: Float64Array, r: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (r <= j) hi = j; else if (r >= i) lo = i; else break;
  }
  return a[r];
}

/** The same estimator by brute force, O(N²): the tests' independent check of the k-d tree. */
export function ksgBruteForce(x: Float64Array, y: Float64Array, n: number, dimX: number, dimY: number, k = 5): number {
  const dist = (a: Float64Array, d: number, i: number, j: number) => {
    let m = 0;
    for (let c = 0; c < d; c++) m = Math.max(m, Math.abs(a[i * d + c] - a[j * d + c]));
    return m;
  };
  let acc = 0;
  const dj = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let j = 0; j < n; j++) if (j !== i) dj[p++] = Math.max(dist(x, dimX, i, j), dist(y, dimY, i, j));
    const eps = Float64Array.from(dj).sort()[k - 1];
    let nx = 0, ny = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (dist(x, dimX, i, j) < eps) nx++;
      if (dist(y, dimY, i, j) < eps) ny++;
    }
    acc += digamma(nx + 1) + digamma(ny + 1);
  }
  return digamma(k) + digamma(n) - acc / n;
}

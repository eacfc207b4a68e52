/**
 * A static k-d tree under the max-norm (Chebyshev distance), for KSG (./ksg.ts): k-nearest-
 * neighbour distances in the joint space and strict range counts in the marginal spaces.
 * Built by median splits on the widest coordinate (O(N log N)); each node keeps its bounding
 * box so a query can skip a subtree whose box is out of reach and count a subtree wholesale
 * when its box lies inside the ball. In low dimensions a query visits O(log N) nodes; in high
 * dimensions (BMI's 50 × 50 task) pruning weakens and queries approach a linear scan.
 */

const LEAF = 16;

export class KdTree {
  readonly n: number;
  readonly d: number;
  private readonly pts: Float64Array;
  private readonly idx: Int32Array;
  // Nodes in arrays: [lo, hi) range of idx, children (−1 for a leaf), bounding box.
  private lo: number[] = [];
  private hi: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private boxMin: Float64Array[] = [];
  private boxMax: Float64Array[] = [];

  /** points: n×d row-major (copied by reference: do not mutate while the tree is in use). */
  constructor(points: Float64Array, n: number, d: number) {
    if (points.length !== n * d) throw new RangeError(`KdTree: expected ${n * d} coordinates, got ${points.length}`);
    this.n = n; this.d = d; this.pts = points;
    this.idx = new Int32Array(n);
    for (let i = 0; i < n; i++) this.idx[i] = i;
    if (n > 0) this.build(0, n);
  }

  private build(lo: number, hi: number): number {
    const node = this.lo.length;
    const { d, pts, idx } = this;
    const mn = new Float64Array(d).fill(Infinity), mx = new Float64Array(d).fill(-Infinity);
    for (let a = lo; a < hi; a++) {
      const o = idx[a] * d;
      for (let k = 0; k < d; k++) { const v = pts[o + k]; if (v < mn[k]) mn[k] = v; if (v > mx[k]) mx[k] = v; }
    }
    this.lo.push(lo); this.hi.push(hi); this.left.push(-1); this.right.push(-1);
    this.boxMin.push(mn); this.boxMax.push(mx);
    if (hi - lo <= LEAF) return node;
    let axis = 0, spread = -1;
    for (let k = 0; k < d; k++) if (mx[k] - mn[k] > spread) { spread = mx[k] - mn[k]; axis = k; }
    if (!(spread > 0)) return node; // all points equal: keep as a leaf
    const mid = (lo + hi) >> 1;
    this.select(lo, hi - 1, mid, axis);
    this.left[node] = this.build(lo, mid);
    this.right[node] = this.build(mid, hi);
    return node;
  }

  /** Quickselect idx[lo..hi] so that idx[k] holds the k-th smallest along `axis`. */
  private select(lo: number, hi: number, k: number, axis: number): void {
    const { idx, pts, d } = this;
    const key = (a: number) => pts[idx[a] * d + axis];
    while (hi > lo) {
      const pivot = key((lo + hi) >> 1);
      let i = lo, j = hi;
      while (i <= j) {
        while (key(i) < pivot) i++;
        while (key(j) > pivot) j--;
        if (i <= j) { const t = idx[i]; idx[i] = idx[j]; idx[j] = t; i++; j--; }
      }
      if (k <= j) hi = j; else if (k >= i) lo = i; else return;
    }
  }

  /** Max-norm distance from point q (offset qo in `qs`) to the node's box (0 inside). */
  private boxDist(node: number, qs: Float64Array, qo: number): number {
    const mn = this.boxMin[node], mx = this.boxMax[node];
    let m = 0;
    for (let k = 0; k < this.d; k++) {
      const v = qs[qo + k];
      const g = v < mn[k] ? mn[k] - v : v > mx[k] ? v - mx[k] : 0;
      if (g > m) m = g;
    }
    return m;
  }

  /** Largest max-norm distance from q to any point of the node's box. */
  private boxFar(node: number, qs: Float64Array, qo: number): number {
    const mn = this.boxMin[node], mx = this.boxMax[node];
    let m = 0;
    for (let k = 0; k < this.d; k++) {
      const v = qs[qo + k];
      const g = Math.max(Math.abs(v - mn[k]), Math.abs(mx[k] - v));
      if (g > m) m = g;
    }
    return m;
  }

  private dist(i: number, qs: Float64Array, qo: number): number {
    const o = i * this.d;
    let m = 0;
    for (let k = 0; k < this.d; k++) { const g = Math.abs(this.pts[o + k] - qs[qo + k]); if (g > m) m = g; }
    return m;
  }

  /**
   * Distance from tree point `self` to its k-th nearest other point (max-norm). The point itself
   * is excluded by index, so duplicates of it count as neighbours at distance 0.
   */
  kthNeighbourDistance(self: number, k: number): number {
    if (k >= this.n) throw new RangeError(`KdTree: k = ${k} needs more than ${this.n} points`);
    const best = new Float64Array(k).fill(Infinity); // ascending
    const qo = self * this.d;
    const visit = (node: number): void => {
      if (this.boxDist(node, this.pts, qo) >= best[k - 1] && best[k - 1] !== Infinity) return;
      if (this.left[node] < 0) {
        for (let a = this.lo[node]; a < this.hi[node]; a++) {
          const j = this.idx[a];
          if (j === self) continue;
          const dj = this.dist(j, this.pts, qo);
          if (dj < best[k - 1]) {
            let p = k - 1;
            while (p > 0 && best[p - 1] > dj) { best[p] = best[p - 1]; p--; }
            best[p] = dj;
          }
        }
        return;
      }
      const l = this.left[node], r = this.right[node];
      const dl = this.boxDist(l, this.pts, qo), dr = this.boxDist(r, this.pts, qo);
      if (dl <= dr) { visit(l); visit(r); } else { visit(r); visit(l); }
    };
    visit(0);
    return best[k - 1];
  }

  /** How many tree points lie at max-norm distance strictly below r from tree point `self` (itself included). */
  countWithin(self: number, r: number): number {
    const qo = self * this.d;
    const visit = (node: number): number => {
      if (this.boxDist(node, this.pts, qo) >= r) return 0;
      if (this.boxFar(node, this.pts, qo) < r) return this.hi[node] - this.lo[node];
      if (this.left[node] < 0) {
        let c = 0;
        for (let a = this.lo[node]; a < this.hi[node]; a++) if (this.dist(this.idx[a], this.pts, qo) < r) c++;
        return c;
      }
      return visit(this.left[node]) + visit(this.right[node]);
    };
    return visit(0);
  }
}

/**
 * KSG (src/estimators/ksg.ts): the k-d tree search and the all-pairs pass against a
 * straightforward O(N²) transcription of Kraskov et al.'s algorithm 1 (identical numbers, since
 * they compute the same counts), and the estimate against known MI: independent variables
 * (≈ 0) and correlated Gaussians (−½ log(1 − ρ²)), with tolerances from KSG's known spread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/rng.js';
import { ksg, ksgBruteForce, KSG_TREE_MAX_DIM } from '../src/estimators/ksg.js';
import { KdTree } from '../src/estimators/kdtree.js';
import { runKsgJob } from '../src/estimators/run.js';

function gaussPairs(rng: Rng, n: number, d: number, rho: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n * d), y = new Float64Array(n * d);
  for (let i = 0; i < n * d; i++) { x[i] = rng.normal(); y[i] = rho * x[i] + Math.sqrt(1 - rho * rho) * rng.normal(); }
  return { x, y };
}

test('k-d tree: k-th neighbour distances and strict range counts equal a linear scan', () => {
  const rng = new Rng(['kdtree']);
  for (const d of [1, 2, 3, 7]) {
    const n = 400, pts = Float64Array.from({ length: n * d }, () => rng.normal());
    // Duplicate a few points: ties and zero distances must be handled like the scan does.
    for (let k = 0; k < d; k++) { pts[5 * d + k] = pts[9 * d + k]; pts[6 * d + k] = pts[9 * d + k]; }
    const tree = new KdTree(pts, n, d);
    const dist = (i: number, j: number) => { let m = 0; for (let k = 0; k < d; k++) m = Math.max(m, Math.abs(pts[i * d + k] - pts[j * d + k])); return m; };
    for (const i of [0, 5, 9, 123, 399]) {
      const all = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).map((j) => dist(i, j)).sort((a, b) => a - b);
      for (const k of [1, 2, 5, 10]) assert.equal(tree.kthNeighbourDistance(i, k), all[k - 1], `d=${d} i=${i} k=${k}`);
      for (const r of [0, 1e-9, 0.3, 1, 5]) assert.equal(tree.countWithin(i, r), all.filter((v) => v < r).length + (r > 0 ? 1 : 0), `d=${d} i=${i} r=${r}`);
    }
  }
});

test('both search paths give exactly the brute-force estimate (low and high dimension)', () => {
  const rng = new Rng(['ksg-brute']);
  for (const [dx, dy] of [[1, 1], [2, 1], [3, 3], [6, 4]]) {
    const n = 300, { x } = gaussPairs(rng, n, dx, 0);
    const y = Float64Array.from({ length: n * dy }, (_, i) => 0.6 * x[(Math.floor(i / dy) * dx) + (i % dy) % dx] + 0.8 * rng.normal());
    for (const k of [1, 5]) {
      assert.equal(ksg(x, y, n, dx, dy, k), ksgBruteForce(x, y, n, dx, dy, k), `${dx}×${dy} k=${k} (${dx + dy <= KSG_TREE_MAX_DIM ? 'tree' : 'pairwise'})`);
    }
  }
});

test('estimates: ≈ 0 for independent variables, ≈ −½ log(1 − ρ²) per coordinate for Gaussians', () => {
  // At N = 4 000 KSG's standard deviation is about 0.01–0.02 nats for these MIs (Kraskov et al.,
  // Fig. 4); its bias for Gaussians at k = 5 is below 0.01 in one dimension and grows with the
  // dimension (underestimation), hence the looser bound for d = 3.
  const rng = new Rng(['ksg-values']);
  const n = 4000;
  const ind = gaussPairs(rng, n, 1, 0);
  assert.ok(Math.abs(ksg(ind.x, ind.y, n, 1, 1, 5)) < 0.05);
  for (const [d, rho, tol] of [[1, 0.75, 0.05], [1, 0.9, 0.05], [3, 0.6, 0.1]]) {
    const { x, y } = gaussPairs(rng, n, d, rho);
    const truth = -0.5 * d * Math.log(1 - rho * rho);
    const est = ksg(x, y, n, d, d, 5);
    assert.ok(Math.abs(est - truth) < tol, `d=${d} ρ=${rho}: KSG ${est}, true ${truth}`);
  }
  assert.throws(() => ksg(ind.x.subarray(0, 5), ind.y.subarray(0, 5), 5, 1, 1, 5), RangeError);
});

test('a KSG job runs on the seed\'s fixed, standardised sample and reports the task\'s true MI', () => {
  const r = runKsgJob({ kind: 'ksg', task: 'bmi:binormal', seed: 2, size: 2000, k: 5 });
  assert.equal(r.trueMi.toFixed(4), '0.4133');
  assert.ok(Math.abs(r.estimate - r.trueMi) < 0.06, `estimate ${r.estimate}`);
  assert.equal(r.backend, 'kd-tree');
  assert.equal(runKsgJob({ kind: 'ksg', task: 'bmi:binormal', seed: 2, size: 2000, k: 5 }).estimate, r.estimate);
});

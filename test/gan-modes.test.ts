/**
 * The mode counter and the high-quality share (src/gan/modes.ts) on synthetic samples whose
 * coverage is known by construction. Threshold under test: a mode counts when at least
 * DEFAULT_MIN_PER_MODE (20) samples lie within 3σ (σ = 0.05, so 0.15) of its mean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countModes, DEFAULT_MIN_PER_MODE } from '../src/gan/modes.js';
import { GRID_MEANS, GRID_SIGMA, sampleGrid } from '../src/gan/data.js';
import { Rng } from '../src/rng.js';

/** `perMode` points on each of the given modes, spread inside the 3σ disc (radius ≤ 2.9σ). */
function onModes(modes: number[], perMode: number, rng: Rng): [number, number][] {
  const pts: [number, number][] = [];
  for (const k of modes) {
    for (let i = 0; i < perMode; i++) {
      const r = 2.9 * GRID_SIGMA * Math.sqrt(rng.uniform()), a = 2 * Math.PI * rng.uniform();
      pts.push([GRID_MEANS[k][0] + r * Math.cos(a), GRID_MEANS[k][1] + r * Math.sin(a)]);
    }
  }
  return pts;
}

test('grid: 25 distinct means on {−4, −2, 0, 2, 4}², σ = 0.05', () => {
  assert.equal(GRID_MEANS.length, 25);
  assert.equal(new Set(GRID_MEANS.map(([x, y]) => `${x},${y}`)).size, 25);
  for (const [x, y] of GRID_MEANS) for (const v of [x, y]) assert.ok([-4, -2, 0, 2, 4].includes(v));
  assert.equal(GRID_SIGMA, 0.05);
});

test('samples on exactly k of the 25 modes → k modes, all high quality', () => {
  const rng = new Rng(['test-modes']);
  for (const k of [0, 1, 7, 13, 25]) {
    const modes = Array.from({ length: 25 }, (_, i) => i).filter((i) => (i * 7) % 25 < k); // k distinct modes
    assert.equal(modes.length, k);
    const r = countModes(onModes(modes, 40, rng));
    assert.equal(r.modes, k);
    if (k > 0) assert.equal(r.highQuality, 1);
    assert.deepEqual(r.perMode.map((c, i) => (modes.includes(i) ? c === 40 : c === 0)), new Array(25).fill(true));
  }
});

test('the per-mode threshold: 19 samples do not make a mode, 20 do', () => {
  assert.equal(DEFAULT_MIN_PER_MODE, 20);
  const rng = new Rng(['test-threshold']);
  const pts = [...onModes([0, 1, 2], 20, rng), ...onModes([3, 4], 19, rng)];
  const r = countModes(pts);
  assert.equal(r.modes, 3);
  assert.equal(r.highQuality, 1);
  assert.equal(countModes(pts, { minPerMode: 19 }).modes, 5);
  assert.equal(countModes(pts, { minPerMode: 1 }).modes, 5);
});

test('high-quality share on a mix of on-mode and far-away points equals the known fraction', () => {
  const rng = new Rng(['test-hq']);
  const on = onModes([0, 5, 12, 24], 175, rng); // 700 on-mode points
  const far: [number, number][] = [];
  for (let i = 0; i < 300; i++) {
    // Just outside 3σ (3.1σ … 10σ) and in the gaps between modes: never high quality.
    const k = i % 25, r = (3.1 + 6.9 * rng.uniform()) * GRID_SIGMA, a = 2 * Math.PI * rng.uniform();
    far.push(i % 2 === 0 ? [GRID_MEANS[k][0] + r * Math.cos(a), GRID_MEANS[k][1] + r * Math.sin(a)] : [rng.range(-0.9, 0.9) + 1, 1]);
  }
  far[0] = [NaN, 0]; // a diverged sample counts as low quality, not as an error
  const r = countModes([...on, ...far]);
  assert.equal(r.highQuality, 0.7);
  assert.equal(r.modes, 4);
});

test('flat [n, 2] arrays and pair arrays give the same count; the target itself scores ~all modes', () => {
  const flat = sampleGrid(new Rng(['test-target']), 2500);
  const pairs: [number, number][] = [];
  for (let i = 0; i < 2500; i++) pairs.push([flat[2 * i], flat[2 * i + 1]]);
  const a = countModes(flat), b = countModes(pairs);
  assert.deepEqual(a, b);
  assert.equal(a.modes, 25);
  // 3σ in 2-D holds 1 − e^(−4.5) ≈ 98.9% of an isotropic Gaussian's mass.
  assert.ok(Math.abs(a.highQuality - (1 - Math.exp(-4.5))) < 0.01, `highQuality ${a.highQuality}`);
});

test('reverse KL of the mode histogram from uniform: 0 when even, log 25 on one mode, log(25/k) on k even modes, NaN with none', async () => {
  const { reverseKlUniform } = await import('../src/gan/modes.js');
  const rng = new Rng(['rkl']);
  const even = countModes(onModes([...Array(25).keys()], 40, rng).flat());
  assert.ok(Math.abs(reverseKlUniform(even.perMode)) < 1e-12);
  const one = countModes(onModes([7], 100, rng).flat());
  assert.ok(Math.abs(reverseKlUniform(one.perMode) - Math.log(25)) < 1e-12);
  const five = countModes(onModes([0, 3, 12, 18, 24], 60, rng).flat());
  assert.ok(Math.abs(reverseKlUniform(five.perMode) - Math.log(5)) < 1e-12);
  // Low-quality samples do not enter the histogram.
  assert.ok(Number.isNaN(reverseKlUniform(countModes([[1, 1], [3, -3]]).perMode)));
  // Uneven: 3 modes with shares 1/2, 1/4, 1/4.
  const q = [0.5, 0.25, 0.25];
  const uneven = countModes([...onModes([1], 50, rng), ...onModes([2], 25, rng), ...onModes([3], 25, rng)].flat());
  assert.ok(Math.abs(reverseKlUniform(uneven.perMode) - q.reduce((s, p) => s + p * Math.log(25 * p), 0)) < 1e-12);
});

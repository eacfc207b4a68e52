/** Figure specs carry what the paper's figures show, and render headless to SVG. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../src/stats/aggregate.js';
import { parseRecord } from '../src/stats/records.js';
import { buildPlots } from '../src/report/plots.js';
import { renderSvg } from '../src/report/render.js';
import { fixtureCells, fakeGan, PAPER_LIKE, type FakeEstimator } from './report-fixtures.js';

const exploding: FakeEstimator = { estimator: 'dv', bias: () => -1e6, sd: () => 1e5 };

function summary() {
  const cells = fixtureCells({ estimators: [PAPER_LIKE[3], PAPER_LIKE[4], exploding], seeds: [1, 2, 3], batchRhos: [0, 0.5], stepsPerLevel: 40 });
  const gans = [fakeGan('vanilla', 1), fakeGan('mice', 1)];
  return aggregate([...cells, ...gans].map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `${i}.json`)), { resamples: 100 });
}

test('figure set: Fig. 1 trajectories, Fig. 2/3 bias-variance-MSE, Fig. 5 ρ_batch, GAN scatter, ranking', () => {
  const names = buildPlots(summary()).map((p) => p.name).sort();
  assert.deepEqual(names, [
    'bias-variance-mse-separable-gaussian-rho0-n64.svg', 'bias-variance-mse-separable-gaussian-rho0.5-n64.svg',
    'gan-samples.svg', 'ranking.svg', 'rho-mse-separable-gaussian-n64.svg', 'rho-trajectory-separable-gaussian-n64.svg',
    'trajectory-gaussian-rho0-n64.svg', 'trajectory-gaussian-rho0.5-n64.svg',
  ]);
});

test('trajectory spec: the true-MI staircase, log n, raw and EMA series, and an off-scale note for an exploding estimator', () => {
  const t = buildPlots(summary()).find((p) => p.name === 'trajectory-gaussian-rho0-n64.svg')!;
  const rows = (t.spec.data as { values: { est: string; kind: string; v: number; step: number; text?: string }[] }).values;
  const truth = rows.filter((r) => r.est === 'mice' && r.kind === 'truth');
  assert.deepEqual(truth.map((r) => [r.step, r.v]), [[0, 2], [40, 4], [80, 6], [120, 8], [160, 10], [199, 10]]);
  assert.ok(Math.abs(rows.find((r) => r.kind === 'logn')!.v - Math.log(64)) < 1e-12);
  assert.ok(rows.some((r) => r.est === 'mice' && r.kind === 'raw') && rows.some((r) => r.est === 'mice' && r.kind === 'ema'));
  const notes = rows.filter((r) => r.kind === 'note');
  assert.deepEqual(notes.map((r) => r.est), ['dv']);
  assert.match(notes[0].text!, /% of points off scale/);
});

test('specs render to SVG headless, with the estimator names and axis titles as text', async () => {
  const plots = buildPlots(summary());
  for (const name of ['bias-variance-mse-separable-gaussian-rho0-n64.svg', 'gan-samples.svg']) {
    const svg = await renderSvg(plots.find((p) => p.name === name)!.spec);
    assert.match(svg, /^<svg /);
    if (name.startsWith('bias')) {
      for (const label of ['mice', 'infonce', 'true MI (nats)', 'MSE']) assert.ok(svg.includes(label), `${name} lacks '${label}'`);
    } else {
      assert.ok(svg.includes('vanilla, seed 1') && svg.includes('target'));
    }
  }
});

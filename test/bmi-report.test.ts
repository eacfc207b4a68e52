/**
 * The BMI section of the report (src/stats/bmi.ts, src/report/bmi.ts) and the `bmi` preset's
 * grid: the table in BMI's shape (tasks × estimators, true MI beside), the ranking's arithmetic
 * on hand-made records, a small end-to-end sweep through the pool (finite-sample cells and KSG
 * jobs in one store, byte-identical report on a rebuild), and a mixed store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bmiSummary } from '../src/stats/bmi.js';
import { bmiSection } from '../src/report/bmi.js';
import type { CellRecord, KsgRecord } from '../src/stats/records.js';
import { expandGrid, isKsg, criticSize } from '../harness/sweep/grid.js';
import { preset } from '../harness/sweep/presets.js';
import { applyConfig, parseConfig } from '../harness/sweep/config.js';
import { jobHash } from '../harness/sweep/hash.js';
import type { CellSpec } from '../src/types.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cell(task: string, estimator: string, seed: number, estimate: number, trueMi: number): CellRecord {
  const spec = { estimator, boundOptions: {}, critic: 'joint', spectralNorm: false, task, mi: [trueMi], stepsPerLevel: 100, batchSize: 64, dim: 1, batchRho: 0, seed, hidden: 64, embed: 16, lr: 5e-4, engine: 'auto', backend: 'auto', finiteSample: { size: 1000, testShare: 0.5, evalEvery: 50 } } as CellSpec;
  return {
    kind: 'cell', file: `${task}-${estimator}-${seed}.json`, spec, estimator, critic: 'joint', task, batchRho: 0, batchSize: 64, seed,
    engine: 'wasm', backend: 'x', msPerStep: 1, levels: [{ trueMi, window: [50, 100], mean: 0, bias: 0, variance: 0, mse: 0, violations: 0, nonFinite: 0, emaViolations: 0, emaSettle: 100 }],
    trajectory: { step: [], estimate: [], ema: [] }, maxEstimate: NaN, logN: Math.log(64), provenance: {}, heldOut: { estimate, final: estimate, steps: 100 },
  };
}
const ksgRec = (task: string, seed: number, estimate: number, trueMi: number): KsgRecord => ({ kind: 'ksg', file: `k-${task}-${seed}.json`, task, seed, size: 1000, k: 5, estimate, trueMi, provenance: {} });

test('summary: means over seeds, divergences counted, ranks by |mean − true| with shared ties, factor-1.5 share', () => {
  const t1 = 'bmi:binormal', t2 = 'bmi:uniform', mi = -0.5 * Math.log(1 - 0.75 ** 2);
  const s = bmiSummary([
    cell(t1, 'infonce', 0, 0.40, mi), cell(t1, 'infonce', 1, 0.42, mi),
    cell(t1, 'nwj', 0, 0.30, mi), cell(t1, 'nwj', 1, NaN, mi),
    ksgRec(t1, 0, 0.45, mi), ksgRec(t1, 1, 0.45, mi),
    cell(t2, 'infonce', 0, 0.20, mi), cell(t2, 'nwj', 0, 0.20, mi), ksgRec(t2, 0, 0.9, mi),
  ]);
  assert.deepEqual(s.rows.map((r) => r.task), [t1, t2]); // BMI's order
  assert.deepEqual(s.entries.map((e) => e.label), ['nwj · joint', 'infonce · joint', 'KSG (k=5)']);
  const c = s.rows[0].cells['nwj · joint'];
  assert.deepEqual([c.seeds, c.nonFinite, c.mean], [2, 1, 0.30]);
  assert.ok(Math.abs(s.rows[0].cells['infonce · joint'].mean - 0.41) < 1e-12);
  const rank = Object.fromEntries(s.ranking.map((r) => [r.label, r]));
  // Task 1 errors: infonce 0.003 (1), KSG 0.037 (2), nwj 0.113 (3). Task 2: infonce = nwj = 0.213 (tie, 1.5 each), KSG 0.487 (3).
  assert.equal(rank['infonce · joint'].meanRank, 1.25);
  assert.equal(rank['nwj · joint'].meanRank, 2.25);
  assert.equal(rank['KSG (k=5)'].meanRank, 2.5);
  assert.equal(rank['infonce · joint'].within15, 0.5); // 0.41 yes, 0.20 no (ratio 0.48)
  assert.equal(rank['KSG (k=5)'].within15, 0.5); // 0.45 yes, 0.9 no (ratio 2.18)
  assert.equal(s.ranking[0].label, 'infonce · joint');
  assert.equal(s.points.length, 9);
});

test('ranking over the tasks every estimator ran (a partly run store, the preset\'s wide tasks without a joint critic); a diverged mean ranks last; fewer seeds are marked', () => {
  const t1 = 'bmi:binormal', t2 = 'bmi:uniform', t3 = 'bmi:multinormal-dense-50x50', mi = 0.4;
  const recs = [
    cell(t1, 'infonce', 0, 0.39, mi), cell(t1, 'infonce', 1, 0.39, mi), cell(t1, 'nwj', 0, NaN, mi), cell(t1, 'nwj', 1, NaN, mi), ksgRec(t1, 0, 0.30, mi), ksgRec(t1, 1, 0.30, mi),
    cell(t2, 'infonce', 0, 0.10, mi), cell(t2, 'infonce', 1, 0.10, mi), cell(t2, 'nwj', 0, 0.38, mi), cell(t2, 'nwj', 1, 0.38, mi), ksgRec(t2, 0, 0.45, mi), ksgRec(t2, 1, 0.45, mi),
    // t3: KSG only (as the preset's wide tasks have no joint cells), one seed of two so far.
    ksgRec(t3, 0, 0.41, mi),
  ];
  const s = bmiSummary(recs);
  assert.deepEqual(s.rankTasks, [t1, t2]);
  const rank = Object.fromEntries(s.ranking.map((r) => [r.label, r]));
  // t1: infonce 0.01 (1), KSG 0.10 (2), nwj diverged (3). t2: nwj 0.02 (1), KSG 0.05 (2), infonce 0.30 (3). t3 does not count.
  assert.equal(rank['infonce · joint'].meanRank, 2);
  assert.equal(rank['nwj · joint'].meanRank, 2);
  assert.equal(rank['KSG (k=5)'].meanRank, 2); // not 1.67: t3, where it ran alone, is left out
  assert.deepEqual([rank['KSG (k=5)'].tasks, rank['nwj · joint'].tasks], [3, 2]);
  // Only KSG ran all three tasks: no second ranking of one. Add a second estimator on t3 and there is one, over all three.
  assert.equal(s.allTasks, undefined);
  const s2 = bmiSummary([...recs, cell(t3, 'infonce', 0, 0.2, mi)]);
  assert.deepEqual(s2.allTasks?.tasks, [t1, t2, t3]);
  // Errors t1: infonce 0.01 (1), KSG 0.10 (2); t2: KSG 0.05 (1), infonce 0.30 (2); t3: KSG 0.01 (1), infonce 0.20 (2).
  assert.deepEqual(s2.allTasks?.ranking.map((r) => [r.label, r.meanRank]), [['KSG (k=5)', 4 / 3], ['infonce · joint', 5 / 3]]);
  assert.match(bmiSection(s2), /The estimators that ran all 3 tasks, ranked over all of them/);
  const md = bmiSection(s);
  assert.match(md, /over the 2 of 3 tasks every estimator ran/);
  assert.match(md, /\| \*\*0\.41\*\* \(1\/2 seeds\) \|/);
  assert.match(md, /diverged \(2\/2\)/);
});

test('the bmi preset: 40 tasks × 6 variants × 5 seeds separable, the joint critic on the 33 tasks with d_x + d_y ≤ 10, KSG per task and seed, critics sized by dimension', () => {
  const jobs = expandGrid(preset('bmi'));
  const cells = jobs.filter((j): j is CellSpec => !('kind' in j));
  const inputs = (c: CellSpec) => c.dim + (c.dimY ?? c.dim);
  assert.equal(cells.filter((c) => c.critic === 'separable').length, 40 * 6 * 5);
  const joint = cells.filter((c) => c.critic === 'joint');
  assert.equal(joint.length, 33 * 6 * 5);
  assert.ok(joint.every((c) => inputs(c) <= 10));
  assert.equal(jobs.filter(isKsg).length, 40 * 5);
  for (const c of cells) {
    assert.deepEqual(c.finiteSample, { size: 5000, testShare: 0.5, evalEvery: 250 });
    assert.equal(c.hidden, criticSize(c.dim, c.dimY ?? c.dim).hidden);
    assert.equal(c.mi.length, 1);
  }
  const roll = cells.find((c) => c.task === 'bmi:swissroll-2x1')!;
  assert.deepEqual([roll.dim, roll.dimY, roll.hidden], [2, 1, 64]);
  const wide = cells.find((c) => c.task === 'bmi:multinormal-dense-50x50')!;
  assert.deepEqual([wide.dim, wide.dimY, wide.hidden, wide.embed], [50, undefined, 128, 16]);
});

test('resizing the bmi preset kept every address: its jobs are the full grid\'s ("jointMaxInputs": null) minus the wide tasks\' joint cells', () => {
  const full = expandGrid(applyConfig(preset('bmi'), parseConfig({ preset: 'bmi', jointMaxInputs: null })));
  assert.equal(full.filter((j) => !('kind' in j)).length, 40 * 6 * 2 * 5);
  const resized = new Set(expandGrid(preset('bmi')).map((j) => jobHash(j)));
  const left = full.filter((j) => !resized.has(jobHash(j)));
  assert.equal(resized.size + left.length, full.length, 'every job of the resized preset is a job of the full grid');
  assert.equal(left.length, 7 * 6 * 5);
  for (const j of left) {
    const c = j as CellSpec;
    assert.equal(c.critic, 'joint');
    assert.ok(c.dim + (c.dimY ?? c.dim) > 10, c.task);
  }
  // A config can also lower the threshold; a grid it empties says why.
  const small = expandGrid(applyConfig(preset('bmi'), parseConfig({ preset: 'bmi', jointMaxInputs: 2, critics: ['joint'], ksg: null })));
  assert.equal(small.length, 9 * 6 * 5); // the nine 1 × 1 tasks
  assert.throws(() => expandGrid(applyConfig(preset('bmi'), parseConfig({ preset: 'bmi', critics: ['joint'], tasks: ['bmi:multinormal-dense-50x50'], ksg: null }))),
    /grid is empty.*jointMaxInputs 10/);
});

test('end to end: a small BMI sweep (2 workers) writes the BMI leaderboard, bmi.csv and the heatmap; a rebuild is byte-identical', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-bmi-report-'));
  const config = join(dir, 'bmi.json');
  writeFileSync(config, JSON.stringify({
    preset: 'bmi', tasks: ['bmi:binormal', 'bmi:swissroll-2x1'], estimators: ['infonce', 'nwj'], critics: ['separable'], seeds: 2,
    stepsPerLevel: 80, finiteSample: { size: 600, testShare: 0.5, evalEvery: 20 },
  }));
  const parent = join(dir, 'results');
  const out = join(parent, 'bmi');
  const r = harness(['sweep', '--config', config, '--workers', '2', '--no-gpu', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const md = readFileSync(join(out, 'LEADERBOARD.md'), 'utf8');
  assert.match(md, /^# MI estimator leaderboard: BMI suite/);
  assert.match(md, /## BMI suite/);
  assert.match(md, /\| task \| d_x × d_y \| true MI \| nwj · separable \| infonce · separable \| KSG \(k=5\) \|/);
  assert.match(md, /\| bmi:binormal \| 1 × 1 \| 0\.41 \|/);
  assert.match(md, /\| bmi:swissroll-2x1 \| 2 × 1 \| 0\.41 \|/);
  assert.match(md, /### BMI ranking/);
  assert.match(md, /plots\/bmi-heatmap\.svg/);
  const csv = readFileSync(join(out, 'bmi.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'task,estimator,seed,estimate,true_mi');
  assert.equal(csv.length - 1, 2 * 3 * 2);
  assert.match(readFileSync(join(out, 'plots', 'bmi-heatmap.svg'), 'utf8'), /^<svg/);
  const before = [md, readFileSync(join(out, 'bmi.csv'), 'utf8'), readFileSync(join(out, 'plots', 'bmi-heatmap.svg'), 'utf8')];
  const again = harness(['report', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual([readFileSync(join(out, 'LEADERBOARD.md'), 'utf8'), readFileSync(join(out, 'bmi.csv'), 'utf8'), readFileSync(join(out, 'plots', 'bmi-heatmap.svg'), 'utf8')], before);
  // The headline store beside it links to it.
  const head = harness(['sweep', '--preset', 'smoke', '--seeds', '1', '--estimators', 'nwj', '--workers', '1', '--no-gpu', '--out', parent]);
  assert.equal(head.code, 0, head.stderr);
  assert.match(readFileSync(join(parent, 'LEADERBOARD.md'), 'utf8'), /## Other result stores[\s\S]*- \[bmi\/\]\(bmi\/LEADERBOARD\.md\): MI estimator leaderboard: BMI suite/);
  // A store with staircase cells too: the usual leaderboard, then the BMI section.
  const mixed = harness(['sweep', '--preset', 'smoke', '--seeds', '1', '--estimators', 'nwj', '--workers', '1', '--no-gpu', '--out', out]);
  assert.equal(mixed.code, 0, mixed.stderr);
  const md2 = readFileSync(join(out, 'LEADERBOARD.md'), 'utf8');
  assert.match(md2, /^# MI estimator leaderboard\n/);
  assert.match(md2, /## Headline[\s\S]*## BMI suite/);
  assert.doesNotMatch(md2.split('## BMI suite')[0], /bmi:binormal/); // BMI cells stay out of the staircase tables
});

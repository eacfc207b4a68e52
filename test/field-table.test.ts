/**
 * The field table (src/stats/field.ts, src/report/field.ts): scale-free errors, the IQM with a
 * seed-bootstrap CI, ranks per suite, the order over the suites every estimator ran, divergence
 * as infinite error, upper/lower bounds marked, cost with its clock, byte-identical output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecord, type CellRecord, type KsgRecord, type StoreRecord } from '../src/stats/records.js';
import { fieldErrors, fieldSummary, seedBootstrapIqm, recordCost, sharedSuites, type EstimateKind } from '../src/stats/field.js';
import { fieldCsv, fieldSection } from '../src/report/field.js';
import { fixtureCells, type FakeEstimator } from './report-fixtures.js';
import { interquartileMean } from '../src/stats/describe.js';

const parse = (cells: object[], prefix: string): StoreRecord[] =>
  cells.map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `${prefix}-${String(i).padStart(4, '0')}.json`));

const GOOD: FakeEstimator = { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.05, sd: () => 0.1 };
const MID: FakeEstimator = { estimator: 'nwj', bias: (mi) => -0.1 * mi, sd: () => 0.3 };
const BAD: FakeEstimator = { estimator: 'infonce', bias: (mi, n) => Math.min(0, Math.log(n) - mi), sd: () => 0.1 };
const DIVERGES: FakeEstimator = { estimator: 'mice', bias: () => 0, sd: () => 0.1, divergeAt: () => 10 };

const kindOf = (e: string): EstimateKind => (e === 'club' ? 'upper' : e === 'ksg' ? 'estimate' : 'lower');
const suiteOf = (r: CellRecord | KsgRecord) => (r.task === 'gaussian' ? 'paper staircases' : r.task === 'asinh' ? 'field staircases' : 'other');

function store(): StoreRecord[] {
  const a = fixtureCells({ estimators: [GOOD, MID, BAD], seeds: [0, 1, 2, 3, 4], tasks: ['gaussian'], stepsPerLevel: 100 });
  const b = fixtureCells({ estimators: [GOOD, MID, BAD, DIVERGES], seeds: [0, 1, 2, 3, 4], tasks: ['asinh'], stepsPerLevel: 100 });
  return [...parse(a, 'a'), ...parse(b, 'b')];
}

test('field errors: √MSE / I per level; a diverged level is +∞; BMI and KSG use |Î − I| / I', () => {
  const [r] = store() as CellRecord[];
  const e = fieldErrors(r);
  assert.equal(e.length, r.levels.length);
  r.levels.forEach((l, k) => assert.equal(e[k], Math.sqrt(l.mse) / l.trueMi));
  const div = store().find((x) => x.kind === 'cell' && x.estimator === 'mice') as CellRecord;
  assert.ok(fieldErrors(div).every((v) => v === Infinity), 'every level after the divergence is infinite');
  const ksg: KsgRecord = { kind: 'ksg', file: 'k.json', task: 't', seed: 0, size: 100, k: 5, estimate: 0.8, trueMi: 1, provenance: {} };
  assert.ok(Math.abs(fieldErrors(ksg)[0] - 0.2) < 1e-12);
  const held = { ...r, heldOut: { estimate: 1.5, final: 1.4, steps: 10 }, levels: [{ ...r.levels[0], trueMi: 1 }] } as CellRecord;
  assert.equal(fieldErrors(held)[0], 0.5);
});

test('field summary: ranks follow accuracy in each suite; divergence ranks last; order over the suites every estimator ran', () => {
  const s = fieldSummary(store(), { suiteOf, kindOf, suiteOrder: ['paper staircases', 'field staircases'], resamples: 200 });
  assert.deepEqual(s.suites, ['paper staircases', 'field staircases']);
  // Three estimators ran both suites (6 ranks), mice only the field staircases (4 ranks with the
  // three): the common suites are both, and mice follows by its one rank.
  assert.deepEqual(s.commonSuites, ['paper staircases', 'field staircases']);
  const byLabel = new Map(s.rows.map((r) => [r.entry.label, r]));
  const good = byLabel.get('smile(τ=1) · separable')!, bad = byLabel.get('infonce · separable')!, mice = byLabel.get('mice · separable')!;
  assert.equal(good.suites['paper staircases'].rank, 1);
  assert.equal(good.suites['field staircases'].rank, 1);
  assert.equal(mice.suites['field staircases'].rank, 4, 'a diverged estimator ranks last');
  assert.equal(mice.suites['field staircases'].iqm.estimate, Infinity);
  assert.equal(mice.suites['paper staircases'], undefined);
  assert.equal(good.suites['paper staircases'].of, 3);
  assert.equal(good.suites['field staircases'].of, 4);
  assert.ok(bad.suites['paper staircases'].rank > good.suites['paper staircases'].rank);
  assert.equal(s.rows[0].entry.label, 'smile(τ=1) · separable');
  assert.equal(s.rows.at(-1)!.entry.label, 'mice · separable');
  for (const r of s.rows) {
    for (const c of Object.values(r.suites)) {
      if (!Number.isFinite(c.iqm.estimate)) continue;
      assert.ok(c.iqm.low <= c.iqm.estimate && c.iqm.estimate <= c.iqm.high, `${r.entry.label}: CI brackets the IQM`);
      assert.equal(c.values, 5 * 5, 'five levels × five seeds');
      assert.equal(c.seeds, 5);
    }
  }
});

test('common suites: the set of suites holding the most ranks, not the suite with the most rows', () => {
  const suites = ['A', 'B', 'BMI'];
  const row = (...ran: string[]) => ({ suites: Object.fromEntries(ran.map((s) => [s, {}])) });
  const jointOnly = [row('BMI'), row('BMI'), row('BMI')];
  // BMI has the most rows (7), but A and B together hold 10 ranks over the 5 estimators that ran both.
  const partial = [row('A', 'B', 'BMI'), row('A', 'B', 'BMI'), row('A', 'B'), row('A', 'B'), row('A', 'B'), ...jointOnly];
  assert.deepEqual(sharedSuites(suites, partial), ['A', 'B']);
  // Once four of the five ran BMI too, all three suites hold the most (12 against 10 and 7).
  const most = [row('A', 'B', 'BMI'), row('A', 'B', 'BMI'), row('A', 'B', 'BMI'), row('A', 'B', 'BMI'), row('A', 'B'), ...jointOnly];
  assert.deepEqual(sharedSuites(suites, most), ['A', 'B', 'BMI']);
  // A tie goes to the larger set: 2 × 2 = 1 × 4.
  assert.deepEqual(sharedSuites(['A', 'B'], [row('A', 'B'), row('A', 'B'), row('A'), row('A')]), ['A', 'B']);
  assert.deepEqual(sharedSuites(suites, []), []);
});

test('seed bootstrap: one seed is degenerate; the IQM is over every value of every seed', () => {
  assert.deepEqual(seedBootstrapIqm([[1, 2, 3, 4]], ['x']), { estimate: 2.5, low: 2.5, high: 2.5 });
  const bySeed = [[1, 2], [3, 4], [10, 20]];
  const r = seedBootstrapIqm(bySeed, ['x'], 500);
  assert.equal(r.estimate, interquartileMean([1, 2, 3, 4, 10, 20]));
  assert.ok(r.low < r.estimate && r.high > r.estimate);
  assert.deepEqual(seedBootstrapIqm(bySeed, ['x'], 500), r, 'seeded: same interval twice');
});

test('cost: CPU time where the cell recorded it, else wall time, and the clock is said', () => {
  const [r] = store() as CellRecord[];
  assert.deepEqual(recordCost({ ...r, provenance: { cpuMs: 2500, wallMs: 9000 } }), { s: 2.5, clock: 'cpu' });
  assert.deepEqual(recordCost({ ...r, provenance: { wallMs: 9000 } }), { s: 9, clock: 'wall' });
  assert.equal(recordCost({ ...r, provenance: {} }).clock, 'none');
});

test('field section: upper bounds marked, every suite a column, byte-identical twice; CSV one row per estimator and suite', () => {
  const recs = store().map((r) => (r.kind === 'cell' && r.estimator === 'nwj' ? { ...r, estimator: 'club', spec: { ...r.spec, estimator: 'club' } } : r)) as StoreRecord[];
  const s = fieldSummary(recs, { suiteOf, kindOf, resamples: 200 });
  const md = fieldSection(s, { costSuite: 'field staircases' });
  assert.match(md, /\| club · separable \| upper bound \|/);
  assert.match(md, /\| smile\(τ=1\) · separable \| lower bound \|/);
  assert.match(md, /field staircases \| paper staircases/);
  assert.match(md, /wall s \/ cell \(field staircases\)/, 'fixture cells carry wall time only: the header says so');
  assert.match(md, /\*\*smile\(τ=1\) · separable\*\*/);
  assert.equal(fieldSection(fieldSummary(recs, { suiteOf, kindOf, resamples: 200 }), { costSuite: 'field staircases' }), md);
  const csv = fieldCsv(s).trim().split('\n');
  assert.equal(csv.length, 1 + 3 * 2 + 1, 'three estimators in two suites, mice in one');
});

test('harness report: a store with field cells gets the Field table (with a companion store\'s BMI cells via --with) and field.csv; a paper-only store does not', async () => {
  const { mkdtemp, readFile, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeStore } = await import('./report-fixtures.js');
  const { writeReport } = await import('../harness/report.js');
  const root = await mkdtemp(join(tmpdir(), 'mi-field-'));
  try {
    const field = join(root, 'field'), bmi = join(root, 'bmi'), paper = join(root, 'paper');
    await writeStore(field, [
      ...fixtureCells({ estimators: [GOOD, MID], seeds: [0, 1, 2], tasks: ['gaussian', 'asinh'], stepsPerLevel: 60 }),
      ...fixtureCells({ estimators: [GOOD, MID], seeds: [0, 1, 2], tasks: ['mix:x'], mi: [0.4106], stepsPerLevel: 60 }),
    ]);
    // A BMI-protocol cell: finite-sample spec and a held-out estimate.
    const held = fixtureCells({ estimators: [GOOD], seeds: [0, 1], tasks: ['bmi:binormal'], mi: [0.41], stepsPerLevel: 60 })
      .map((c) => ({ ...c, spec: { ...c.spec, finiteSample: { size: 100, testShare: 0.5, evalEvery: 10 } }, heldOut: { estimate: 0.4, final: 0.39, evals: [], steps: 60, trainSize: 50, testSize: 50 } }));
    await writeStore(bmi, held);
    await writeStore(paper, fixtureCells({ estimators: [GOOD, MID], seeds: [0, 1, 2], tasks: ['gaussian'], stepsPerLevel: 60 }));
    const warn = () => {};
    await writeReport(field, { plots: false, resamples: 200, with: [bmi], warn });
    const md = await readFile(join(field, 'LEADERBOARD.md'), 'utf8');
    assert.match(md, /## Field table: every estimator on every suite/);
    assert.match(md, /\| paper staircases \| f-DIME staircases \| mixtures \| BMI \|/);
    const csv = await readFile(join(field, 'field.csv'), 'utf8');
    assert.match(csv, /smile\(τ=1\) · separable,smile,separable,estimate,BMI,/);
    await writeReport(paper, { plots: false, resamples: 200, warn });
    assert.doesNotMatch(await readFile(join(paper, 'LEADERBOARD.md'), 'utf8'), /Field table/);
    await assert.rejects(stat(join(paper, 'field.csv')));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * Aggregation contracts: labels, null = non-finite, pairing by seed, Holm families and the
 * "cannot reach significance" verdict, divergence counting, duplicates, and the CSV round trip
 * that `harness compare` relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatorLabel, slug } from '../src/labels.js';
import { parseRecord, RecordError, type StoreRecord } from '../src/stats/records.js';
import { aggregate } from '../src/stats/aggregate.js';
import { mseRowsFromSummary } from '../src/stats/compare.js';
import { mseRowsFromCsv, parseCsv, summaryCsv } from '../src/report/csv.js';
import { fmt, fmtCi } from '../src/report/format.js';
import { fixtureCells, PAPER_LIKE, type FakeEstimator } from './report-fixtures.js';

const records = (cells: object[]): StoreRecord[] =>
  cells.map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `${String(i).padStart(4, '0')}.json`));

test('labels carry the options that distinguish an estimator from its defaults', () => {
  const l = (estimator: string, boundOptions: object, spectralNorm = estimator === 'mice') =>
    estimatorLabel({ estimator: estimator as never, boundOptions, spectralNorm });
  assert.equal(l('smile', { tau: 1 }), 'smile(τ=1)');
  assert.equal(l('smile', {}), 'smile(τ=∞)');
  assert.equal(l('smile', { tau: null }), 'smile(τ=∞)');
  assert.equal(l('mice', { miceForm: 'dv', miceBlockPartition: true }), 'mice');
  assert.equal(l('mice', { miceForm: 'nwj', miceBlockPartition: true }), 'mice(form=nwj)');
  assert.equal(l('mice', {}, false), 'mice(no-sn)');
  assert.equal(l('mice', { miceBlockPartition: false }), 'mice(no-block)');
  assert.equal(l('nwj', {}, true), 'nwj(+sn)');
  assert.equal(l('alpha-infonce', { alpha: 0.5 }), 'alpha-infonce');
  assert.equal(l('alpha-infonce', { alpha: 0.3 }), 'alpha-infonce(α=0.3)');
  assert.equal(l('mine', { emaRate: 0.05 }), 'mine(ema=0.05)');
  assert.equal(slug('smile(τ=∞)'), 'smile-tau-inf');
});

test('null numbers in a cell file are non-finite; malformed cells throw a RecordError naming the field', () => {
  const [cell] = fixtureCells({ estimators: [PAPER_LIKE[0]], seeds: [1], stepsPerLevel: 20 });
  const json = JSON.parse(JSON.stringify(cell));
  json.levels[1].mse = null;
  json.levels[1].nonFinite = 3;
  json.extraField = { anything: true };
  const r = parseRecord(json, 'x.json');
  assert.equal(r.kind, 'cell');
  if (r.kind !== 'cell') return;
  assert.ok(Number.isNaN(r.levels[1].mse));
  assert.throws(() => parseRecord({ spec: { estimator: 'mice' }, levels: 3 }, 'y.json'), RecordError);
  assert.throws(() => parseRecord([], 'z.json'), /not a JSON object/);
});

test('pairs are matched by seed; 5 seeds and a family of 1 cannot reach significance, 10 seeds can', () => {
  const good: FakeEstimator = { estimator: 'mice', bias: () => 0, sd: () => 0.1 };
  const bad: FakeEstimator = { estimator: 'nwj', bias: () => -1, sd: () => 0.5 };
  const five = aggregate(records(fixtureCells({ estimators: [good, bad], seeds: [1, 2, 3, 4, 5], mi: [2, 4], stepsPerLevel: 40 })), { resamples: 200 });
  assert.equal(five.pairs.length, 2);
  for (const p of five.pairs) {
    assert.equal(p.test.p, 0.0625);
    assert.equal(p.canReach, false);
    assert.equal(p.better, null);
  }
  const ten = aggregate(records(fixtureCells({ estimators: [good, bad], seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], mi: [2, 4], stepsPerLevel: 40 })), { resamples: 200 });
  for (const p of ten.pairs) {
    assert.equal(p.familySize, 1);
    assert.equal(p.test.p, 2 / 1024);
    assert.equal(p.better, 'mice');
  }
  assert.deepEqual(ten.rankings[0].entries.map((e) => e.label), ['mice', 'nwj']);
});

test('Holm families are (context, level): all pairs k(k−1)/2, primary = MICE vs each other estimator', () => {
  const ests = PAPER_LIKE.slice(1, 5);
  const s = aggregate(records(fixtureCells({ estimators: ests, seeds: [1, 2, 3, 4, 5, 6, 7, 8], critics: ['separable', 'joint'], mi: [2, 6], stepsPerLevel: 40 })), { resamples: 200 });
  assert.equal(s.pairs.length, 2 * 2 * 6);
  for (const p of s.pairs) {
    assert.equal(p.familySize, 6);
    assert.ok(p.pHolm >= p.test.p);
    const involvesMice = p.a === 'mice' || p.b === 'mice';
    assert.equal(p.primary !== undefined, involvesMice);
    if (p.primary) {
      assert.equal(p.primary.familySize, 3);
      assert.ok(p.primary.pHolm >= p.test.p && p.primary.pHolm <= p.pHolm);
    }
  }
});

test('with 10 seeds, 11 estimators cannot reach significance over all 55 pairs, but MICE vs 10 baselines can', () => {
  const others = ['nwj', 'dv', 'mine', 'smile', 'infonce', 'js', 'tuba', 'alpha-infonce', 'flatnce']
    .map((e, i): FakeEstimator => ({ estimator: e as never, bias: () => -0.3 - 0.05 * i, sd: () => 0.2 }));
  const ests: FakeEstimator[] = [...others, { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.2, sd: () => 0.2 },
    { estimator: 'mice', bias: () => 0, sd: () => 0.05 }];
  const s = aggregate(records(fixtureCells({ estimators: ests, seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], mi: [2], stepsPerLevel: 40 })), { resamples: 100 });
  assert.equal(s.pairs.length, 55);
  assert.ok(s.pairs.every((p) => !p.canReach && p.better === null));
  const prim = s.pairs.filter((p) => p.primary);
  assert.equal(prim.length, 10);
  assert.ok(prim.every((p) => p.primary!.canReach && p.primary!.better === 'mice'));
});

test('divergence is counted per level and ranks last; duplicates are reported, not double-counted', () => {
  const div: FakeEstimator = { estimator: 'nwj', bias: () => 0, sd: () => 0.01, divergeAt: (seed) => (seed <= 2 ? 50 : null) };
  const ok: FakeEstimator = { estimator: 'mice', bias: () => -0.5, sd: () => 0.2 };
  const cells = fixtureCells({ estimators: [div, ok], seeds: [1, 2, 3, 4], mi: [2, 4], stepsPerLevel: 40 });
  const s = aggregate(records([...cells, cells[0]]), { resamples: 200 });
  assert.equal(s.duplicates.length, 1);
  const nwj = s.groups.find((g) => g.label === 'nwj')!;
  assert.equal(nwj.cells.length, 4);
  assert.equal(nwj.divergedCells, 2);
  assert.deepEqual(nwj.levels.map((l) => l.diverged), [0, 2]);
  const p = s.pairs.find((q) => q.level === 1)!;
  assert.equal(p.test.wPlus > 0, true); // nwj − mice: the two diverged seeds are +∞
});

test('summary.csv round-trips into the rows harness compare uses', () => {
  const s = aggregate(records(fixtureCells({ estimators: [PAPER_LIKE[1], PAPER_LIKE[2]], seeds: [1, 2, 3], batchRhos: [0, 'random'], mi: [2, 4], stepsPerLevel: 40 })), { resamples: 200 });
  const csv = summaryCsv(s);
  const parsed = parseCsv(csv);
  assert.ok(parsed.every((r) => r.length === parsed[0].length));
  const fromCsv = mseRowsFromCsv(csv, 'summary.csv');
  assert.deepEqual(fromCsv, mseRowsFromSummary(s));
  assert.throws(() => mseRowsFromCsv('a,b\n1,2\n', 'bad.csv'), /bad\.csv.*column/);
});

test('number formatting is fixed', () => {
  assert.equal(fmt(0.123456), '0.123');
  assert.equal(fmt(-2.5), '−2.50');
  assert.equal(fmt(12345), '1.23e4');
  assert.equal(fmt(0.00012), '1.20e-4');
  assert.equal(fmt(Infinity), '∞');
  assert.equal(fmt(NaN), '—');
  assert.equal(fmtCi({ estimate: 1, low: 0.5, high: 2 }), '1.00 [0.500, 2.00]');
});

test('setup labels: fixed-MI setups read to 4 significant digits, in full where that would merge two', () => {
  const at = (mi: number[], prefix: string) => fixtureCells({ estimators: [PAPER_LIKE[0]], seeds: [1], mi, stepsPerLevel: 50 })
    .map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `${prefix}-${i}.json`));
  const labels = (recs: StoreRecord[]) => aggregate(recs, { resamples: 50 }).contexts.map((c) => c.setupLabel).sort();
  assert.deepEqual(labels([...at([0.778048259105298], 'a'), ...at([0.41057028028529546], 'b'), ...at([2, 4], 'c')]), ['MI=0.4106', 'MI=0.778', 'MI=2,4']);
  // 0.778041 and 0.778043 are one label at 4 digits: both stay whole.
  assert.deepEqual(labels([...at([0.778041], 'a'), ...at([0.778043], 'b')]), ['MI=0.778041', 'MI=0.778043']);
});

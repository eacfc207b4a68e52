/**
 * REPRODUCTION.md (issue 9 item 5): the claims table is generated from the store, byte-identical
 * for the same store, one verdict word per row, ≥ 11 claims; and its verdicts follow the data —
 * a claim the fixture makes true holds, one it makes false fails, missing data is inconclusive
 * with the cells that would settle it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../harness/report.js';
import { aggregate } from '../src/stats/aggregate.js';
import { parseRecord } from '../src/stats/records.js';
import { reproduction, verdictOf, kendallTau, convergenceSteps, VERDICTS, type ClaimRow } from '../src/stats/reproduction.js';
import { fakeGan, fixtureCells, writeStore, type FakeEstimator } from './report-fixtures.js';

const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const good: FakeEstimator = { estimator: 'mice', boundOptions: { miceForm: 'dv', miceBlockPartition: false }, bias: () => -0.05, sd: () => 0.005 };
const base: FakeEstimator[] = [
  { estimator: 'infonce', bias: (mi, n) => Math.min(0, Math.log(n) - 0.3 - mi) - 0.1, sd: () => 0.02 },
  { estimator: 'nwj', bias: (mi) => -0.05 * mi * mi / 4, sd: (mi) => 0.1 * Math.exp(mi / 4) },
  { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.3, sd: () => 0.4 },
];

function rowsOf(estimators: FakeEstimator[], extra: { critics?: ('joint' | 'separable')[]; batchRhos?: (number | 'random')[] } = {}): ClaimRow[] {
  const cells = fixtureCells({ estimators, seeds: SEEDS, stepsPerLevel: 40, ...extra });
  const summary = aggregate(cells.map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `c${i}.json`)), { resamples: 200 });
  return reproduction(summary, [], { resamples: 200 }).rows;
}

test('verdict rule: holds / fails / mixed / inconclusive', () => {
  const t = (...o: ('supports' | 'contradicts' | 'undecided')[]) => o.map((outcome) => ({ outcome }));
  assert.equal(verdictOf(t('supports', 'supports')), 'holds');
  assert.equal(verdictOf(t('contradicts', 'undecided')), 'fails');
  assert.equal(verdictOf(t('supports', 'contradicts')), 'mixed');
  assert.equal(verdictOf(t('supports', 'undecided')), 'inconclusive');
  assert.equal(verdictOf([]), 'inconclusive');
});

test('Kendall τ and convergence steps', () => {
  assert.equal(kendallTau([1, 2, 3, 4], [1, 2, 3, 4]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.equal(kendallTau([1, 2, 3], [1, Infinity, Infinity]), kendallTau([1, 2, 3], [1, 5, 5]));
  const tr = { step: [0, 10, 20, 30, 40, 50], ema: [0, 1, 1.8, 2, 2, 2] };
  assert.equal(convergenceSteps(tr, 0, 60, 2), 20, 'first point within 0.5 nats');
  assert.equal(convergenceSteps({ step: tr.step, ema: tr.ema.map(() => -1e9) }, 0, 60, 2), 60, 'never: censored at the level length');
});

test('a claim the data make true holds; the same claim made false fails; no data is inconclusive', () => {
  const yes = rowsOf([...base, good]).find((r) => r.id === 'C3' && r.reading === 'mice(no-block)' && r.claim.includes('separable'))!;
  assert.equal(yes.verdict, 'holds', JSON.stringify(yes.tests));
  const bad: FakeEstimator = { ...good, bias: () => -3, sd: () => 3 };
  const no = rowsOf([...base, bad]).find((r) => r.id === 'C3' && r.reading === 'mice(no-block)' && r.claim.includes('separable'))!;
  assert.equal(no.verdict, 'fails', JSON.stringify(no.tests));
  const joint = rowsOf([...base, good]).find((r) => r.id === 'C3' && r.reading === 'mice(no-block)' && r.claim.includes('joint'))!;
  assert.equal(joint.verdict, 'inconclusive');
  assert.match(joint.note, /would be settled by harness sweep --preset paper-joint/);
});

test('C1a fails when an InfoNCE estimate exceeds log n (the check can fail)', () => {
  const broken: FakeEstimator = { estimator: 'infonce', bias: () => 0, sd: () => 0.1 };
  const row = rowsOf([broken, good]).find((r) => r.id === 'C1a')!;
  assert.equal(row.verdict, 'fails');
  const fine = rowsOf([...base, good]).find((r) => r.id === 'C1a')!;
  assert.equal(fine.verdict, 'holds');
});

test('REPRODUCTION.md: ≥ 11 claims, one verdict word per row, byte-identical across two runs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-repro-'));
  try {
    const cells = [
      ...fixtureCells({ estimators: [...base, good], seeds: SEEDS.slice(0, 5), critics: ['separable', 'joint'], tasks: ['gaussian', 'cubic'], batchRhos: [0, 0.1, 0.3, 'random'], stepsPerLevel: 40 }),
      ...fixtureCells({ estimators: [good], seeds: [0, 1, 2], batchSizes: [16, 256], stepsPerLevel: 40 }),
    ];
    const gans = [0, 1, 2, 3, 4].flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]);
    await writeStore(root, cells, gans);
    const opts = { resamples: 200, warn: () => {}, plots: false };
    await writeReport(root, opts);
    const a = await readFile(join(root, 'REPRODUCTION.md'), 'utf8');
    await writeReport(root, opts);
    const b = await readFile(join(root, 'REPRODUCTION.md'), 'utf8');
    assert.equal(a, b);
    const rows = a.split('\n').filter((l) => /^\| C\d+[ab]? \|/.test(l));
    const ids = new Set(rows.map((l) => l.split('|')[1].trim().replace(/[ab]$/, '')));
    assert.ok(ids.size >= 11, `claims: ${[...ids].join(', ')}`);
    for (const l of rows) {
      const words = VERDICTS.filter((v) => l.includes(`**${v}**`));
      assert.equal(words.length, 1, l);
    }
    assert.match(a, /## Which MICE reading behaves as the paper says/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('C11 pairs each MICE reading with the vanilla GAN of its setup and code; more modes but not all 25 is mixed', () => {
  const gans = SEEDS.flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]);
  const summary = aggregate(gans.map((g, i) => parseRecord(JSON.parse(JSON.stringify(g)), `g${i}.json`)), { resamples: 200 });
  const rows = reproduction(summary, [], { resamples: 200 }).rows.filter((r) => r.id === 'C11');
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].tests.map((t) => t.outcome), ['supports', 'contradicts', 'supports']);
  assert.equal(rows[0].verdict, 'mixed');
});

test('a growing store: a unit with fewer seeds does not drop the other seeds from a comparison', () => {
  const full = fixtureCells({ estimators: [...base, good], seeds: SEEDS, stepsPerLevel: 40, batchRhos: [0] });
  // ρ_batch = 0.3 has only seeds 0–1 so far, as while a sweep is still running.
  const part = fixtureCells({ estimators: [...base, good], seeds: [0, 1], stepsPerLevel: 40, batchRhos: [0.3] });
  const summary = aggregate([...full, ...part].map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `c${i}.json`)), { resamples: 200 });
  const row = reproduction(summary, [], { resamples: 200 }).rows.find((r) => r.id === 'C3' && r.reading === 'mice(no-block)' && r.claim.includes('separable'))!;
  assert.match(row.valueText, /\(10 seeds\)/);
  assert.equal(row.verdict, 'holds', JSON.stringify(row.tests));
});

test('C6 with joint cells of MICE and SMILE for different seeds only: inconclusive, saying so (no NaN row)', () => {
  const smile = fixtureCells({ estimators: [base[2]], seeds: [0], stepsPerLevel: 40, critics: ['joint'] });
  const mice = fixtureCells({ estimators: [good], seeds: [1], stepsPerLevel: 40, critics: ['joint'] });
  const sep = fixtureCells({ estimators: [...base, good], seeds: SEEDS, stepsPerLevel: 40 });
  const summary = aggregate([...sep, ...smile, ...mice].map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `c${i}.json`)), { resamples: 200 });
  const row = reproduction(summary, [], { resamples: 200 }).rows.find((r) => r.id === 'C6' && r.reading === 'mice(no-block)')!;
  assert.equal(row.verdict, 'inconclusive');
  assert.equal(row.valueText, 'no data');
  assert.match(row.note, /no seed has both/);
});

test('C7 while a ρ_batch is still being computed: every seed keeps its τ over the ρ values it has', () => {
  const full = fixtureCells({ estimators: [...base, good], seeds: SEEDS, stepsPerLevel: 40, batchRhos: [0, 0.1, 0.2, 0.3] });
  // ρ_batch = 0.5 has only seeds 0–1 so far.
  const part = fixtureCells({ estimators: [...base, good], seeds: [0, 1], stepsPerLevel: 40, batchRhos: [0.5] });
  const summary = aggregate([...full, ...part].map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `c${i}.json`)), { resamples: 200 });
  const row = reproduction(summary, [], { resamples: 200 }).rows.find((r) => r.id === 'C7')!;
  assert.ok(row.tests.length >= 4, JSON.stringify(row.tests));
  for (const t of row.tests) assert.equal(t.seeds, 10, `${t.what}: ${t.seeds} seeds`);
});

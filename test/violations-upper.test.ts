/**
 * Upper bounds (CLUB, L1Out: BoundDefinition.upperBound) have their violations counted below the
 * true MI, everywhere a violation share is computed: the per-level statistics (levelStats, via
 * summarise and the finite-sample loop), the EMA share the report derives from the trajectory
 * (src/stats/records.ts), and the report's labels. Every other estimator keeps the share above.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellSpec, EstimatorName } from '../src/types.js';
import type { CriticRuntime } from '../src/engine/types.js';
import { levelStats } from '../src/engine/levelStats.js';
import { summarise } from '../src/engine/train.js';
import { parseRecord, type StoreRecord } from '../src/stats/records.js';
import { aggregate } from '../src/stats/aggregate.js';
import { leaderboardMarkdown } from '../src/report/markdown.js';
import { fixtureCells, type FakeEstimator } from './report-fixtures.js';

test('levelStats counts strictly above by default and strictly below for side "below"', () => {
  // One level of 8 steps: the window is the last 4.
  const est = [0, 0, 0, 0, 1, 2, 2, 3];
  assert.equal(levelStats(est, [2], 8)[0].violations, 0.25);
  assert.equal(levelStats(est, [2], 8, 'above')[0].violations, 0.25);
  assert.equal(levelStats(est, [2], 8, 'below')[0].violations, 0.25);
  assert.equal(levelStats([9, 9, 1, 1.5], [2], 4, 'below')[0].violations, 1);
  assert.equal(levelStats([9, 9, 1, 1.5], [2], 4)[0].violations, 0);
  // Everything else is the same statistics.
  const a = levelStats([9, 9, 1, 1.5], [2], 4)[0], b = levelStats([9, 9, 1, 1.5], [2], 4, 'below')[0];
  assert.deepEqual({ ...a, violations: 0 }, { ...b, violations: 0 });
});

function spec(estimator: EstimatorName): CellSpec {
  return {
    estimator, boundOptions: {}, critic: estimator === 'club' || estimator === 'l1out' ? 'variational' : 'separable', spectralNorm: false,
    task: 'gaussian', mi: [2], stepsPerLevel: 6, batchSize: 8, dim: 2, batchRho: 0, seed: 0, hidden: 4, embed: 2, lr: 1e-3,
    engine: 'wasm', backend: 'auto',
  };
}

test('summarise: an upper bound\'s violations are the estimates below the truth, a lower bound\'s those above', () => {
  const rt = { engine: 'wasm', backend: 'wasm-simd' } as unknown as CriticRuntime;
  const estimates = Float64Array.from([0, 0, 0, 1.5, 2.5, 3]);
  const out = { estimates, wallMs: 1, divergedAt: null };
  for (const e of ['club', 'l1out'] as const) assert.equal(summarise(spec(e), rt, out).levels[0].violations, 1 / 3, e);
  for (const e of ['nwj', 'doe', 'ba', 'flo'] as const) assert.equal(summarise(spec(e), rt, out).levels[0].violations, 2 / 3, e);
});

const records = (cells: object[]): StoreRecord[] =>
  cells.map((c, i) => parseRecord(JSON.parse(JSON.stringify(c)), `${String(i).padStart(4, '0')}.json`));

test('the report: EMA violations below for upper bounds; labelled as upper bounds in the markdown', () => {
  // Both estimators sit well above the truth (bias +3, more than the step between levels that the
  // lagging EMA must catch up with), so only an upper bound has no violations.
  const high = (estimator: EstimatorName): FakeEstimator => ({ estimator, bias: () => 3, sd: () => 0.05 });
  const s = aggregate(records(fixtureCells({ estimators: [high('club'), high('nwj')], seeds: [1, 2], mi: [2, 4], stepsPerLevel: 200 })), { resamples: 50 });
  const club = s.groups.find((g) => g.estimator === 'club')!, nwj = s.groups.find((g) => g.estimator === 'nwj')!;
  assert.equal(club.upperBound, true);
  assert.equal('upperBound' in nwj, false, 'absent for every other estimator, so their summaries are unchanged');
  for (const l of club.levels) assert.equal(l.emaViolations.estimate, 0);
  for (const l of nwj.levels) assert.equal(l.emaViolations.estimate, 1);
  const md = leaderboardMarkdown({ summary: s, plots: [], skipped: [], cellFiles: 4 });
  assert.match(md, /\| club \| no \(UB\) \|/);
  assert.match(md, /violations below MI \(raw \/ EMA\)/);
  assert.match(md, /reported as upper bounds \(CLUB, L1Out\)/);
  const without = leaderboardMarkdown({ summary: aggregate(records(fixtureCells({ estimators: [high('nwj')], seeds: [1, 2], mi: [2, 4], stepsPerLevel: 200 })), { resamples: 50 }), plots: [], skipped: [], cellFiles: 2 });
  assert.doesNotMatch(without, /UB|below MI/);
});

/**
 * The field table: every estimator ranked across every suite it ran (issue 22 item 3). One
 * number per estimator and suite, scale-free so that suites whose true MI spans 0.2–10 nats
 * can sit side by side:
 *
 *   staircase and fixed-MI cells (one value per task, MI level and seed): the level's relative
 *     root-mean-square error √MSE / I, MSE over the level's window (src/engine/levelStats.ts:
 *     bias² + variance of the per-step estimates), so an estimator that is right on average but
 *     noisy pays for its noise as the paper's Fig. 1–3 make it pay;
 *   BMI's finite-sample cells and KSG (one value per task and seed): |Î − I| / I of the reported
 *     estimate (BMI's protocol reports one number per run; there is no window to take a variance
 *     over).
 *
 * A non-finite estimate (a diverged critic) is an infinite error: it sorts last and, when it is
 * more than a quarter of the values, makes the interquartile mean infinite — divergence is not
 * dropped. The headline per suite is the interquartile mean (IQM; Agarwal et al. 2021, rliable)
 * of those values, with a 95% bootstrap CI that resamples SEEDS (the independent unit: every
 * task and level of one seed shares that seed's data streams and initial weights), and the rank
 * of the IQM among the estimators that ran the suite. Ranks from suites with different
 * estimator sets do not compare directly (last place in a suite six estimators ran is rank 6,
 * elsewhere 20): the table's order is the mean rank over the common suites (sharedSuites: of the
 * sets of suites the estimators ran, the one that holds the most ranks, counted over every
 * estimator that ran all of it — the field preset's three suites, or those and BMI's once every
 * field estimator has run BMI too), and the mean over all the suites an estimator ran is shown
 * beside it.
 *
 * Cost is CPU seconds per cell where cells recorded it (provenance.cpuMs), else wall seconds,
 * and the table says which. Pure and deterministic: records are sorted, resampling is seeded.
 */
import type { CellRecord, KsgRecord, StoreRecord } from './records.js';
import { estimatorLabel } from '../labels.js';
import { interquartileMean, median } from './describe.js';
import { index, percentiles, DEFAULT_RESAMPLES, type Interval } from './bootstrap.js';
import { Rng } from '../rng.js';

/** What the reported number is, in expectation: a lower bound, an upper bound, or neither. */
export type EstimateKind = 'lower' | 'upper' | 'estimate';

export interface FieldEntry {
  /** `estimator label · critic`, or `KSG (k=5)`. */
  label: string;
  estimator: string;
  critic: string;
  kind: EstimateKind;
}

export interface FieldSuiteResult {
  suite: string;
  /** IQM of the scale-free errors with its seed-bootstrap CI. */
  iqm: Interval;
  /** Rank of the IQM among the suite's estimators (1 = smallest error; ties share). */
  rank: number;
  /** Estimators ranked in this suite. */
  of: number;
  /** Values behind the IQM (tasks × levels × seeds), and how many were non-finite. */
  values: number;
  nonFinite: number;
  tasks: number;
  seeds: number;
  /** Median cost per cell, seconds; NaN when no cell recorded one. */
  costS: number;
  costClock: 'cpu' | 'wall' | 'mixed' | 'none';
}

export interface FieldRow {
  entry: FieldEntry;
  suites: Record<string, FieldSuiteResult>;
  /** Mean rank over the common suites (FieldSummary.commonSuites): the order of the table. */
  meanRank: number;
  /** Mean rank over the suites this estimator ran. */
  meanRankRun: number;
  suitesRun: number;
}

export interface FieldSummary {
  suites: string[];
  /**
   * The common suites (every one, when every estimator ran every suite): the table's mean rank is
   * over these, and an estimator that did not run all of them (BMI's joint-critic readings, in a
   * field table with BMI's store) follows by its mean over the suites it ran. See sharedSuites.
   */
  commonSuites: string[];
  rows: FieldRow[];
  /** Per suite: the tasks and seeds it holds. */
  coverage: Record<string, { tasks: string[]; seeds: number[]; estimators: number }>;
}

export interface FieldOptions {
  /** The suite a record belongs to, or null to leave it out of the table. */
  suiteOf(r: CellRecord | KsgRecord): string | null;
  /** Whether an estimator's reported number is a lower bound, an upper bound or neither. */
  kindOf(estimator: string): EstimateKind;
  /** Suite order in the table (suites not listed follow, by name). */
  suiteOrder?: readonly string[];
  resamples?: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function fieldEntry(r: CellRecord | KsgRecord, kindOf: (e: string) => EstimateKind): FieldEntry {
  if (r.kind === 'ksg') return { label: `KSG (k=${r.k})`, estimator: 'ksg', critic: '—', kind: 'estimate' };
  return { label: `${estimatorLabel(r.spec)} · ${r.critic}`, estimator: r.estimator, critic: r.critic, kind: kindOf(r.estimator) };
}

/** The scale-free errors one record contributes (see the header), non-finite as +∞. */
export function fieldErrors(r: CellRecord | KsgRecord): number[] {
  const rel = (e: number, truth: number) => {
    const v = Math.abs(e - truth) / Math.abs(truth);
    return Number.isFinite(v) ? v : Infinity;
  };
  if (r.kind === 'ksg') return [rel(r.estimate, r.trueMi)];
  if (r.heldOut) return [rel(r.heldOut.estimate, r.levels[0]?.trueMi ?? r.spec.mi[0])];
  return r.levels.map((l) => {
    const v = Math.sqrt(l.mse) / Math.abs(l.trueMi);
    return Number.isFinite(v) ? v : Infinity;
  });
}

/** Cost of one record in seconds, and the clock it was taken with (NaN, 'none' when absent). */
export function recordCost(r: StoreRecord): { s: number; clock: 'cpu' | 'wall' | 'none' } {
  const p = r.provenance as Record<string, unknown>;
  if (typeof p.cpuMs === 'number' && Number.isFinite(p.cpuMs)) return { s: p.cpuMs / 1000, clock: 'cpu' };
  if (typeof p.wallMs === 'number' && Number.isFinite(p.wallMs)) return { s: p.wallMs / 1000, clock: 'wall' };
  return { s: NaN, clock: 'none' };
}

/** IQM over the concatenated values of the seeds, with a 95% CI that resamples seeds. */
export function seedBootstrapIqm(bySeed: readonly (readonly number[])[], seedKey: readonly (string | number)[], resamples = DEFAULT_RESAMPLES): Interval {
  const all = bySeed.flat();
  const estimate = interquartileMean(all);
  if (bySeed.length === 0) return { estimate: NaN, low: NaN, high: NaN };
  if (bySeed.length === 1) return { estimate, low: estimate, high: estimate };
  const rng = new Rng(['field-bootstrap', ...seedKey]);
  const reps = new Array<number>(resamples);
  for (let b = 0; b < resamples; b++) {
    const sample: number[] = [];
    for (let i = 0; i < bySeed.length; i++) sample.push(...bySeed[index(rng, bySeed.length)]);
    reps[b] = interquartileMean(sample);
  }
  return { estimate, ...percentiles(reps, 0.95) };
}

function averageRankOf(values: { key: string; v: number }[]): Map<string, number> {
  const s = [...values].sort((a, b) => (a.v === b.v ? cmp(a.key, b.key) : Number.isNaN(a.v) ? 1 : Number.isNaN(b.v) ? -1 : a.v < b.v ? -1 : 1));
  const out = new Map<string, number>();
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j + 1 < s.length && (s[j + 1].v === s[i].v || (Number.isNaN(s[j + 1].v) && Number.isNaN(s[i].v)))) j++;
    for (let k = i; k <= j; k++) out.set(s[k].key, (i + j) / 2 + 1);
    i = j + 1;
  }
  return out;
}

export function fieldSummary(records: readonly StoreRecord[], o: FieldOptions): FieldSummary {
  const recs = records
    .filter((r): r is CellRecord | KsgRecord => r.kind === 'ksg' || r.kind === 'cell')
    .sort((a, b) => cmp(a.file, b.file));
  // suite → entry label → seed → task → errors (first file wins a duplicate (task, seed)).
  const data = new Map<string, Map<string, Map<number, Map<string, number[]>>>>();
  const costs = new Map<string, { s: number; clock: string }[]>();
  const entries = new Map<string, FieldEntry>();
  const coverage = new Map<string, { tasks: Set<string>; seeds: Set<number> }>();
  for (const r of recs) {
    const suite = o.suiteOf(r);
    if (suite === null) continue;
    const e = fieldEntry(r, o.kindOf);
    entries.set(e.label, e);
    const bySuite = data.get(suite) ?? new Map();
    data.set(suite, bySuite);
    const bySeed = bySuite.get(e.label) ?? new Map<number, Map<string, number[]>>();
    bySuite.set(e.label, bySeed);
    const byTask = bySeed.get(r.seed) ?? new Map<string, number[]>();
    bySeed.set(r.seed, byTask);
    if (byTask.has(r.task)) continue;
    byTask.set(r.task, fieldErrors(r));
    const ck = `${suite}\u0000${e.label}`;
    costs.set(ck, [...(costs.get(ck) ?? []), recordCost(r)]);
    const cov = coverage.get(suite) ?? { tasks: new Set(), seeds: new Set() };
    cov.tasks.add(r.task); cov.seeds.add(r.seed);
    coverage.set(suite, cov);
  }
  const order = o.suiteOrder ?? [];
  const suites = [...data.keys()].sort((a, b) => {
    const ia = order.indexOf(a), ib = order.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || cmp(a, b);
  });
  const rows = new Map<string, FieldRow>();
  for (const e of [...entries.values()].sort((a, b) => cmp(a.label, b.label))) rows.set(e.label, { entry: e, suites: {}, meanRank: NaN, meanRankRun: NaN, suitesRun: 0 });
  for (const suite of suites) {
    const bySuite = data.get(suite)!;
    const results: { label: string; res: Omit<FieldSuiteResult, 'rank' | 'of'> }[] = [];
    for (const [label, bySeed] of [...bySuite.entries()].sort((a, b) => cmp(a[0], b[0]))) {
      const seeds = [...bySeed.keys()].sort((a, b) => a - b);
      const perSeed = seeds.map((s) => [...bySeed.get(s)!.entries()].sort((a, b) => cmp(a[0], b[0])).flatMap(([, v]) => v));
      const flat = perSeed.flat();
      const cs = costs.get(`${suite}\u0000${label}`) ?? [];
      const known = cs.filter((c) => c.clock !== 'none');
      const clocks = new Set(known.map((c) => c.clock));
      results.push({
        label,
        res: {
          suite, iqm: seedBootstrapIqm(perSeed, [suite, label], o.resamples), values: flat.length,
          nonFinite: flat.filter((v) => !Number.isFinite(v)).length,
          tasks: new Set([...bySeed.values()].flatMap((m) => [...m.keys()])).size, seeds: seeds.length,
          costS: known.length ? median(known.map((c) => c.s)) : NaN,
          costClock: known.length === 0 ? 'none' : clocks.size > 1 ? 'mixed' : (known[0].clock as 'cpu' | 'wall'),
        },
      });
    }
    const ranks = averageRankOf(results.map((r) => ({ key: r.label, v: r.res.iqm.estimate })));
    for (const r of results) rows.get(r.label)!.suites[suite] = { ...r.res, rank: ranks.get(r.label)!, of: results.length };
  }
  const commonSuites = sharedSuites(suites, [...rows.values()]);
  const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  for (const row of rows.values()) {
    const rs = Object.values(row.suites).map((s) => s.rank);
    row.suitesRun = rs.length;
    row.meanRankRun = meanOf(rs);
    row.meanRank = commonSuites.every((s) => row.suites[s]) ? meanOf(commonSuites.map((s) => row.suites[s].rank)) : NaN;
  }
  const nanLast = (x: number) => (Number.isNaN(x) ? Infinity : x);
  const sorted = [...rows.values()].sort((a, b) => nanLast(a.meanRank) - nanLast(b.meanRank)
    || nanLast(a.meanRankRun) - nanLast(b.meanRankRun) || cmp(a.entry.label, b.entry.label));
  const cov: FieldSummary['coverage'] = {};
  for (const s of suites) {
    const c = coverage.get(s)!;
    cov[s] = { tasks: [...c.tasks].sort(cmp), seeds: [...c.seeds].sort((a, b) => a - b), estimators: data.get(s)!.size };
  }
  return { suites, commonSuites, rows: sorted, coverage: cov };
}

/**
 * The common suites: of the sets of suites the estimators ran, the one whose ranks, counted over
 * every estimator that ran all of it, are the most (suites × estimators); on a tie, the larger
 * set. Not simply the suite the most estimators ran: BMI's suite holds the joint-critic readings
 * and KSG as well, so it has more rows than any field suite, and ordering by it alone would drop
 * the three suites every field estimator ran; nor every suite: a lone BMI-only row would then
 * leave no row with a mean rank.
 */
export function sharedSuites(suites: readonly string[], rows: readonly { suites: Record<string, unknown> }[]): string[] {
  const sets = new Map<string, string[]>();
  for (const r of rows) {
    const ran = suites.filter((s) => r.suites[s] !== undefined);
    if (ran.length) sets.set(ran.join('\u0000'), ran);
  }
  let best: string[] = [], bestScore = 0;
  for (const key of [...sets.keys()].sort()) {
    const set = sets.get(key)!;
    const score = set.length * rows.filter((r) => set.every((s) => r.suites[s] !== undefined)).length;
    if (score > bestScore || (score === bestScore && set.length > best.length)) { best = set; bestScore = score; }
  }
  return best;
}

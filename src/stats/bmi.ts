/**
 * The BMI suite's statistics (BMI's benchmark table, Czyż et al. 2023, Fig. 2 / Table 2):
 * for each task and estimator, the mean over seeds of the reported estimate — the best
 * held-out value of a finite-sample cell (src/engine/finiteSample.ts), or KSG's estimate on
 * the whole sample — beside the task's true MI; and a ranking of the estimators over tasks.
 * Pure and deterministic: records are sorted first, no resampling.
 *
 * Ranking: within each task, estimators are ranked by |mean − true MI| (ties share the average
 * rank; an estimator whose every seed diverged ranks last); an estimator's score is its mean rank
 * over the tasks that every estimator in the store ran. Ranks over different task sets would not
 * compare: on a task only seven estimators ran (the bmi preset's wide tasks have no joint critic,
 * a partly run store lacks some cells) last place is rank 7, elsewhere 13.
 * Beside it, BMI's own accuracy criterion: the share of tasks whose mean estimate lies within a
 * factor 1.5 of the true MI (|log(estimate / true)| < log 1.5, as BMI's "solved" in its
 * n_samples_needed), and the median |log(estimate / true)| over tasks (∞ for a non-positive mean).
 */
import type { CellRecord, KsgRecord, StoreRecord } from './records.js';
import { ESTIMATORS } from '../types.js';
import { estimatorLabel } from '../labels.js';
import { getTask } from '../tasks/registry.js';
import { bmiSuite } from '../tasks/bmi/suite.js';
import { median } from './describe.js';

export interface BmiEntry {
  label: string;
  kind: 'neural' | 'ksg';
  estimator: string;
  critic?: string;
}

export interface BmiCell {
  /** Finite per-seed estimates, by seed order. */
  estimates: number[];
  seeds: number;
  /** Seeds whose estimate is not finite (diverged). */
  nonFinite: number;
  mean: number;
  /** Sample standard deviation over seeds (NaN with fewer than two). */
  sd: number;
}

export interface BmiRow {
  task: string;
  /** BMI's display name, or the task's description. */
  name: string;
  bmiId?: string;
  family: string;
  dimX: number;
  dimY: number;
  trueMi: number;
  cells: Record<string, BmiCell>;
}

export interface BmiRank {
  label: string;
  /** Tasks the estimator ran (its columns below are over these; the mean rank is over BmiSummary.rankTasks). */
  tasks: number;
  meanRank: number;
  /** Share of its tasks with the mean estimate within a factor 1.5 of the true MI. */
  within15: number;
  medianAbsLogRatio: number;
  meanAbsError: number;
}

export interface BmiProtocol {
  seeds: number[];
  sizes: number[];
  testShares: number[];
  evalEvery: number[];
  maxSteps: number[];
  batchSizes: number[];
  /** Distinct "h / e" widths with the task dimensions that used them. */
  widths: string[];
  ksgK: number[];
  /** Median over finite-sample cells of the steps actually run (early stopping). */
  medianSteps: number;
}

export interface BmiSummary {
  entries: BmiEntry[];
  rows: BmiRow[];
  ranking: BmiRank[];
  /** The tasks every entry ran: the mean rank is over these. */
  rankTasks: string[];
  /** When some entries ran more tasks than rankTasks: those that ran every task, ranked over all of them. */
  allTasks?: { tasks: string[]; ranking: BmiRank[] };
  protocol: BmiProtocol;
  /** Per seed and entry, for bmi.csv. */
  points: { task: string; label: string; seed: number; estimate: number; trueMi: number }[];
}

/** Whether a record belongs to the BMI section (finite-sample cells and KSG jobs). */
export function isBmiRecord(r: StoreRecord): r is CellRecord | KsgRecord {
  return r.kind === 'ksg' || (r.kind === 'cell' && r.spec.finiteSample !== undefined);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const uniq = <T>(xs: T[]) => [...new Set(xs)];

function entryOf(r: CellRecord | KsgRecord): BmiEntry {
  if (r.kind === 'ksg') return { label: `KSG (k=${r.k})`, kind: 'ksg', estimator: 'ksg' };
  return { label: `${estimatorLabel(r.spec)} · ${r.critic}`, kind: 'neural', estimator: r.estimator, critic: r.critic };
}

function estimateOf(r: CellRecord | KsgRecord): number {
  return r.kind === 'ksg' ? r.estimate : r.heldOut?.estimate ?? NaN;
}

function trueMiOf(r: CellRecord | KsgRecord): number {
  return r.kind === 'ksg' ? r.trueMi : r.levels[0]?.trueMi ?? r.spec.mi[0];
}

export function bmiSummary(records: readonly StoreRecord[]): BmiSummary {
  const recs = records.filter(isBmiRecord).sort((a, b) => cmp(a.file, b.file));
  const order = new Map(bmiSuite().map((t, i) => [t.id, i]));
  const entries = new Map<string, BmiEntry>();
  const rows = new Map<string, BmiRow>();
  const perCell = new Map<string, Map<number, number>>();
  const points: BmiSummary['points'] = [];
  for (const r of recs) {
    const e = entryOf(r);
    entries.set(e.label, e);
    const task = r.task;
    let row = rows.get(task);
    if (!row) {
      const t = getTask(task);
      const def = t?.task;
      const dims = r.kind === 'cell' ? [r.spec.dim, r.spec.dimY ?? r.spec.dim] : [def?.dimX ?? NaN, def?.dimY ?? NaN];
      row = {
        task, name: t?.bmi?.name ?? def?.description ?? task, ...(t?.bmi ? { bmiId: t.bmi.id } : {}),
        family: def?.family ?? 'unknown', dimX: dims[0], dimY: dims[1], trueMi: trueMiOf(r), cells: {},
      };
      rows.set(task, row);
    }
    const key = `${task}\u0000${e.label}`;
    const seeds = perCell.get(key) ?? new Map<number, number>();
    if (!seeds.has(r.seed)) seeds.set(r.seed, estimateOf(r)); // first file (sorted) wins a duplicate seed
    perCell.set(key, seeds);
    points.push({ task, label: e.label, seed: r.seed, estimate: estimateOf(r), trueMi: row.trueMi });
  }
  for (const [key, seeds] of perCell) {
    const [task, label] = key.split('\u0000');
    const ordered = [...seeds.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    const finite = ordered.filter(Number.isFinite);
    const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
    const sd = finite.length > 1 ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1)) : NaN;
    rows.get(task)!.cells[label] = { estimates: finite, seeds: ordered.length, nonFinite: ordered.length - finite.length, mean, sd };
  }
  const estOrder = (e: BmiEntry) => (e.kind === 'ksg' ? 1e6 : ((ESTIMATORS as readonly string[]).indexOf(e.estimator) + 1 || 1e5));
  const entryList = [...entries.values()].sort((a, b) => estOrder(a) - estOrder(b) || cmp(a.label, b.label));
  const rowList = [...rows.values()].sort((a, b) => (order.get(a.task) ?? 1e9) - (order.get(b.task) ?? 1e9) || cmp(a.task, b.task));

  // Ranked over the tasks every entry ran; and, when some entries ran more tasks than that (the
  // bmi preset's separable critic and KSG on the wide tasks, a partly run joint critic), those
  // entries again over every task.
  const rankRows = rowList.filter((row) => entryList.every((e) => row.cells[e.label] !== undefined));
  const ranking = rankOver(rankRows, entryList, rowList);
  const fullEntries = entryList.filter((e) => rowList.every((row) => row.cells[e.label] !== undefined));
  const allTasks = rankRows.length < rowList.length && fullEntries.length >= 2
    ? { tasks: rowList.map((r) => r.task), ranking: rankOver(rowList, fullEntries, rowList) } : undefined;

  const cells = recs.filter((r): r is CellRecord => r.kind === 'cell');
  const ksgs = recs.filter((r): r is KsgRecord => r.kind === 'ksg');
  const widthKey = (c: CellRecord) => `h=${c.spec.hidden}, e=${c.spec.embed}`;
  const widths = uniq(cells.map(widthKey)).sort().map((w) => {
    const dims = uniq(cells.filter((c) => widthKey(c) === w).map((c) => c.spec.dim + (c.spec.dimY ?? c.spec.dim))).sort((a, b) => a - b);
    return `${w} (d_x + d_y ∈ {${dims.join(', ')}})`;
  });
  const num = (xs: (number | undefined)[]) => uniq(xs.filter((x): x is number => typeof x === 'number')).sort((a, b) => a - b);
  const protocol: BmiProtocol = {
    seeds: num(recs.map((r) => r.seed)),
    sizes: num([...cells.map((c) => c.spec.finiteSample?.size), ...ksgs.map((k) => k.size)]),
    testShares: num(cells.map((c) => c.spec.finiteSample?.testShare)),
    evalEvery: num(cells.map((c) => c.spec.finiteSample?.evalEvery)),
    maxSteps: num(cells.map((c) => c.spec.mi.length * c.spec.stepsPerLevel)),
    batchSizes: num(cells.map((c) => c.spec.batchSize)),
    widths,
    ksgK: num(ksgs.map((k) => k.k)),
    medianSteps: cells.length ? median(cells.map((c) => c.heldOut?.steps ?? NaN).filter(Number.isFinite)) : NaN,
  };
  return { entries: entryList, rows: rowList, ranking, rankTasks: rankRows.map((r) => r.task), ...(allTasks ? { allTasks } : {}), protocol, points };
}

/**
 * Mean rank of |mean − true| within each of `rankRows` (ties share the average rank; a
 * non-finite mean ranks last) for `entries`; the other columns over every row of `rows` the
 * entry ran.
 */
function rankOver(rankRows: BmiRow[], entries: BmiEntry[], rows: BmiRow[]): BmiRank[] {
  const ranks = new Map<string, number[]>();
  for (const row of rankRows) {
    const scored = entries.map((e) => {
      const err = Math.abs(row.cells[e.label].mean - row.trueMi);
      return { e, err: Number.isFinite(err) ? err : Infinity };
    });
    scored.sort((a, b) => (a.err === b.err ? 0 : a.err < b.err ? -1 : 1));
    let i = 0;
    while (i < scored.length) {
      let j = i;
      while (j + 1 < scored.length && scored[j + 1].err === scored[i].err) j++;
      const r = (i + j) / 2 + 1;
      for (let k = i; k <= j; k++) ranks.set(scored[k].e.label, [...(ranks.get(scored[k].e.label) ?? []), r]);
      i = j + 1;
    }
  }
  return entries.map((e) => {
    const rs = ranks.get(e.label) ?? [];
    const covered = rows.filter((row) => row.cells[e.label] && Number.isFinite(row.cells[e.label].mean));
    const logRatios = covered.map((row) => {
      const m = row.cells[e.label].mean;
      return m > 0 && row.trueMi > 0 ? Math.abs(Math.log(m / row.trueMi)) : Infinity;
    });
    return {
      label: e.label, tasks: rows.filter((row) => row.cells[e.label] !== undefined).length,
      meanRank: rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : NaN,
      within15: covered.length ? logRatios.filter((v) => v < Math.log(1.5)).length / covered.length : NaN,
      medianAbsLogRatio: logRatios.length ? median(logRatios) : NaN,
      meanAbsError: covered.length ? covered.reduce((a, row) => a + Math.abs(row.cells[e.label].mean - row.trueMi), 0) / covered.length : NaN,
    };
  }).sort((a, b) => (Number.isNaN(a.meanRank) ? 1 : 0) - (Number.isNaN(b.meanRank) ? 1 : 0) || a.meanRank - b.meanRank || cmp(a.label, b.label));
}

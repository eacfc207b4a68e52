/**
 * The data model of the static results site (`harness site`, web/site.ts): pure, a Summary and
 * its plot specs in, plain JSON out. Deterministic like the Markdown report: everything comes in
 * the Summary's sorted order, numbers are rounded to a fixed number of significant digits (the
 * page shows three; six keep sorting and charts faithful at a third of the bytes), and nothing
 * time-dependent is written.
 *
 * Two levels of detail: SiteData (inlined in index.html: contexts, estimator groups, one row per
 * group and MI level, the headline IQM per context, the plot index) and SiteCell (one file per
 * cell, fetched when its drill-down opens: spec, level table, trajectory, provenance).
 */
import type { Context, Group, Summary } from '../stats/aggregate.js';
import { contextLabel } from '../stats/aggregate.js';
import type { CellRecord } from '../stats/records.js';
import type { Interval } from '../stats/bootstrap.js';
import type { PlotSpec } from './plots.js';
import type { EstimateKind, FieldSummary } from '../stats/field.js';
import { rhoLabel } from '../labels.js';

/** [estimate, low, high]; null for a non-finite number (JSON has no NaN). */
export type Ci = [number | null, number | null, number | null];

export interface SiteContext {
  key: string;
  label: string;
  critic: string;
  task: string;
  rho: string;
  n: number;
  /** The setup fields that vary across the store ('' when there is one setup). */
  setup: string;
  trueMi: number[];
}

export interface SiteGroup {
  /** Index into SiteData.contexts. */
  ctx: number;
  label: string;
  estimator: string;
  lowerBound: boolean | null;
  /** Present for an estimator reported as an upper bound: its "above" shares count estimates below the truth. */
  upperBound?: true;
  seeds: number[];
  /** Cell ids (SITE/cells/<id>.json), in seed order. */
  cells: string[];
  msPerStep: number | null;
  engines: string[];
  backends: string[];
  divergedCells: number;
}

/** One estimator variant in one context at one MI level: the leaderboard's row. */
export interface SiteRow {
  /** Index into SiteData.groups. */
  g: number;
  level: number;
  trueMi: number;
  seeds: number;
  diverged: number;
  bias: Ci;
  variance: Ci;
  mse: Ci;
  /** Share of window steps above the true MI: raw and EMA-smoothed (means over seeds). */
  above: number | null;
  aboveEma: number | null;
}

export interface SiteHeadline {
  ctx: number;
  label: string;
  iqm: Ci;
  rank: Ci;
}

export interface SitePlot {
  /** Base name: plots/<name>.json (the Vega-Lite spec) and plots/<name>.svg. */
  name: string;
  title: string;
  kind: string;
  /** Indices into SiteData.contexts the figure draws from (empty: store-wide figures). */
  contexts: number[];
}

export interface SiteGan {
  label: string;
  runs: number;
  modes: Ci;
  highQuality: Ci;
}

/**
 * The reproduction claims table (the rows of REPRODUCTION.md, from the report's pure claims
 * function), in the page's shape: the value as an interval and as printed, the tests summarised
 * and listed, the figures by name (plots/<name>).
 */
export interface SiteClaim {
  id: string;
  claim: string;
  where: string;
  reading: string | null;
  statistic: string;
  value: Ci | null;
  valueText: string;
  tests: { what: string; seeds: number; pHolm: number | null; canReach: boolean; outcome: string }[];
  figures: string[];
  verdict: string;
  note: string;
}

export interface SiteClaims {
  protocol: string;
  rows: SiteClaim[];
  readings: { reading: string; verdicts: Record<string, number>; claims: string[] }[];
}

/** A relative error or a rank: +∞ (a diverged estimator's IQM) as 'Infinity', NaN as null (JSON has neither). */
export type FieldNum = number | 'Infinity' | null;

/** One estimator in one suite of the field table. */
export interface SiteFieldCell {
  /** IQM of the scale-free error, and its 95% seed-bootstrap CI. */
  iqm: [FieldNum, FieldNum, FieldNum];
  /** Rank of the IQM among the suite's estimators (1 = smallest; ties share the mean rank), of `of`. */
  rank: number;
  of: number;
  values: number;
  nonFinite: number;
  tasks: number;
  seeds: number;
}

export interface SiteFieldRow {
  label: string;
  estimator: string;
  critic: string;
  /** What the reported number is in expectation: a lower bound on MI, an upper bound, or neither. */
  kind: EstimateKind;
  /** Aligned with SiteField.suites; null where the estimator did not run the suite. */
  suites: (SiteFieldCell | null)[];
  /** Mean rank over SiteField.commonSuites (the table's order); null when it did not run them all. */
  meanRank: number | null;
  /** Mean rank over the suites it ran. */
  meanRankRun: number | null;
  suitesRun: number;
  /** Median seconds per cell in SiteField.costSuite, and the clock it was taken with. */
  cost: number | null;
  costClock: 'cpu' | 'wall' | 'mixed' | 'none';
}

/**
 * The field table (src/stats/field.ts; issue 22): every estimator ranked across every suite it
 * ran, in the summary's order, with the suites' coverage. The same numbers as the field store's
 * LEADERBOARD.md and field.csv.
 */
export interface SiteField {
  suites: string[];
  /** The common suites (src/stats/field.ts sharedSuites): the mean rank that orders the table is over these. */
  commonSuites: string[];
  costSuite: string;
  rows: SiteFieldRow[];
  coverage: { suite: string; tasks: string[]; seeds: number[]; estimators: number; note: string }[];
}

export interface SiteData {
  format: 'mi-harness/site@1';
  source: { cellFiles: number; cells: number; skipped: { file: string; reason: string }[]; stale: number; duplicates: string[]; failures: string[] };
  contexts: SiteContext[];
  groups: SiteGroup[];
  rows: SiteRow[];
  headline: SiteHeadline[];
  plots: SitePlot[];
  gan: SiteGan[];
  provenance: { key: string; values: string[] }[];
  /** Null when the build has no claims table for this store. */
  claims: SiteClaims | null;
  /** Null when neither the store nor a companion store (`--with`) holds the field suites' cells. */
  field: SiteField | null;
}

export interface SiteCell {
  id: string;
  file: string;
  label: string;
  context: string;
  seed: number;
  spec: Record<string, unknown>;
  engine: string;
  backend: string;
  msPerStep: number | null;
  logN: number | null;
  levels: { trueMi: number; window: [number | null, number | null]; mean: number | null; bias: number | null; variance: number | null; mse: number | null; violations: number | null; emaViolations: number | null; nonFinite: number }[];
  trajectory: { step: number[]; estimate: (number | null)[]; ema: (number | null)[] };
  provenance: Record<string, unknown>;
}

/** Six significant digits; null for NaN and ±∞ (JSON would write null anyway). */
export function r6(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : null;
}

const ci = (i: Interval): Ci => [r6(i.estimate), r6(i.low), r6(i.high)];

/** A file-name- and URL-safe id for a cell file: its name without .json when that is safe. */
export function cellId(file: string): string {
  const base = file.replace(/\.json$/, '');
  return /^[A-Za-z0-9._-]+$/.test(base) && !base.startsWith('.') ? base : base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
}

function siteContext(c: Context): SiteContext {
  return { key: c.key, label: contextLabel(c), critic: c.critic, task: c.task, rho: rhoLabel(c.batchRho), n: c.batchSize, setup: c.setupLabel, trueMi: c.trueMi };
}

export interface SiteInput {
  summary: Summary;
  claims?: SiteClaims | null;
  field?: SiteField | null;
  plots: PlotSpec[];
  cellFiles: number;
  skipped: { file: string; reason: string }[];
  stale: number;
  failures: string[];
}

export function siteData({ summary, plots, cellFiles, skipped, stale, failures, claims = null, field = null }: SiteInput): SiteData {
  const ctxIndex = new Map(summary.contexts.map((c, i) => [c.key, i]));
  const groups: SiteGroup[] = summary.groups.map((g: Group) => ({
    ctx: ctxIndex.get(g.context.key)!, label: g.label, estimator: g.estimator, lowerBound: g.lowerBound,
    ...(g.upperBound ? { upperBound: true as const } : {}),
    seeds: g.seeds, cells: g.cells.map((c) => cellId(c.file)), msPerStep: r6(g.msPerStep),
    engines: g.engines, backends: g.backends, divergedCells: g.divergedCells,
  }));
  const rows: SiteRow[] = summary.groups.flatMap((g, gi) => g.levels.map((l) => ({
    g: gi, level: l.level, trueMi: l.trueMi, seeds: l.seeds, diverged: l.diverged,
    bias: ci(l.bias), variance: ci(l.variance), mse: ci(l.mse),
    above: r6(l.violations.estimate), aboveEma: r6(l.emaViolations.estimate),
  })));
  const headline: SiteHeadline[] = [];
  for (const r of summary.rankings) {
    if (!r.context) continue;
    const ctx = ctxIndex.get(r.context.key);
    if (ctx === undefined) continue;
    for (const e of r.entries) headline.push({ ctx, label: e.label, iqm: ci(e.iqm), rank: ci(e.rank) });
  }
  return {
    format: 'mi-harness/site@1',
    source: { cellFiles, cells: summary.groups.reduce((a, g) => a + g.cells.length, 0), skipped, stale, duplicates: summary.duplicates, failures },
    contexts: summary.contexts.map(siteContext),
    groups, rows, headline,
    plots: plots.map((p) => ({
      name: p.name.replace(/\.svg$/, ''), title: p.title, kind: p.kind,
      contexts: p.contexts.map((k) => ctxIndex.get(k)).filter((i): i is number => i !== undefined),
    })),
    gan: summary.gan.groups.map((g) => ({ label: g.label, runs: g.records.length, modes: ci(g.modes), highQuality: ci(g.highQuality) })),
    provenance: summary.provenance,
    claims,
    field,
  };
}

const fieldNum = (x: number): FieldNum => (x === Infinity ? 'Infinity' : r6(x));
const rankNum = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

/** The field table in the page's shape (numbers rounded like the rest of the page). */
export function siteField(s: FieldSummary, o: { costSuite: string; suiteNotes?: Readonly<Record<string, string>> }): SiteField {
  return {
    suites: [...s.suites],
    commonSuites: [...s.commonSuites],
    costSuite: o.costSuite,
    rows: s.rows.map((r) => {
      const c = r.suites[o.costSuite];
      return {
        label: r.entry.label, estimator: r.entry.estimator, critic: r.entry.critic, kind: r.entry.kind,
        suites: s.suites.map((su) => {
          const x = r.suites[su];
          return x ? {
            iqm: [fieldNum(x.iqm.estimate), fieldNum(x.iqm.low), fieldNum(x.iqm.high)] as [FieldNum, FieldNum, FieldNum],
            rank: x.rank, of: x.of, values: x.values, nonFinite: x.nonFinite, tasks: x.tasks, seeds: x.seeds,
          } : null;
        }),
        meanRank: rankNum(r.meanRank), meanRankRun: rankNum(r.meanRankRun), suitesRun: r.suitesRun,
        cost: c ? r6(c.costS) : null, costClock: c ? c.costClock : 'none',
      };
    }),
    coverage: s.suites.map((su) => {
      const c = s.coverage[su];
      return { suite: su, tasks: [...c.tasks], seeds: [...c.seeds], estimators: c.estimators, note: o.suiteNotes?.[su] ?? '' };
    }),
  };
}

/** The drill-down file of one cell. */
export function siteCell(cell: CellRecord, label: string, context: string): SiteCell {
  const t = cell.trajectory;
  return {
    id: cellId(cell.file), file: cell.file, label, context, seed: cell.seed,
    spec: cell.spec as unknown as Record<string, unknown>,
    engine: cell.engine, backend: cell.backend, msPerStep: r6(cell.msPerStep), logN: r6(cell.logN),
    levels: cell.levels.map((l) => ({
      trueMi: l.trueMi, window: [r6(l.window[0]), r6(l.window[1])], mean: r6(l.mean), bias: r6(l.bias),
      variance: r6(l.variance), mse: r6(l.mse), violations: r6(l.violations), emaViolations: r6(l.emaViolations), nonFinite: l.nonFinite,
    })),
    trajectory: { step: t.step, estimate: t.estimate.map(r6), ema: t.ema.map(r6) },
    provenance: cell.provenance,
  };
}

/** What the claims function (src/stats/reproduction.ts) returns, structurally: only what the page shows. */
export interface ClaimsInput {
  protocol: string;
  rows: {
    id: string; claim: string; where: string; reading: string | null; statistic: string; value: Interval | null; valueText: string;
    tests: { what: string; seeds: number; pHolm: number; canReach: boolean; outcome: string }[];
    figures: string[]; verdict: string; note: string;
  }[];
  readings: { reading: string; verdicts: Record<string, number>; claims: string[] }[];
}

/** The claims table in the page's shape (figures by base name, numbers rounded like the rest). */
export function siteClaims(rep: ClaimsInput): SiteClaims {
  return {
    protocol: rep.protocol,
    rows: rep.rows.map((r) => ({
      id: r.id, claim: r.claim, where: r.where, reading: r.reading, statistic: r.statistic,
      value: r.value ? ci(r.value) : null, valueText: r.valueText,
      tests: r.tests.map((t) => ({ what: t.what, seeds: t.seeds, pHolm: r6(t.pHolm), canReach: t.canReach, outcome: t.outcome })),
      figures: r.figures.map((f) => f.replace(/\.svg$/, '')), verdict: r.verdict, note: r.note,
    })),
    readings: rep.readings.map((x) => ({ reading: x.reading, verdicts: { ...x.verdicts }, claims: [...x.claims] })),
  };
}

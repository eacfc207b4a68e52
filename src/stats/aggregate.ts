/**
 * From a cell store's records to the statistics the report shows. Pure and deterministic:
 * records are sorted before use and every bootstrap draws from a stream keyed by what it
 * estimates, so the same records always give the same numbers.
 *
 * Vocabulary:
 *  - context: everything about a cell except the estimator variant and the seed — critic, task,
 *    ρ_batch, batch size n, and the "setup" (d, hidden, embed, lr, steps per level, staircase);
 *  - group: one estimator variant (its display label) in one context; its cells are seeds;
 *  - family (for Holm): all pairwise tests between the estimators of one context at one MI
 *    level; and, pre-specified as the paper's claim, the primary family of one context and
 *    level: each MICE variant against each non-MICE estimator. Seeds pair the tests: one seed =
 *    one data stream and one initialisation.
 */
import type { EstimatorId } from '../types.js';
import { ESTIMATORS } from '../types.js';
import { getBound, isUpperBound } from '../bounds/index.js';
import { estimatorLabel, num, rhoLabel } from '../labels.js';
import { bootstrapCi, index, percentiles, type Interval } from './bootstrap.js';
import { averageRanks, interquartileMean, mean, median } from './describe.js';
import { canReachSignificance, holm, wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
import { consistencyTest, type ConsistencyResult } from './consistency.js';
import { ganSummary, type GanSummary } from './gan.js';
import type { CellRecord, GanRecord, StoreRecord } from './records.js';
import { Rng } from '../rng.js';

export const ALPHA = 0.05;

export interface Context {
  key: string;
  critic: string;
  task: string;
  batchRho: number | 'random';
  batchSize: number;
  /** Canonical JSON of the setup fields; `setupLabel` is '' when the store has one setup only. */
  setup: string;
  setupLabel: string;
  trueMi: number[];
}

export interface LevelSummary {
  level: number;
  trueMi: number;
  seeds: number;
  /** Seeds whose run had any non-finite estimate in this level's window (or a non-finite MSE). */
  diverged: number;
  bias: Interval;
  variance: Interval;
  mse: Interval;
  violations: Interval;
  emaViolations: Interval;
}

export interface Group {
  context: Context;
  label: string;
  estimator: EstimatorId;
  /** getBound(name).lowerBound, or null when the bound is not registered. */
  lowerBound: boolean | null;
  /** Present (true) for an estimator reported as an upper bound (CLUB, L1Out): its violations are estimates below the truth. */
  upperBound?: true;
  seeds: number[];
  cells: CellRecord[];
  levels: LevelSummary[];
  msPerStep: number;
  engines: string[];
  backends: string[];
  /** Cells with a non-finite estimate anywhere in a level window. */
  divergedCells: number;
}

export interface PairTest {
  context: Context;
  level: number;
  trueMi: number;
  a: string;
  b: string;
  /** Median over paired seeds of MSE(a) − MSE(b). */
  medianDiff: number;
  test: WilcoxonResult;
  pHolm: number;
  familySize: number;
  /** Whether this family can reject anything at ALPHA with this many pairs (Holm's first step). */
  canReach: boolean;
  /** The label with the lower MSE when pHolm ≤ ALPHA, else null. */
  better: string | null;
  /**
   * The same test in the primary family — the paper's claim: every MICE variant against every
   * non-MICE estimator in this context and level — Holm-corrected within that smaller family.
   * Absent for pairs outside it (MICE vs MICE, baseline vs baseline).
   */
  primary?: { pHolm: number; familySize: number; canReach: boolean; better: string | null };
}

export interface RankEntry {
  label: string;
  iqm: Interval;
  rank: Interval;
}

export interface Ranking {
  scope: string;
  context: Context | null;
  seeds: number;
  strata: number;
  entries: RankEntry[];
  excluded: string[];
}

export interface ConsistencyRow {
  key: string;
  critic: string;
  task: string;
  batchRho: number | 'random';
  setupLabel: string;
  label: string;
  level: number;
  trueMi: number;
  result: ConsistencyResult;
}

export type { GanGroup, GanTest } from './gan.js';

export interface Summary {
  contexts: Context[];
  groups: Group[];
  pairs: PairTest[];
  rankings: Ranking[];
  consistency: ConsistencyRow[];
  gan: GanSummary;
  /** Cells dropped because another file held the same (label, context, seed). */
  duplicates: string[];
  provenance: { key: string; values: string[] }[];
}

export interface AggregateOptions {
  resamples?: number;
  lowerBoundOf?: (name: EstimatorId) => boolean | null;
}

const SETUP_FIELDS = ['dim', 'hidden', 'embed', 'lr', 'stepsPerLevel', 'mi'] as const;
const SETUP_SHORT: Record<(typeof SETUP_FIELDS)[number], string> = {
  dim: 'd', hidden: 'h', embed: 'e', lr: 'lr', stepsPerLevel: 'L', mi: 'MI',
};

function defaultLowerBound(name: EstimatorId): boolean | null {
  try { return getBound(name).lowerBound; } catch { return null; }
}

const estimatorOrder = (e: string): number => {
  const i = (ESTIMATORS as readonly string[]).indexOf(e);
  return i < 0 ? ESTIMATORS.length : i;
};

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rhoOrder(r: number | 'random'): number {
  return r === 'random' ? Infinity : r;
}

export function compareContexts(a: Context, b: Context): number {
  return compareStrings(a.critic, b.critic) || compareStrings(a.task, b.task)
    || rhoOrder(a.batchRho) - rhoOrder(b.batchRho) || a.batchSize - b.batchSize || compareStrings(a.setup, b.setup);
}

export function contextLabel(c: Pick<Context, 'critic' | 'task' | 'batchRho' | 'batchSize' | 'setupLabel'>): string {
  return `${c.critic} · ${c.task} · ρ=${rhoLabel(c.batchRho)} · n=${c.batchSize}${c.setupLabel ? ` · ${c.setupLabel}` : ''}`;
}

function setupOf(r: CellRecord): Record<string, unknown> {
  const s = r.spec as unknown as Record<string, unknown>;
  return Object.fromEntries(SETUP_FIELDS.map((f) => [f, s[f] ?? null]));
}

/**
 * Labels for setups: only the fields that vary across the store, e.g. "L=400 d=10". Numbers to 4
 * significant digits (a mixture's true MI, 0.778048259105298, reads MI=0.778), unless that would
 * give two setups one label (labels name plot files too): then in full.
 */
function setupLabels(setups: string[]): Map<string, string> {
  const parsed = setups.map((s) => JSON.parse(s) as Record<string, unknown>);
  const varying = SETUP_FIELDS.filter((f) => new Set(parsed.map((p) => JSON.stringify(p[f]))).size > 1);
  const labels = (num: (x: unknown) => string) => setups.map((_, i) => varying.map((f) => {
    const v = parsed[i][f];
    return `${SETUP_SHORT[f]}=${Array.isArray(v) ? v.map(num).join(',') : num(v)}`;
  }).join(' '));
  const short = labels((x) => (typeof x === 'number' && Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x)));
  const chosen = new Set(short).size === setups.length ? short : labels(String);
  return new Map(setups.map((s, i) => [s, chosen[i]]));
}

const finite = (xs: number[]): number[] => xs.filter(Number.isFinite);

export function aggregate(records: readonly StoreRecord[], options: AggregateOptions = {}): Summary {
  const B = options.resamples ?? 2000;
  const lowerBoundOf = options.lowerBoundOf ?? defaultLowerBound;
  const cells = records.filter((r): r is CellRecord => r.kind === 'cell')
    .sort((a, b) => compareStrings(a.file, b.file));
  const gans = records.filter((r): r is GanRecord => r.kind === 'gan')
    .sort((a, b) => compareStrings(a.file, b.file));

  // Contexts.
  const setupKeys = [...new Set(cells.map((c) => JSON.stringify(setupOf(c))))].sort();
  const setupLabel = setupLabels(setupKeys);
  const contexts = new Map<string, Context>();
  const groupsByKey = new Map<string, { context: Context; label: string; estimator: EstimatorId; cells: CellRecord[] }>();
  const duplicates: string[] = [];
  for (const c of cells) {
    const setup = JSON.stringify(setupOf(c));
    const key = JSON.stringify([c.critic, c.task, c.batchRho, c.batchSize, setup]);
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = {
        key, critic: c.critic, task: c.task, batchRho: c.batchRho, batchSize: c.batchSize,
        setup, setupLabel: setupLabel.get(setup) ?? '', trueMi: c.levels.map((l) => l.trueMi),
      };
      contexts.set(key, ctx);
    }
    const label = estimatorLabel(c.spec);
    const gkey = JSON.stringify([key, label]);
    let g = groupsByKey.get(gkey);
    if (!g) { g = { context: ctx, label, estimator: c.estimator, cells: [] }; groupsByKey.set(gkey, g); }
    if (g.cells.some((x) => x.seed === c.seed)) { duplicates.push(c.file); continue; }
    g.cells.push(c);
  }
  const contextList = [...contexts.values()].sort(compareContexts);

  const groups: Group[] = [...groupsByKey.values()].map((g) => {
    const cs = [...g.cells].sort((a, b) => a.seed - b.seed);
    const nLevels = Math.max(0, ...cs.map((c) => c.levels.length));
    const levels: LevelSummary[] = [];
    for (let k = 0; k < nLevels; k++) {
      const ls = cs.map((c) => c.levels[k]).filter((l) => l !== undefined);
      const key = (stat: string) => ({ resamples: B, seedKey: [g.context.key, g.label, k, stat] });
      levels.push({
        level: k,
        trueMi: g.context.trueMi[k] ?? ls[0]?.trueMi ?? NaN,
        seeds: ls.length,
        diverged: ls.filter((l) => l.nonFinite > 0 || !Number.isFinite(l.mse)).length,
        bias: bootstrapCi(finite(ls.map((l) => l.bias)), mean, key('bias')),
        variance: bootstrapCi(finite(ls.map((l) => l.variance)), mean, key('variance')),
        mse: bootstrapCi(finite(ls.map((l) => l.mse)), mean, key('mse')),
        violations: bootstrapCi(finite(ls.map((l) => l.violations)), mean, key('violations')),
        emaViolations: bootstrapCi(finite(ls.map((l) => l.emaViolations)), mean, key('emaViolations')),
      });
    }
    return {
      context: g.context, label: g.label, estimator: g.estimator, lowerBound: lowerBoundOf(g.estimator),
      ...(isUpperBound(g.estimator) ? { upperBound: true as const } : {}),
      seeds: cs.map((c) => c.seed), cells: cs, levels,
      msPerStep: median(finite(cs.map((c) => c.msPerStep))),
      engines: [...new Set(cs.map((c) => c.engine))].sort(),
      backends: [...new Set(cs.map((c) => c.backend))].sort(),
      divergedCells: cs.filter((c) => c.levels.some((l) => l.nonFinite > 0 || !Number.isFinite(l.mse))).length,
    };
  }).sort((a, b) => compareContexts(a.context, b.context) || compareGroupLabels(a, b));

  const byContext = new Map<string, Group[]>();
  for (const g of groups) {
    const list = byContext.get(g.context.key) ?? [];
    list.push(g);
    byContext.set(g.context.key, list);
  }

  return {
    contexts: contextList,
    groups,
    pairs: pairTests(contextList, byContext),
    rankings: rankings(contextList, byContext, B),
    consistency: consistencyRows(groups, B),
    gan: ganSummary(gans, B, ALPHA),
    duplicates,
    provenance: provenanceOf(records),
  };
}

function compareGroupLabels(a: { estimator: string; label: string }, b: { estimator: string; label: string }): number {
  return estimatorOrder(a.estimator) - estimatorOrder(b.estimator) || compareStrings(a.label, b.label);
}

/** Per-seed MSE at level k, non-finite → +∞ (a divergent run is worse than any finite one). */
function mseBySeed(g: Group, k: number): Map<number, number> {
  const m = new Map<number, number>();
  for (const c of g.cells) {
    const l = c.levels[k];
    if (!l) continue;
    m.set(c.seed, Number.isFinite(l.mse) && l.nonFinite === 0 ? l.mse : Infinity);
  }
  return m;
}

function pairTests(contexts: Context[], byContext: Map<string, Group[]>): PairTest[] {
  const out: PairTest[] = [];
  const estimatorOf = new Map([...byContext.values()].flat().map((g) => [g.label, g.estimator as string]));
  for (const ctx of contexts) {
    const gs = byContext.get(ctx.key) ?? [];
    const nLevels = Math.max(0, ...gs.map((g) => g.levels.length));
    for (let k = 0; k < nLevels; k++) {
      const family: Omit<PairTest, 'pHolm' | 'familySize' | 'canReach' | 'better'>[] = [];
      for (let i = 0; i < gs.length; i++) {
        for (let j = i + 1; j < gs.length; j++) {
          const ma = mseBySeed(gs[i], k), mb = mseBySeed(gs[j], k);
          const seeds = [...ma.keys()].filter((s) => mb.has(s)).sort((x, y) => x - y);
          if (seeds.length === 0) continue;
          const xa = seeds.map((s) => ma.get(s)!), xb = seeds.map((s) => mb.get(s)!);
          const diffs = xa.map((v, q) => { const d = v - xb[q]; return Number.isNaN(d) ? 0 : d; });
          family.push({
            context: ctx, level: k, trueMi: ctx.trueMi[k] ?? NaN, a: gs[i].label, b: gs[j].label,
            medianDiff: median(diffs), test: wilcoxonSignedRank(xa, xb),
          });
        }
      }
      const lower = (f: (typeof family)[number], p: number) => (p <= ALPHA ? (f.test.wPlus < f.test.wMinus ? f.a : f.b) : null);
      const adj = holm(family.map((f) => f.test.p));
      const isMice = (label: string) => estimatorOf.get(label) === 'mice';
      const prim = family.map((f, q) => ({ f, q })).filter(({ f }) => isMice(f.a) !== isMice(f.b));
      const primAdj = holm(prim.map(({ f }) => f.test.p));
      const primaryOf = new Map(prim.map(({ f, q }, r) => [q, {
        pHolm: primAdj[r], familySize: prim.length,
        canReach: canReachSignificance(f.test.minP, prim.length, ALPHA), better: lower(f, primAdj[r]),
      }]));
      family.forEach((f, q) => {
        const pHolm = adj[q];
        const primary = primaryOf.get(q);
        out.push({
          ...f, pHolm, familySize: family.length, canReach: canReachSignificance(f.test.minP, family.length, ALPHA),
          better: lower(f, pHolm), ...(primary ? { primary } : {}),
        });
      });
    }
  }
  return out;
}

/**
 * Rankings by the interquartile mean (IQM) of per-level MSE over all (level, seed) values, with a
 * stratified bootstrap over seeds (strata: (context,) level). The bootstrap is joint: one draw of
 * seed indices per stratum is applied to every estimator, so estimators stay paired by seed and
 * each replicate also yields ranks — the rank interval is the 95% percentile interval of those.
 * Only seeds every ranked estimator has are used.
 */
function rankings(contexts: Context[], byContext: Map<string, Group[]>, B: number): Ranking[] {
  const out: Ranking[] = [];
  for (const ctx of contexts) {
    const gs = byContext.get(ctx.key) ?? [];
    if (gs.length < 2) continue;
    const r = rankStrata(gs.map((g) => ({ label: g.label, strata: g.levels.map((_, k) => ({ g, k })) })), B, ['rank', ctx.key]);
    if (r) out.push({ scope: contextLabel(ctx), context: ctx, ...r });
  }
  // Overall: the label set of the context with the most estimators (first in sort order on a
  // tie), over every context that holds all of those labels; other contexts (e.g. a consistency
  // sweep of two estimators) are left out rather than shrinking the ranking to their labels.
  const multi = contexts.filter((c) => (byContext.get(c.key)?.length ?? 0) >= 2);
  if (multi.length > 1) {
    const widest = multi.reduce((a, c) => ((byContext.get(c.key)?.length ?? 0) > (byContext.get(a.key)?.length ?? 0) ? c : a));
    const common = (byContext.get(widest.key) ?? []).map((g) => g.label);
    const used = multi.filter((c) => common.every((l) => (byContext.get(c.key) ?? []).some((g) => g.label === l)));
    if (used.length > 1) {
      const entries = common.map((label) => ({
        label,
        strata: used.flatMap((c) => {
          const g = (byContext.get(c.key) ?? []).find((x) => x.label === label)!;
          return g.levels.map((_, k) => ({ g, k }));
        }),
      }));
      const r = rankStrata(entries, B, ['rank', 'overall']);
      const left = multi.length - used.length;
      if (r) out.push({ scope: `overall (${used.length} contexts${left ? `; ${left} with other estimator sets left out` : ''})`, context: null, ...r });
    }
  }
  return out;
}

function rankStrata(
  entries: { label: string; strata: { g: Group; k: number }[] }[],
  B: number,
  seedKey: (string | number)[],
): Omit<Ranking, 'scope' | 'context'> | null {
  const nStrata = Math.min(...entries.map((e) => e.strata.length));
  if (nStrata === 0) return null;
  const seedSets = entries.flatMap((e) => e.strata.map((s) => new Set(s.g.cells.map((c) => c.seed))));
  const seeds = [...seedSets[0]].filter((s) => seedSets.every((set) => set.has(s))).sort((a, b) => a - b);
  if (seeds.length === 0) return null;
  // values[e][stratum][seedIndex]
  const values = entries.map((e) => e.strata.slice(0, nStrata).map(({ g, k }) => {
    const m = mseBySeed(g, k);
    return seeds.map((s) => m.get(s) ?? Infinity);
  }));
  const stat = (v: number[][], idx: number[][] | null): number =>
    interquartileMean(v.flatMap((row, k) => (idx ? idx[k].map((i) => row[i]) : row)));
  const point = values.map((v) => stat(v, null));
  const pointRanks = averageRanks(point.map((x) => (Number.isNaN(x) ? Infinity : x)));
  const rng = new Rng(seedKey);
  const S = seeds.length;
  const iqmReps = entries.map(() => new Array<number>(B));
  const rankReps = entries.map(() => new Array<number>(B));
  for (let b = 0; b < B; b++) {
    const idx = Array.from({ length: nStrata }, () => Array.from({ length: S }, () => index(rng, S)));
    const reps = values.map((v) => stat(v, idx));
    const ranks = averageRanks(reps.map((x) => (Number.isNaN(x) ? Infinity : x)));
    reps.forEach((x, e) => { iqmReps[e][b] = x; rankReps[e][b] = ranks[e]; });
  }
  const list: RankEntry[] = entries.map((e, i) => ({
    label: e.label,
    iqm: { estimate: point[i], ...percentiles(iqmReps[i], 0.95) },
    rank: { estimate: pointRanks[i], ...percentiles(rankReps[i], 0.95) },
  }));
  list.sort((a, b) => a.rank.estimate - b.rank.estimate || compareStrings(a.label, b.label));
  return { seeds: S, strata: nStrata, entries: list, excluded: [] };
}

/** Groups that differ only in batch size, per level: error = per-seed MSE (non-finite = diverged). */
function consistencyRows(groups: Group[], B: number): ConsistencyRow[] {
  const fam = new Map<string, Group[]>();
  for (const g of groups) {
    const c = g.context;
    const key = JSON.stringify([c.critic, c.task, c.batchRho, c.setup, g.label]);
    const list = fam.get(key) ?? [];
    list.push(g);
    fam.set(key, list);
  }
  const out: ConsistencyRow[] = [];
  for (const [key, gs] of fam) {
    if (new Set(gs.map((g) => g.context.batchSize)).size < 2) continue;
    const c = gs[0].context;
    const nLevels = Math.min(...gs.map((g) => g.levels.length));
    for (let k = 0; k < nLevels; k++) {
      const points = gs.map((g) => ({
        n: g.context.batchSize,
        errors: g.cells.map((cell) => {
          const l = cell.levels[k];
          return l && l.nonFinite === 0 && Number.isFinite(l.mse) ? l.mse : NaN;
        }),
      }));
      out.push({
        key, critic: c.critic, task: c.task, batchRho: c.batchRho, setupLabel: c.setupLabel, label: gs[0].label,
        level: k, trueMi: c.trueMi[k] ?? NaN,
        result: consistencyTest(points, { resamples: B, seedKey: [key, k] }),
      });
    }
  }
  return out.sort((a, b) => compareStrings(a.critic, b.critic) || compareStrings(a.task, b.task)
    || rhoOrder(a.batchRho) - rhoOrder(b.batchRho) || compareStrings(a.setupLabel, b.setupLabel)
    || compareGroupLabels({ estimator: a.label.split('(')[0], label: a.label }, { estimator: b.label.split('(')[0], label: b.label })
    || a.level - b.level);
}

/** Fields of `provenance` whose values vary by run rather than describe it are left out. */
const VOLATILE = /time|date|wall|started|finished|duration|elapsed|ms$|host|pid|attempt/i;

function provenanceOf(records: readonly StoreRecord[]): Summary['provenance'] {
  const acc = new Map<string, Set<string>>();
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null || VOLATILE.test(k)) return;
    if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [kk, vv] of Object.entries(v as Record<string, unknown>)) add(`${k}.${kk}`, vv);
      return;
    }
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    acc.set(k, (acc.get(k) ?? new Set()).add(s));
  };
  for (const r of records) {
    for (const [k, v] of Object.entries(r.provenance)) add(k, v);
    if (r.kind === 'cell') { add('engine', r.engine); add('backend', r.backend); } else if (r.kind === 'gan') add('backend', r.backend);
  }
  return [...acc.entries()].map(([key, vals]) => ({ key, values: [...vals].sort() }))
    .sort((a, b) => compareStrings(a.key, b.key));
}

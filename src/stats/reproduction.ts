/**
 * The paper's claims, tested on a store's cells (REPRODUCTION.md; issue 9). Each claim of the
 * MICE paper is stated once, carefully, with where the paper makes it, and reduced to a few
 * pre-specified tests on the cells at one protocol (the paper's, §5.1: MI 2…10 × 4 000 steps,
 * d = 20, n = 64, h = 256, when the store has it). Pure and deterministic, like the rest of src/stats.
 *
 * Statistics, chosen to be scale-free because a diverging estimator (MICE as written reaches
 * −10⁹ nats) must not dominate a mean:
 *  - comparison "a is lower than b on metric m over units U" (a unit = one context × MI level):
 *    per seed, the share of units where a's per-seed value is below b's (ties ½); the test is a
 *    Wilcoxon signed-rank test of (share − ½) over seeds; the value is the mean share with a
 *    bootstrap 95% CI over seeds. Seeds pair everything: one seed = one data stream and one
 *    initialisation for every estimator (common random numbers).
 *  - trend "m grows with x": per seed, Kendall's τ_b between x and m; Wilcoxon of τ over seeds.
 *  - threshold claims ("almost never", "sometimes") compare a bootstrap CI with the threshold.
 * Tests within one row are Holm-corrected. A test supports the claim when its corrected p ≤ 0.05
 * in the claimed direction, contradicts it when p ≤ 0.05 the other way, and is undecided else.
 * Verdict of a row: holds — every test supports; fails — some test contradicts and none
 * supports; mixed — some support and some contradict; inconclusive — otherwise (undecided
 * tests, too few seeds to reach 0.05, or no data; the note says which cells would settle it).
 */
import type { Context, Group, Summary } from './aggregate.js';
import { ALPHA } from './aggregate.js';
import { bootstrapCi, type Interval } from './bootstrap.js';
import { mean, median } from './describe.js';
import { canReachSignificance, holm, wilcoxonFromDifferences } from './wilcoxon.js';
import type { LevelRecord } from './records.js';
import { settleSteps } from './trajectory.js';

export const VERDICTS = ['holds', 'fails', 'mixed', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type Outcome = 'supports' | 'contradicts' | 'undecided';

export interface ClaimTest {
  /** What is compared, e.g. "mice(no-block) vs nwj, variance". */
  what: string;
  seeds: number;
  p: number;
  pHolm: number;
  /** Whether this many seeds can reach p ≤ 0.05 after Holm in this row at all. */
  canReach: boolean;
  outcome: Outcome;
}

export interface ClaimRow {
  id: string;
  claim: string;
  /** Where the paper makes it: section, figure, equation. */
  where: string;
  /** The MICE reading this row judges (a display label), or null when the claim is not MICE's. */
  reading: string | null;
  statistic: string;
  value: Interval | null;
  /** The value as printed (unit, per-level lists where one number would hide too much). */
  valueText: string;
  tests: ClaimTest[];
  /** Plot file names (inside plots/) that show it. */
  figures: string[];
  verdict: Verdict;
  note: string;
}

export interface FigureRef { name: string; kind: string; contexts: string[] }

export interface Reproduction {
  /** The protocol the rows use, in words. */
  protocol: string;
  rows: ClaimRow[];
  /** Per MICE reading: how many rows of each verdict. */
  readings: { reading: string; verdicts: Record<Verdict, number>; claims: string[] }[];
}

/** The paper's protocol (§5.1, §A.3). */
const PAPER_SETUP = { dim: 20, hidden: 256, stepsPerLevel: 4000, mi: [2, 4, 6, 8, 10], lr: 5e-4 };
const PAPER_N = 64;

type Metric = 'absBias' | 'variance' | 'mse' | 'emaAbove';
const METRIC_WORD: Record<Metric, string> = { absBias: '|bias|', variance: 'variance', mse: 'MSE', emaAbove: 'EMA above MI' };

interface Unit { ctx: Context; level: number }

class Claims {
  readonly protocolSetup: string | null;
  private readonly groups: Group[];

  constructor(private readonly s: Summary, private readonly figures: FigureRef[], private readonly B: number) {
    this.protocolSetup = pickSetup(s);
    this.groups = s.groups.filter((g) => g.context.setup === this.protocolSetup && g.context.batchSize === this.protocolN());
  }

  protocolN(): number {
    if (this.protocolSetup === null) return PAPER_N;
    const ns = this.s.contexts.filter((c) => c.setup === this.protocolSetup).map((c) => c.batchSize);
    return ns.includes(PAPER_N) ? PAPER_N : Math.min(...ns);
  }

  describeProtocol(): string {
    if (this.protocolSetup === null) return 'no estimator cells in this store';
    const s = JSON.parse(this.protocolSetup) as Record<string, unknown>;
    const paper = isPaperSetup(s) && this.protocolN() === PAPER_N;
    return `${paper ? "the paper's protocol: " : 'NOT the paper\'s protocol (the store has none of it): '}` +
      `MI ${(s.mi as number[]).join(', ')} nats × ${String(s.stepsPerLevel)} steps per level, d = ${String(s.dim)}, ` +
      `n = ${this.protocolN()}, h = ${String(s.hidden)}, Adam lr ${String(s.lr)}; statistics over the last half of each level`;
  }

  group(critic: string, task: string, rho: number | 'random', label: string): Group | undefined {
    return this.groups.find((g) => g.context.critic === critic && g.context.task === task && g.context.batchRho === rho && g.label === label);
  }

  labels(critic: string): string[] {
    return [...new Set(this.groups.filter((g) => g.context.critic === critic).map((g) => g.label))];
  }

  miceReadings(): string[] {
    const seen = new Map<string, Group>();
    for (const g of this.groups) if (g.estimator === 'mice' && !seen.has(g.label)) seen.set(g.label, g);
    return [...seen.keys()].sort(readingOrder);
  }

  figs(kind: string, pred: (c: Context) => boolean = () => true): string[] {
    const keys = new Set(this.s.contexts.filter(pred).map((c) => c.key));
    return this.figures.filter((f) => f.kind === kind && (f.contexts.length === 0 || f.contexts.some((k) => keys.has(k)))).map((f) => f.name);
  }

  /** Per-seed value of one metric at one level; divergence is the worst value (+∞). */
  static value(l: LevelRecord | undefined, m: Metric): number {
    if (!l) return NaN;
    const diverged = l.nonFinite > 0 || !Number.isFinite(l.mse);
    if (m === 'emaAbove') return l.emaViolations;
    if (diverged) return Infinity;
    return m === 'absBias' ? Math.abs(l.bias) : m === 'variance' ? l.variance : l.mse;
  }

  /**
   * Per seed: the share of units where a's metric is below b's (ties ½), over the units where
   * both have that seed. A store that is still growing holds some units at fewer seeds than
   * others; pairing within each seed stays exact, so a seed counts once it has any common unit
   * (with every unit complete this is the share over all units).
   */
  winShares(a: Group[], b: Group[], m: Metric): Map<number, number> {
    const seeds = [...new Set([...a, ...b].flatMap((g) => g.cells.map((c) => c.seed)))].sort((x, y) => x - y);
    const out = new Map<number, number>();
    for (const seed of seeds) {
      let wins = 0, units = 0;
      for (let i = 0; i < a.length; i++) {
        const ca = a[i].cells.find((c) => c.seed === seed), cb = b[i].cells.find((c) => c.seed === seed);
        if (!ca || !cb) continue;
        const L = Math.min(ca.levels.length, cb.levels.length);
        for (let k = 0; k < L; k++) {
          const va = Claims.value(ca.levels[k], m), vb = Claims.value(cb.levels[k], m);
          if (Number.isNaN(va) || Number.isNaN(vb)) continue;
          units++;
          wins += va < vb ? 1 : va > vb ? 0 : 0.5;
        }
      }
      if (units > 0) out.set(seed, wins / units);
    }
    return out;
  }

  interval(values: number[], key: (string | number)[]): Interval {
    return bootstrapCi(values, mean, { resamples: this.B, seedKey: ['reproduction', ...key] });
  }
}

function isPaperSetup(s: Record<string, unknown>): boolean {
  return s.dim === PAPER_SETUP.dim && s.hidden === PAPER_SETUP.hidden && s.stepsPerLevel === PAPER_SETUP.stepsPerLevel
    && s.lr === PAPER_SETUP.lr && JSON.stringify(s.mi) === JSON.stringify(PAPER_SETUP.mi);
}

/** The paper's setup when the store has it, else the setup with the most cells. */
function pickSetup(s: Summary): string | null {
  const count = new Map<string, number>();
  for (const g of s.groups) count.set(g.context.setup, (count.get(g.context.setup) ?? 0) + g.cells.length);
  if (count.size === 0) return null;
  const paper = [...count.keys()].find((k) => isPaperSetup(JSON.parse(k) as Record<string, unknown>));
  if (paper) return paper;
  return [...count.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

function commonSeeds(gs: Group[]): number[] {
  if (gs.length === 0) return [];
  let seeds = new Set(gs[0].cells.map((c) => c.seed));
  for (const g of gs.slice(1)) seeds = new Set(g.cells.map((c) => c.seed).filter((x) => seeds.has(x)));
  return [...seeds].sort((a, b) => a - b);
}

/** MICE readings in a fixed order: as written first, then the ablations. */
function readingOrder(a: string, b: string): number {
  const rank = (l: string) => (l === 'mice' ? 0 : l.includes('no-block') ? (l.includes('sn=all') ? 3 : 1) : l.includes('sn=all') ? 2 : 4);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Kendall's τ_b between x and y (NaN pairs skipped; ±∞ compare as values). */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  let conc = 0, disc = 0, tx = 0, ty = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      if ([x[i], x[j], y[i], y[j]].some(Number.isNaN)) continue;
      const dx = Math.sign(x[j] - x[i] || 0), dy = Math.sign(y[j] === y[i] ? 0 : y[j] > y[i] ? 1 : -1);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) { tx++; continue; }
      if (dy === 0) { ty++; continue; }
      if (dx === dy) conc++; else disc++;
    }
  }
  const d = Math.sqrt((conc + disc + tx) * (conc + disc + ty));
  return d > 0 ? (conc - disc) / d : NaN;
}

interface RawTest { what: string; diffs: number[]; direction: number }

/** Holm-correct a row's tests; outcome by corrected p and the sign of the mean difference. */
function finishTests(raw: RawTest[]): ClaimTest[] {
  const ws = raw.map((r) => wilcoxonFromDifferences(r.diffs.filter(Number.isFinite)));
  const adj = holm(ws.map((w) => w.p));
  return raw.map((r, i) => {
    const m = mean(r.diffs.filter(Number.isFinite));
    const sig = adj[i] <= ALPHA;
    return {
      what: r.what, seeds: r.diffs.length, p: ws[i].p, pHolm: adj[i],
      canReach: canReachSignificance(ws[i].minP, raw.length, ALPHA),
      outcome: !sig || !Number.isFinite(m) || m === 0 ? 'undecided' : Math.sign(m) === r.direction ? 'supports' : 'contradicts',
    };
  });
}

export function verdictOf(tests: readonly { outcome: Outcome }[]): Verdict {
  if (tests.length === 0) return 'inconclusive';
  const sup = tests.filter((t) => t.outcome === 'supports').length;
  const con = tests.filter((t) => t.outcome === 'contradicts').length;
  if (sup === tests.length) return 'holds';
  if (sup > 0 && con > 0) return 'mixed';
  if (con > 0) return 'fails';
  return 'inconclusive';
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : x > 0 ? '∞' : x < 0 ? '−∞' : 'n/a');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : 'n/a');
const ci = (v: Interval, f: (x: number) => string = f2) => `${f(v.estimate)} [${f(v.low)}, ${f(v.high)}]`;

function missing(id: string, claim: string, where: string, reading: string | null, statistic: string, settle: string): ClaimRow {
  return { id, claim, where, reading, statistic, value: null, valueText: 'no data', tests: [], figures: [], verdict: 'inconclusive', note: `not in this store; would be settled by ${settle}` };
}

function undecidedNote(tests: ClaimTest[]): string {
  const unreachable = tests.filter((t) => !t.canReach);
  if (unreachable.length) return `${unreachable.length} of ${tests.length} test(s) cannot reach p ≤ 0.05 with ${Math.min(...unreachable.map((t) => t.seeds))} seed(s); more seeds would settle them`;
  const und = tests.filter((t) => t.outcome === 'undecided');
  return und.length ? `undecided: ${und.map((t) => t.what).join('; ')}` : '';
}

/** Comparison row: a (one label) lower than each of bs on each metric, over the units in ctxs. */
function comparisonRow(
  c: Claims, base: Omit<ClaimRow, 'value' | 'valueText' | 'tests' | 'verdict' | 'note' | 'statistic'>,
  critic: string, tasks: string[], rhos: (number | 'random')[], a: string, bs: string[], metrics: Metric[], settle: string,
): ClaimRow {
  const statistic = `per seed, share of (task, ρ_batch, MI level) units where ${a}'s ${metrics.map((m) => METRIC_WORD[m]).join(' / ')} is below the other's; mean over seeds and comparisons`;
  const raw: RawTest[] = [];
  const perSeed = new Map<number, number[]>();
  for (const b of bs) {
    for (const m of metrics) {
      const ga: Group[] = [], gb: Group[] = [];
      for (const t of tasks) for (const r of rhos) {
        const x = c.group(critic, t, r, a), y = c.group(critic, t, r, b);
        if (x && y) { ga.push(x); gb.push(y); }
      }
      if (ga.length === 0) continue;
      const shares = c.winShares(ga, gb, m);
      if (shares.size === 0) continue;
      raw.push({ what: `${a} vs ${b}, ${METRIC_WORD[m]}`, diffs: [...shares.values()].map((s) => s - 0.5), direction: 1 });
      for (const [seed, s] of shares) perSeed.set(seed, [...(perSeed.get(seed) ?? []), s]);
    }
  }
  if (raw.length === 0) return missing(base.id, base.claim, base.where, base.reading, statistic, settle);
  const tests = finishTests(raw);
  const seeds = [...perSeed.keys()].sort((x, y) => x - y);
  const value = c.interval(seeds.map((s) => mean(perSeed.get(s)!)), [base.id, base.reading ?? '', critic]);
  const verdict = verdictOf(tests);
  return {
    ...base, statistic, value, valueText: `${pct(value.estimate)} [${pct(value.low)}, ${pct(value.high)}] of comparisons won (${seeds.length} seeds)`,
    tests, verdict, note: verdict === 'holds' ? '' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests),
  };
}

function contradicted(tests: ClaimTest[]): string {
  const con = tests.filter((t) => t.outcome === 'contradicts').map((t) => t.what);
  const sup = tests.filter((t) => t.outcome === 'supports').map((t) => t.what);
  return [con.length ? `contradicted: ${con.join('; ')}` : '', sup.length ? `supported: ${sup.join('; ')}` : ''].filter(Boolean).join(' · ');
}

const STANDARD = [0] as (number | 'random')[];
const RHO_POSITIVE = [0.1, 0.2, 0.3, 0.4, 0.5] as (number | 'random')[];
const BASELINES = ['infonce', 'nwj', 'smile(τ=1)', 'smile(τ=∞)'];
const SWEEP = 'harness sweep --preset paper';

export function reproduction(summary: Summary, figures: readonly FigureRef[], options: { resamples?: number } = {}): Reproduction {
  const c = new Claims(summary, [...figures], options.resamples ?? 2000);
  const rows: ClaimRow[] = [];
  const readings = c.miceReadings();
  const tasks = ['gaussian', 'cubic'];
  const sepStd = (x: Context) => x.critic === 'separable' && x.batchRho === 0 && x.setup === c.protocolSetup;
  const std = (critic: string) => (x: Context) => x.critic === critic && x.batchRho === 0 && x.setup === c.protocolSetup;

  // C1a: InfoNCE ≤ log n, by construction of the bound; checked on every InfoNCE cell.
  {
    const id = 'C1a', claim = 'InfoNCE/CPC never exceeds log n.', where = '§2, §5.1 (Fig. 1: "bounded above by log n")';
    const gs = summary.groups.filter((g) => g.estimator === 'infonce');
    if (gs.length === 0) rows.push(missing(id, claim, where, null, 'largest per-step estimate minus log n', SWEEP));
    else {
      let worst = -Infinity, cells = 0;
      for (const g of gs) for (const cell of g.cells) {
        cells++;
        // max(e − log n) over the points is (max e) − log n: rounded subtraction is monotone.
        if (Number.isFinite(cell.maxEstimate)) worst = Math.max(worst, cell.maxEstimate - cell.logN);
        for (const l of cell.levels) if (Number.isFinite(l.mean)) worst = Math.max(worst, l.mean - cell.logN);
      }
      const ok = worst <= 1e-9;
      rows.push({
        id, claim, where, reading: null, statistic: 'largest recorded estimate (trajectory points and level means) minus log n, over every InfoNCE cell',
        value: { estimate: worst, low: worst, high: worst }, valueText: `${f3(worst)} nats over ${cells} cells (a bound: no CI)`,
        tests: [{ what: 'max(estimate − log n) ≤ 0', seeds: cells, p: NaN, pHolm: NaN, canReach: true, outcome: ok ? 'supports' : 'contradicts' }],
        figures: c.figs('trajectory', sepStd), verdict: ok ? 'holds' : 'fails', note: ok ? '' : 'an InfoNCE estimate above log n is a bug in the bound',
      });
    }
  }
  // C1b: InfoNCE has the lowest variance of all (separable, standard benchmark).
  {
    const others = c.labels('separable').filter((l) => l !== 'infonce' && (BASELINES.includes(l) || readings.includes(l)));
    rows.push(comparisonRow(c, {
      id: 'C1b', claim: 'InfoNCE/CPC has the lowest variance of all estimators.', where: '§5.1, Fig. 2 ("the variance is much lower than all the other approaches")',
      reading: null, figures: c.figs('bias-variance-mse', sepStd),
    }, 'separable', tasks, STANDARD, 'infonce', others, ['variance'], SWEEP));
  }
  // C2: NWJ's variance grows (exponentially) with the true MI.
  {
    const id = 'C2', claim = "NWJ's variance grows exponentially with the true MI.", where = '§5.1, Fig. 2 (after Song & Ermon 2020)';
    const raw: RawTest[] = [];
    const taus: number[][] = [];
    const slopes: number[] = [];
    for (const t of tasks) {
      const g = c.group('separable', t, 0, 'nwj');
      if (!g) continue;
      const tau: number[] = [];
      for (const cell of g.cells) {
        const v = cell.levels.map((l) => Claims.value(l, 'variance'));
        tau.push(kendallTau(cell.levels.map((l) => l.trueMi), v));
        const fin = cell.levels.map((l, k) => ({ x: l.trueMi, y: v[k] })).filter((p) => Number.isFinite(p.y) && p.y > 0);
        if (fin.length >= 3) slopes.push(olsSlope(fin.map((p) => p.x), fin.map((p) => Math.log(p.y))));
      }
      raw.push({ what: `${t}: Kendall τ(MI, variance) > 0`, diffs: tau, direction: 1 });
      taus.push(tau);
    }
    if (raw.length === 0) rows.push(missing(id, claim, where, null, 'Kendall τ between true MI and NWJ variance, per seed', SWEEP));
    else {
      const tests = finishTests(raw);
      const value = c.interval(taus.flat().filter(Number.isFinite), [id]);
      const growth = Math.exp(median(slopes));
      const verdict = verdictOf(tests);
      rows.push({
        id, claim, where, reading: null,
        statistic: 'per seed and task, Kendall τ_b between true MI and the level variance (separable, ρ_batch = 0; +1 = strictly increasing); growth factor per nat = exp(median OLS slope of log variance)',
        value, valueText: `τ = ${ci(value)}; variance ×${f2(growth)} per nat`, tests, figures: c.figs('bias-variance-mse', sepStd), verdict,
        note: (verdict === 'holds' ? 'monotone growth; the log-variance slope gives its rate (a positive slope is exponential growth)' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests)),
      });
    }
  }
  // C3: SMILE(τ=1) and MICE: lower bias and variance than CPC and NWJ, with both critics.
  for (const critic of ['separable', 'joint']) {
    for (const a of ['smile(τ=1)', ...readings]) {
      const isMice = a !== 'smile(τ=1)';
      rows.push(comparisonRow(c, {
        id: 'C3', claim: `${a === 'smile(τ=1)' ? 'SMILE(τ=1)' : 'MICE'} has lower bias and variance than CPC and NWJ (${critic} critic).`,
        where: '§5.1, Fig. 1–2', reading: isMice ? a : null, figures: [...c.figs('bias-variance-mse', std(critic)), ...c.figs('trajectory', std(critic))],
      }, critic, critic === 'joint' ? ['gaussian', 'cubic'] : tasks, STANDARD, a, ['infonce', 'nwj'], ['absBias', 'variance'],
      critic === 'joint' ? jointSettle(a) : SWEEP));
    }
  }
  // C4: MICE's moving mean almost never exceeds the true MI.
  for (const a of readings) rows.push(emaRow(c, 'C4', `MICE's smoothed estimate (moving mean) almost never exceeds the true MI.`, '§5.1 ("the moving mean of I_MICE is almost not exceeding the ground truth"), §6', a, 'below', tasks));
  // C5: SMILE sometimes over-estimates in the Gaussian task.
  rows.push(emaRow(c, 'C5', 'SMILE(τ=1) sometimes over-estimates MI in the Gaussian task.', '§5.1 ("MI estimates in the Gaussian task are sometimes slightly overestimated")', 'smile(τ=1)', 'above', ['gaussian']));
  // C6: joint critic: MICE converges faster than SMILE.
  for (const a of readings) rows.push(convergenceRow(c, a));
  // C7: every estimator is more biased as ρ_batch grows.
  rows.push(trendRow(c, readings));
  // C8: MICE is the least biased and most robust under ρ_batch > 0.
  for (const a of readings) {
    rows.push(comparisonRow(c, {
      id: 'C8', claim: 'MICE is the least biased estimator, with the lowest MSE, when samples are correlated (ρ_batch = 0.1…0.5).',
      where: '§5.2, Fig. 3, Fig. 5, §A.3', reading: a, figures: [...c.figs('rho', (x) => x.critic === 'separable' && x.setup === c.protocolSetup), ...c.figs('bias-variance-mse', (x) => x.critic === 'separable' && x.batchRho === 0.1 && x.setup === c.protocolSetup)],
    }, 'separable', tasks, RHO_POSITIVE, a, BASELINES, ['absBias', 'mse'], `${SWEEP} (ρ_batch 0.1…0.5)`));
  }
  // C9: random ρ_batch: MICE robust; NWJ's variance very sensitive.
  for (const a of readings) {
    rows.push(comparisonRow(c, {
      id: 'C9a', claim: 'With ρ_batch ~ U(0, 0.5) per batch, MICE stays the least biased, with the lowest MSE.',
      where: '§A.3, Fig. 6', reading: a, figures: [...c.figs('bias-variance-mse', (x) => x.critic === 'separable' && x.batchRho === 'random' && x.setup === c.protocolSetup), ...c.figs('rho', (x) => x.critic === 'separable' && x.setup === c.protocolSetup)],
    }, 'separable', tasks, ['random'], a, BASELINES, ['absBias', 'mse'], `${SWEEP} --batch-rho random`));
  }
  rows.push(nwjRandomRow(c, tasks));
  // C10: strong consistency: error shrinks as n grows.
  for (const a of consistencyReadings(summary)) rows.push(consistencyRow(summary, c, a));
  if (consistencyReadings(summary).length === 0) rows.push(missing('C10', 'MICE is strongly consistent: its error shrinks as n grows.', '§4.2, App. A.2', 'mice', 'slope of log MSE against log n', 'harness sweep --preset consistency'));
  // C11: the GAN.
  rows.push(...ganRows(summary, c));

  const readingRows = new Map<string, ClaimRow[]>();
  for (const r of rows) if (r.reading) readingRows.set(r.reading, [...(readingRows.get(r.reading) ?? []), r]);
  return {
    protocol: c.describeProtocol(),
    rows,
    readings: [...readingRows.entries()].sort((a, b) => readingOrder(a[0], b[0])).map(([reading, rs]) => ({
      reading,
      verdicts: Object.fromEntries(VERDICTS.map((v) => [v, rs.filter((r) => r.verdict === v).length])) as Record<Verdict, number>,
      claims: rs.filter((r) => r.verdict === 'holds').map((r) => r.id),
    })),
  };
}

function olsSlope(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxx > 0 ? sxy / sxx : NaN;
}

/** C4 / C5: the share of EMA points (level windows) above the true MI, against a threshold. */
function emaRow(c: Claims, id: string, claim: string, where: string, label: string, side: 'below' | 'above', tasks: string[]): ClaimRow {
  const threshold = 0.05;
  const statistic = side === 'below'
    ? `share of the moving mean's points (EMA, rate 0.01, last half of each level) above the true MI, per seed averaged over tasks and levels; "almost never" = the CI lies below ${pct(threshold)}`
    : 'share of the moving mean\'s points above the true MI, per seed averaged over levels (Gaussian); "sometimes" = the CI lies above 0';
  const figures: string[] = [];
  const tests: ClaimTest[] = [];
  const notes: string[] = [];
  let value: Interval | null = null;
  const parts: string[] = [];
  const verdicts: Verdict[] = [];
  for (const critic of ['separable', 'joint']) {
    const gs = tasks.map((t) => c.group(critic, t, 0, label)).filter((g): g is Group => g !== undefined);
    if (gs.length === 0) continue;
    const seeds = commonSeeds(gs);
    const perSeed = seeds.map((s) => mean(gs.flatMap((g) => g.cells.find((x) => x.seed === s)!.levels.map((l) => l.emaViolations)).filter(Number.isFinite)));
    const iv = c.interval(perSeed, [id, label, critic]);
    if (critic === 'separable' || value === null) value = iv;
    const ok = side === 'below' ? iv.high < threshold : iv.low > 0;
    const bad = side === 'below' ? iv.low > threshold : iv.high === 0;
    const outcome: Outcome = ok ? 'supports' : bad ? 'contradicts' : 'undecided';
    tests.push({ what: `${critic}: EMA share above MI ${side === 'below' ? `< ${pct(threshold)}` : '> 0'}`, seeds: seeds.length, p: NaN, pHolm: NaN, canReach: seeds.length >= 2, outcome });
    verdicts.push(outcome === 'supports' ? 'holds' : outcome === 'contradicts' ? 'fails' : 'inconclusive');
    parts.push(`${critic}: ${pct(iv.estimate)} [${pct(iv.low)}, ${pct(iv.high)}] (${seeds.length} seeds)`);
    figures.push(...c.figs('trajectory', (x) => x.critic === critic && x.batchRho === 0 && x.setup === c.protocolSetup));
    if (side === 'below') {
      const bias = mean(gs.flatMap((g) => g.cells.flatMap((x) => x.levels.map((l) => l.bias))).filter(Number.isFinite));
      if (bias < -1) notes.push(`${critic}: holds trivially if at all: the estimate sits far below the truth (mean bias ${bias < -1e3 ? bias.toExponential(1) : f2(bias)} nats)`);
    }
  }
  if (tests.length === 0) return missing(id, claim, where, side === 'below' ? label : null, statistic, SWEEP);
  const verdict = verdictOf(tests);
  return {
    id, claim, where, reading: side === 'below' ? label : null, statistic, value, valueText: parts.join('; '), tests,
    figures: [...new Set(figures)], verdict,
    note: [...notes, verdict === 'inconclusive' ? 'the CI straddles the threshold' : ''].filter(Boolean).join(' · '),
  };
}

/** The C6 reading of one level (kept under its old name; defined in ./trajectory.ts). */
export const convergenceSteps = settleSteps;

/** The sweep that would add a reading's joint cells: paper-joint holds the six main variants only. */
function jointSettle(a: string): string {
  return a.includes('sn=all')
    ? 'harness sweep --preset paper --critics joint (paper-joint holds the six main variants, not the sn=all readings)'
    : 'harness sweep --preset paper-joint (and --preset paper --critics joint for the full joint grid)';
}

function convergenceRow(c: Claims, a: string): ClaimRow {
  const id = 'C6', claim = 'With the joint critic, MICE converges faster than SMILE(τ=1).', where = '§5.1, Fig. 1 ("I_MICE converges faster than I_SMILE")';
  const statistic = 'per seed, share of (task, MI level) units where MICE\'s EMA reaches max(0.5 nats, 10% of MI) of the truth in fewer steps than SMILE(τ=1)\'s (never = the level\'s length)';
  const pairs: [Group, Group][] = [];
  for (const t of ['gaussian', 'cubic']) {
    const x = c.group('joint', t, 0, a), y = c.group('joint', t, 0, 'smile(τ=1)');
    if (x && y) pairs.push([x, y]);
  }
  if (pairs.length === 0) return missing(id, claim, where, a, statistic, jointSettle(a));
  const seeds = commonSeeds(pairs.flat());
  // A growing store can hold both estimators' joint cells, but for different seeds so far.
  if (seeds.length === 0) return missing(id, claim, where, a, statistic, 'harness sweep --preset paper-joint (no seed has both estimators\' joint cells yet)');
  const shares: number[] = [];
  const steps: { a: number[]; b: number[] } = { a: [], b: [] };
  for (const s of seeds) {
    let wins = 0, units = 0;
    for (const [ga, gb] of pairs) {
      const ca = ga.cells.find((x) => x.seed === s)!, cb = gb.cells.find((x) => x.seed === s)!;
      // Both cells share the context, hence the staircase: each level's reading is its own cell's.
      ca.levels.forEach((l, k) => {
        const ta = l.emaSettle;
        const tb = cb.levels[k].emaSettle;
        steps.a.push(ta); steps.b.push(tb);
        units++; wins += ta < tb ? 1 : ta > tb ? 0 : 0.5;
      });
    }
    shares.push(wins / units);
  }
  const tests = finishTests([{ what: `${a} faster than smile(τ=1)`, diffs: shares.map((x) => x - 0.5), direction: 1 }]);
  const value = c.interval(shares, [id, a]);
  const verdict = verdictOf(tests);
  return {
    id, claim, where, reading: a, statistic, value,
    valueText: `${pct(value.estimate)} [${pct(value.low)}, ${pct(value.high)}] of levels won; median steps ${median(steps.a)} vs ${median(steps.b)} (${seeds.length} seeds)`,
    tests, figures: c.figs('trajectory', (x) => x.critic === 'joint' && x.batchRho === 0 && x.setup === c.protocolSetup), verdict,
    note: verdict === 'holds' ? '' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests),
  };
}

/** C7: |bias| grows with ρ_batch for every estimator (Kendall τ per seed over ρ = 0…0.5). */
function trendRow(c: Claims, readings: string[]): ClaimRow {
  const id = 'C7', claim = 'Every estimator is more biased as the within-batch correlation ρ_batch grows.', where = '§A.3, Fig. 5';
  const statistic = 'per estimator, task and seed: Kendall τ_b between ρ_batch ∈ {0, 0.1, …, 0.5} (those the seed has, at least three) and the mean |bias| over MI levels (+1 = bias strictly grows with ρ)';
  const rhos = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
  const raw: RawTest[] = [];
  const all: number[] = [];
  for (const label of [...BASELINES, ...readings]) {
    for (const t of ['gaussian', 'cubic']) {
      const gs = rhos.map((r) => c.group('separable', t, r, label));
      const present = gs.map((g, i) => ({ g, r: rhos[i] })).filter((x): x is { g: Group; r: number } => x.g !== undefined);
      if (present.length < 3) continue;
      // Per seed, the ρ_batch values that seed has (at least three): a ρ still being computed
      // for a few seeds must not cut every other seed out, as a common seed set would.
      const seeds = [...new Set(present.flatMap((x) => x.g.cells.map((cell) => cell.seed)))].sort((a, b) => a - b);
      const taus: number[] = [];
      for (const s of seeds) {
        const at = present.map(({ g, r }) => ({ r, cell: g.cells.find((x) => x.seed === s) })).filter((x) => x.cell !== undefined);
        if (at.length < 3) continue;
        taus.push(kendallTau(at.map((x) => x.r), at.map((x) => mean(x.cell!.levels.map((l) => Claims.value(l, 'absBias'))))));
      }
      if (taus.length === 0) continue;
      raw.push({ what: `${label}, ${t}`, diffs: taus, direction: 1 });
      all.push(...taus.filter(Number.isFinite));
    }
  }
  if (raw.length === 0) return missing(id, claim, where, null, statistic, `${SWEEP} (ρ_batch 0…0.5)`);
  const tests = finishTests(raw);
  const value = c.interval(all, [id]);
  const verdict = verdictOf(tests);
  return {
    id, claim, where, reading: null, statistic, value, valueText: `mean τ = ${ci(value)} over ${raw.length} (estimator, task) pairs`,
    tests, figures: c.figs('rho', (x) => x.critic === 'separable' && x.setup === c.protocolSetup), verdict,
    note: verdict === 'holds' ? '' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests),
  };
}

/** C9b: NWJ's variance under random ρ_batch against the standard benchmark. */
function nwjRandomRow(c: Claims, tasks: string[]): ClaimRow {
  const id = 'C9b', claim = "With random ρ_batch, NWJ's variance is very sensitive to the data (it grows).", where = '§A.3, Fig. 7';
  const ga: Group[] = [], gb: Group[] = [];
  for (const t of tasks) {
    const x = c.group('separable', t, 'random', 'nwj'), y = c.group('separable', t, 0, 'nwj');
    if (x && y) { ga.push(y); gb.push(x); }
  }
  const statistic = "per seed, share of (task, MI level) units where NWJ's variance at ρ_batch = 0 is below its variance at random ρ_batch";
  if (ga.length === 0) return missing(id, claim, where, null, statistic, `${SWEEP} --batch-rho 0,random`);
  const shares = c.winShares(ga, gb, 'variance');
  const tests = finishTests([{ what: 'nwj variance: random ρ_batch > ρ_batch = 0', diffs: [...shares.values()].map((s) => s - 0.5), direction: 1 }]);
  const value = c.interval([...shares.values()], [id]);
  const verdict = verdictOf(tests);
  return {
    id, claim, where, reading: null, statistic, value, valueText: `${pct(value.estimate)} [${pct(value.low)}, ${pct(value.high)}] of units (${shares.size} seeds)`,
    tests, figures: c.figs('bias-variance-mse', (x) => x.critic === 'separable' && (x.batchRho === 'random' || x.batchRho === 0) && x.setup === c.protocolSetup), verdict,
    note: verdict === 'holds' ? '' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests),
  };
}

function consistencyReadings(s: Summary): string[] {
  return [...new Set(s.consistency.filter((r) => r.label.startsWith('mice')).map((r) => r.label))].sort(readingOrder);
}

function consistencyRow(s: Summary, c: Claims, a: string): ClaimRow {
  const id = 'C10', claim = 'MICE is strongly consistent: its error shrinks as the sample size n grows.', where = '§4.2, Theorem (App. A.2)';
  const rowsAll = s.consistency.filter((r) => r.label === a);
  // One consistency family: the one with the most batch sizes (the store's consistency sweep),
  // then the most seeds at every n (the preset's 10 over an earlier reduced run's 3).
  const size = (k: string): [number, number] => {
    const fam = rowsAll.filter((r) => r.key === k);
    return [fam[0].result.points.length, Math.min(...fam.flatMap((r) => r.result.points.map((p) => p.seeds)))];
  };
  const key = [...new Set(rowsAll.map((r) => r.key))].sort((x, y) => {
    const [px, sx] = size(x), [py, sy] = size(y);
    return py - px || sy - sx || (x < y ? -1 : 1);
  })[0];
  const rows = rowsAll.filter((r) => r.key === key);
  const r0 = rows[0];
  const tests: ClaimTest[] = rows.map((r) => ({
    what: `MI ${r.trueMi}: ${r.result.verdict} (${r.result.reason})`, seeds: Math.min(...r.result.points.map((p) => p.seeds)), p: NaN, pHolm: NaN,
    canReach: r.result.verdict !== 'insufficient',
    outcome: r.result.verdict === 'passes' ? 'supports' : r.result.slope.low > 0 || r.result.reason.includes('diverged') ? 'contradicts' : 'undecided',
  }));
  const verdict = verdictOf(tests);
  const ns = r0.result.points.map((p) => p.n).join(', ');
  return {
    id, claim, where, reading: a,
    statistic: `per MI level, OLS slope of log(mean MSE over seeds) against log n, stratified bootstrap CI; supports when the CI is below 0, contradicts when above 0 or a run diverged`,
    value: r0.result.slope,
    valueText: rows.map((r) => `MI ${r.trueMi}: ${ci(r.result.slope)}`).join('; ') + ` (n = ${ns}; ${r0.setupLabel || 'store setup'})`,
    tests, figures: c.figs('consistency'), verdict,
    note: (verdict === 'holds' ? '' : verdict === 'inconclusive' ? 'slope CIs contain 0' : contradicted(tests))
      + (r0.setupLabel ? ` · measured on the consistency sweep's own protocol (${r0.setupLabel}), not the paper's` : ''),
  };
}

function ganRows(s: Summary, c: Claims): ClaimRow[] {
  const id = 'C11', claim = 'A GAN regularised by MICE captures all 25 modes of the 2-D grid where a vanilla GAN fails.', where = '§5.3, eq. 20–21, Fig. 4';
  const statistic = 'modes captured (of 25: ≥ 20 of 2 500 samples within 3σ of a mode), mean over seeds; per MICE reading, its best arm (β, code) by mean modes; tests: that arm has more modes than vanilla with the same setup and code (paired Wilcoxon by seed, Bonferroni over the arms tried), captures all 25 (CI of the mean ≥ 24.5), and vanilla does not (CI < 25)';
  const arms = s.gan.groups.filter((g) => g.variant === 'mice');
  const readings = [...new Set(arms.map((g) => g.variantLabel))].sort();
  const vanillaOf = (g: (typeof arms)[number]) => s.gan.groups.find((v) => v.variant === 'vanilla' && v.setup === g.setup && v.steps === g.steps && v.code === g.code);
  if (readings.length === 0 || !arms.some((g) => vanillaOf(g))) return [missing(id, claim, where, 'mice', statistic, 'harness sweep --preset gan')];
  return readings.map((reading) => {
    const mine = arms.filter((g) => g.variantLabel === reading && vanillaOf(g));
    if (mine.length === 0) return missing(id, claim, where, reading, statistic, 'harness sweep --preset gan');
    const best = [...mine].sort((a, b) => b.modes.estimate - a.modes.estimate || (a.label < b.label ? -1 : 1))[0];
    const v = vanillaOf(best)!;
    const paired = best.records.filter((r) => v.records.some((x) => x.seed === r.seed));
    const diffs = paired.map((r) => r.modes - v.records.find((x) => x.seed === r.seed)!.modes);
    const w = wilcoxonFromDifferences(diffs);
    const pAdj = Math.min(1, w.p * mine.length);
    const m = mean(diffs);
    const more: ClaimTest = {
      what: `${best.label} more modes than ${v.label} (best of ${mine.length} arm(s))`, seeds: paired.length, p: w.p, pHolm: pAdj,
      canReach: canReachSignificance(w.minP, mine.length, ALPHA),
      outcome: pAdj > ALPHA || m === 0 ? 'undecided' : m > 0 ? 'supports' : 'contradicts',
    };
    const tests: ClaimTest[] = [
      more,
      { what: `${best.label} captures all 25`, seeds: best.records.length, p: NaN, pHolm: NaN, canReach: true, outcome: best.modes.low >= 24.5 ? 'supports' : best.modes.high < 24.5 ? 'contradicts' : 'undecided' },
      { what: `${v.label} misses modes`, seeds: v.records.length, p: NaN, pHolm: NaN, canReach: true, outcome: v.modes.high < 25 ? 'supports' : 'contradicts' },
    ];
    const verdict = verdictOf(tests);
    return {
      id, claim, where, reading, statistic, value: best.modes,
      valueText: `${best.label}: ${ci(best.modes, (x) => x.toFixed(1))} modes (all 25 in ${pct(best.allModes)} of seeds) vs ${v.label} ${ci(v.modes, (x) => x.toFixed(1))} (${paired.length} paired seeds)`,
      tests, figures: c.figs('gan'), verdict,
      note: verdict === 'holds' ? '' : verdict === 'inconclusive' ? undecidedNote(tests) : contradicted(tests),
    };
  });
}

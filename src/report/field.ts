/**
 * The leaderboard's "Field table" section and its CSV (src/stats/field.ts): one row per
 * estimator and critic, one column per suite with the IQM of the scale-free error, its 95%
 * seed-bootstrap CI and the rank among the suite's estimators; lower and upper bounds marked;
 * cost per cell beside accuracy. Deterministic, like the rest of the report.
 */
import type { FieldSummary } from '../stats/field.js';
import { csvTable, fmt, fmtCi, mdTable } from './format.js';

const KIND: Record<string, string> = { lower: 'lower bound', upper: 'upper bound', estimate: 'estimate' };
const rank = (r: number) => (Number.isInteger(r) ? String(r) : r.toFixed(1));

export interface FieldTableOptions {
  /** The suite whose cost per cell the table shows (default: the first suite). */
  costSuite?: string;
  /** Heading level (default '##'). */
  heading?: string;
  /** One line per suite saying what it holds and where its cells come from. */
  suiteNotes?: Record<string, string>;
}

export function fieldSection(s: FieldSummary, o: FieldTableOptions = {}): string {
  const h = o.heading ?? '##';
  const out: string[] = [`${h} Field table: every estimator on every suite\n`];
  if (s.rows.length === 0) return out.concat('No cells of the field suites in this store yet.\n').join('\n');
  out.push('One number per estimator and suite, scale-free so that suites whose true MI differs can sit side by side: the **interquartile mean (IQM) of the relative error** — √MSE / I per task, MI level and seed for training-protocol cells (MSE over the level\'s window: bias² + variance, so noise is paid for), |Î − I| / I per task and seed for BMI\'s finite-sample protocol and KSG — with a 95% bootstrap CI that resamples seeds, and the rank of that IQM among the estimators that ran the suite ("rank/of"). A diverged estimate counts as an infinite error (more than a quarter of them makes the IQM ∞). Lower means more accurate. Ranks of suites with different estimator sets do not compare directly: the table is ordered by the mean rank over the common suites' + (s.commonSuites.length ? ` (${s.commonSuites.join(', ')})` : '') + ' — of the sets of suites the estimators ran, the one holding the most ranks (its suites × the estimators that ran all of them) — with the mean over all the suites each ran beside it. Type: whether the reported number is, in expectation, a lower bound on MI, an upper bound, or neither (a violation of an upper bound is an estimate below the truth).\n');
  const costSuite = o.costSuite ?? s.suites[0];
  const clocks = new Set(s.rows.map((r) => r.suites[costSuite]?.costClock).filter((c) => c && c !== 'none'));
  const clock = clocks.size === 1 ? ([...clocks][0] === 'cpu' ? 'CPU' : 'wall') : 'CPU or wall';
  const header = ['#', 'estimator · critic', 'type', ...s.suites, 'mean rank', 'mean rank (all run)', `${clock} s / cell (${costSuite})`];
  const rows = s.rows.map((r, i) => [
    String(i + 1), r.entry.label, KIND[r.entry.kind] ?? r.entry.kind,
    ...s.suites.map((su) => {
      const c = r.suites[su];
      return c ? `${fmtCi(c.iqm)} (${rank(c.rank)}/${c.of})` : '';
    }),
    fmt(r.meanRank), fmt(r.meanRankRun),
    r.suites[costSuite] ? fmt(r.suites[costSuite].costS) + (r.suites[costSuite].costClock === 'mixed' ? ' (mixed clocks)' : '') : '',
  ]);
  out.push(mdTable(header, rows, ['r', 'l', 'l', ...s.suites.map(() => 'r' as const), 'r', 'r', 'r']));
  out.push('Coverage:\n');
  for (const su of s.suites) {
    const c = s.coverage[su];
    const note = o.suiteNotes?.[su] ? ` ${o.suiteNotes[su]}` : '';
    const tasks = c.tasks.length <= 12 ? ` (${c.tasks.join(', ')})` : '';
    out.push(`- **${su}**: ${c.estimators} estimator(s), ${c.tasks.length} task(s)${tasks}, seeds ${c.seeds.join(', ')}.${note}`);
  }
  out.push('');
  out.push('Winners per suite (smallest IQM; the CI says whether the runner-up is distinguishable):\n');
  for (const su of s.suites) {
    const ranked = s.rows.filter((r) => r.suites[su]).sort((a, b) => a.suites[su].rank - b.suites[su].rank);
    if (ranked.length === 0) continue;
    const [a, b] = ranked;
    const overlap = b ? (b.suites[su].iqm.low <= a.suites[su].iqm.high ? 'CIs overlap' : 'CIs disjoint') : '';
    out.push(`- ${su}: **${a.entry.label}** ${fmtCi(a.suites[su].iqm)}${b ? `; then ${b.entry.label} ${fmtCi(b.suites[su].iqm)} (${overlap})` : ''}`);
  }
  out.push('');
  return out.join('\n');
}

export function fieldCsv(s: FieldSummary): string {
  const rows = s.rows.flatMap((r) => s.suites.filter((su) => r.suites[su]).map((su) => {
    const c = r.suites[su];
    return [r.entry.label, r.entry.estimator, r.entry.critic, r.entry.kind, su, c.iqm.estimate, c.iqm.low, c.iqm.high, c.rank, c.of, c.values, c.nonFinite, c.tasks, c.seeds, c.costS, c.costClock];
  }));
  return csvTable(['label', 'estimator', 'critic', 'type', 'suite', 'iqm_rel_error', 'ci_low', 'ci_high', 'rank', 'of', 'values', 'non_finite', 'tasks', 'seeds', 'cost_s_per_cell', 'cost_clock'], rows);
}

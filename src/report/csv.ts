/**
 * Tidy CSV exports (pandas: pd.read_csv; R: read.csv). Three files, each documented in
 * docs/statistics.md:
 *  - summary.csv: one row per estimator × context × MI level × statistic, with the mean over
 *    seeds and its bootstrap 95% CI (this is what `harness compare` reads);
 *  - cells.csv: one row per cell (seed) × MI level, the raw per-run statistics;
 *  - pairwise.csv: one row per paired Wilcoxon test.
 */
import type { Summary } from '../stats/aggregate.js';
import { rhoLabel } from '../labels.js';
import { csvTable } from './format.js';
import type { MseRow } from '../stats/compare.js';
import { UsageError } from '../errors.js';

export const SUMMARY_HEADER = [
  'estimator', 'label', 'critic', 'task', 'batch_rho', 'batch_size', 'setup', 'level', 'true_mi',
  'statistic', 'mean', 'ci_low', 'ci_high', 'seeds', 'diverged', 'lower_bound',
] as const;

export const SUMMARY_STATISTICS = ['bias', 'variance', 'mse', 'violations', 'ema_violations'] as const;

export function summaryCsv(s: Summary): string {
  const rows: (string | number | boolean | null)[][] = [];
  for (const g of s.groups) {
    const c = g.context;
    for (const l of g.levels) {
      const stats = { bias: l.bias, variance: l.variance, mse: l.mse, violations: l.violations, ema_violations: l.emaViolations };
      for (const name of SUMMARY_STATISTICS) {
        const iv = stats[name];
        rows.push([g.estimator, g.label, c.critic, c.task, rhoLabel(c.batchRho), c.batchSize, c.setupLabel, l.level, l.trueMi,
          name, iv.estimate, iv.low, iv.high, l.seeds, l.diverged, g.lowerBound]);
      }
    }
  }
  return csvTable(SUMMARY_HEADER, rows);
}

export function cellsCsv(s: Summary): string {
  const header = ['file', 'estimator', 'label', 'critic', 'task', 'batch_rho', 'batch_size', 'setup', 'seed', 'level', 'true_mi',
    'window_from', 'window_to', 'mean', 'bias', 'variance', 'mse', 'violations', 'ema_violations', 'non_finite', 'ms_per_step', 'engine', 'backend'];
  const rows: (string | number | boolean | null)[][] = [];
  for (const g of s.groups) {
    const c = g.context;
    for (const cell of g.cells) {
      cell.levels.forEach((l, k) => rows.push([cell.file, g.estimator, g.label, c.critic, c.task, rhoLabel(c.batchRho), c.batchSize, c.setupLabel,
        cell.seed, k, l.trueMi, l.window[0], l.window[1], l.mean, l.bias, l.variance, l.mse, l.violations, l.emaViolations, l.nonFinite,
        cell.msPerStep, cell.engine, cell.backend]));
    }
  }
  return csvTable(header, rows);
}

export function pairwiseCsv(s: Summary): string {
  const header = ['critic', 'task', 'batch_rho', 'batch_size', 'setup', 'level', 'true_mi', 'a', 'b', 'pairs', 'zeros',
    'median_mse_diff', 'w_plus', 'w_minus', 'p', 'method', 'p_holm', 'family_size', 'min_p', 'can_reach', 'better',
    'primary_p_holm', 'primary_family_size', 'primary_can_reach', 'primary_better'];
  const rows = s.pairs.map((p) => {
    const c = p.context;
    return [c.critic, c.task, rhoLabel(c.batchRho), c.batchSize, c.setupLabel, p.level, p.trueMi, p.a, p.b, p.test.n + p.test.zeros, p.test.zeros,
      p.medianDiff, p.test.wPlus, p.test.wMinus, p.test.p, p.test.method, p.pHolm, p.familySize, p.test.minP, p.canReach, p.better,
      p.primary?.pHolm ?? null, p.primary?.familySize ?? null, p.primary?.canReach ?? null, p.primary?.better ?? null];
  });
  return csvTable(header, rows);
}

/** Parse RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). Returns rows of strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') i++;
    if (ch === '\n' || ch === '\r') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += ch; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** A CSV number: '' → NaN, Inf/-Inf → ±∞. */
export function parseCsvNum(s: string | undefined): number {
  if (s === undefined || s.trim() === '') return NaN;
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? NaN : v;
}

/** MSE rows of a summary.csv written by summaryCsv (the input `harness compare` accepts). */
export function mseRowsFromCsv(text: string, file: string): MseRow[] {
  const rows = parseCsv(text).filter((r) => r.length > 1 || (r[0] ?? '') !== '');
  const header = rows.shift();
  const col = (name: string) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new UsageError(`${file}: not a summary.csv (column '${name}' missing)`);
    return i;
  };
  const c = Object.fromEntries(['label', 'critic', 'task', 'batch_rho', 'batch_size', 'setup', 'level', 'true_mi', 'statistic', 'mean', 'ci_low', 'ci_high', 'seeds', 'diverged']
    .map((k) => [k, col(k)])) as Record<string, number>;
  return rows.filter((r) => r[c.statistic] === 'mse').map((r) => ({
    label: r[c.label], critic: r[c.critic], task: r[c.task], batchRho: r[c.batch_rho], batchSize: parseCsvNum(r[c.batch_size]),
    setup: r[c.setup] ?? '', level: parseCsvNum(r[c.level]), trueMi: parseCsvNum(r[c.true_mi]),
    mean: parseCsvNum(r[c.mean]), low: parseCsvNum(r[c.ci_low]), high: parseCsvNum(r[c.ci_high]),
    seeds: parseCsvNum(r[c.seeds]), diverged: parseCsvNum(r[c.diverged]) || 0,
  }));
}

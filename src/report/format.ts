/**
 * Fixed number formatting for the report: the same number always prints the same way, so the
 * same cells give the same bytes. Three significant digits in tables (estimates over 10 seeds
 * do not carry more), exponent form outside [1e-3, 1e4); CSV keeps the shortest round-trip
 * spelling (JavaScript's String(x)), with empty for NaN and Inf/-Inf for infinities, which
 * pandas and R both read.
 */
import type { Interval } from '../stats/bootstrap.js';

export function fmt(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  let s: string;
  if (a >= 1e4 || a < 1e-3) s = x.toExponential(2).replace('e+', 'e');
  else if (a >= 1000) s = x.toFixed(0);
  else s = x.toPrecision(3);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** "m [lo, hi]"; a degenerate or missing interval prints just the estimate. */
export function fmtCi(i: Interval): string {
  if (Number.isNaN(i.estimate)) return '—';
  if (Number.isNaN(i.low) || Number.isNaN(i.high) || (i.low === i.high && i.low === i.estimate)) return fmt(i.estimate);
  return `${fmt(i.estimate)} [${fmt(i.low)}, ${fmt(i.high)}]`;
}

export function fmtP(p: number): string {
  if (Number.isNaN(p)) return '—';
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(1).replace('e-', 'e−');
}

export function pct(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x === 0) return '0%';
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}

export function csvNum(x: number): string {
  if (Number.isNaN(x)) return '';
  if (x === Infinity) return 'Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

/** RFC 4180 quoting when needed. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return csvNum(v);
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvTable(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
}

/** Escape a Markdown table cell. */
export function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function mdTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.map(md).join(' | ')} |`).join('\n') + '\n';
}

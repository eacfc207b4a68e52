/**
 * Regression check between two runs of the benchmark (`harness compare OLD NEW`). The unit is an
 * (estimator variant, context, MI level) row with the MSE's mean over seeds and its bootstrap
 * 95% CI. Rules, in order:
 *  - only-old / only-new: the row exists on one side only (reported, never a regression);
 *  - regression: NEW has more diverged seeds than OLD, or NEW's mean is non-finite where OLD's
 *    is finite, or NEW's whole CI lies above OLD's whole CI (NEW.low > OLD.high: MSE got worse
 *    and the intervals do not overlap);
 *  - improvement: the mirror image (fewer divergences, or NEW.high < OLD.low);
 *  - shift: NEW's mean falls outside OLD's CI but the intervals overlap (worth a look, not a
 *    failure);
 *  - unchanged: otherwise.
 * Non-overlap of two 95% intervals is a conservative criterion (for two independent normal
 * means it corresponds to p ≈ 0.006); with a fixed preset and the same seeds a deterministic
 * engine reproduces every number exactly, so any flagged change comes from the code.
 */
import type { Summary } from './aggregate.js';
import { rhoLabel } from '../labels.js';

export interface MseRow {
  label: string;
  critic: string;
  task: string;
  batchRho: string;
  batchSize: number;
  setup: string;
  level: number;
  trueMi: number;
  mean: number;
  low: number;
  high: number;
  seeds: number;
  diverged: number;
}

export type CompareStatus = 'regression' | 'improvement' | 'shift' | 'unchanged' | 'only-old' | 'only-new';

export interface CompareRow {
  key: string;
  status: CompareStatus;
  reason: string;
  old: MseRow | null;
  new: MseRow | null;
}

export function rowKey(r: MseRow): string {
  return [r.label, r.critic, r.task, `ρ=${r.batchRho}`, `n=${r.batchSize}`, r.setup, `MI=${r.trueMi}`].filter(Boolean).join(' · ');
}

const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const rhoNum = (r: string) => (r === 'random' ? Infinity : Number(r));

/** Order rows by estimator, context, then MI numerically (MI=2 before MI=10). */
export function compareMseRows(a: MseRow, b: MseRow): number {
  return str(a.label, b.label) || str(a.critic, b.critic) || str(a.task, b.task) || rhoNum(a.batchRho) - rhoNum(b.batchRho)
    || a.batchSize - b.batchSize || str(a.setup, b.setup) || a.trueMi - b.trueMi || a.level - b.level;
}

export function mseRowsFromSummary(s: Summary): MseRow[] {
  return s.groups.flatMap((g) => g.levels.map((l) => ({
    label: g.label, critic: g.context.critic, task: g.context.task, batchRho: rhoLabel(g.context.batchRho),
    batchSize: g.context.batchSize, setup: g.context.setupLabel, level: l.level, trueMi: l.trueMi,
    mean: l.mse.estimate, low: l.mse.low, high: l.mse.high, seeds: l.seeds, diverged: l.diverged,
  })));
}

export function classify(o: MseRow, n: MseRow): { status: CompareStatus; reason: string } {
  if (n.diverged > o.diverged) return { status: 'regression', reason: `diverged seeds ${o.diverged} → ${n.diverged}` };
  if (Number.isFinite(o.mean) && !Number.isFinite(n.mean)) return { status: 'regression', reason: 'MSE no longer finite' };
  if (n.diverged < o.diverged) return { status: 'improvement', reason: `diverged seeds ${o.diverged} → ${n.diverged}` };
  if (!Number.isFinite(o.mean) && Number.isFinite(n.mean)) return { status: 'improvement', reason: 'MSE finite again' };
  if (n.low > o.high) return { status: 'regression', reason: 'NEW CI entirely above OLD CI' };
  if (n.high < o.low) return { status: 'improvement', reason: 'NEW CI entirely below OLD CI' };
  if (n.mean > o.high || n.mean < o.low) return { status: 'shift', reason: 'NEW mean outside OLD CI; CIs overlap' };
  return { status: 'unchanged', reason: '' };
}

export function compareRuns(oldRows: readonly MseRow[], newRows: readonly MseRow[]): CompareRow[] {
  const om = new Map(oldRows.map((r) => [rowKey(r), r]));
  const nm = new Map(newRows.map((r) => [rowKey(r), r]));
  const rowOf = (k: string) => (om.get(k) ?? nm.get(k))!;
  const keys = [...new Set([...om.keys(), ...nm.keys()])].sort((a, b) => compareMseRows(rowOf(a), rowOf(b)));
  return keys.map((key) => {
    const o = om.get(key) ?? null, n = nm.get(key) ?? null;
    if (!o) return { key, status: 'only-new', reason: '', old: null, new: n };
    if (!n) return { key, status: 'only-old', reason: '', old: o, new: null };
    return { key, ...classify(o, n), old: o, new: n };
  });
}

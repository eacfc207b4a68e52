/**
 * The drill-down figure of one cell (results site, web/site.ts): its per-step estimate (light),
 * the EMA the report uses (dark), the true-MI staircase (black, step-after) and log n (dashed),
 * in the style of the report's trajectory figure (./plots.ts, paper Fig. 1) but for one run and
 * at the reader's choice of scale: 'truth' fixes the y axis around the true MI as the report
 * does (points beyond it are clipped, and the subtitle says how many), 'full' shows every value
 * on a symlog axis (a diverging critic reaches −10⁹ and beyond). The shaded bands are each
 * level's statistics window (the last half of the level). Pure: a SiteCell in, a Vega-Lite spec
 * out.
 */
import type { SiteCell } from './siteData.js';
import { EMA_RATE } from '../engine/train.js';
import { symlogTicks } from './plots.js';

export type CellScale = 'truth' | 'full';

/** Plain numbers up to 1e4, exponent form beyond (as the report's value axes). */
const VALUE_AXIS = { labelExpr: "abs(datum.value) >= 10000 || (datum.value != 0 && abs(datum.value) < 0.001) ? format(datum.value, '.0e') : format(datum.value, '~g')" };

/** Share of the finite per-step points outside the 'truth' axis (the site opens on 'full' when most are). */
export function offScaleShare(cell: SiteCell): number {
  const top = Math.ceil(Math.max(1, ...cell.levels.map((l) => l.trueMi), cell.logN ?? 0) * 1.25);
  const v = cell.trajectory.estimate.filter((x): x is number => x !== null);
  return v.length ? v.filter((x) => x < -2 || x > top).length / v.length : 0;
}

export function cellTrajectorySpec(cell: SiteCell, width = 640, height = 260, scale: CellScale = 'truth'): Record<string, unknown> {
  const spl = Number(cell.spec.stepsPerLevel) || 0;
  const mi = cell.levels.map((l) => l.trueMi);
  const t = cell.trajectory;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < t.step.length; i++) {
    if (t.estimate[i] !== null) rows.push({ kind: 'raw', step: t.step[i], v: t.estimate[i] });
    if (t.ema[i] !== null) rows.push({ kind: 'ema', step: t.step[i], v: t.ema[i] });
  }
  mi.forEach((v, k) => rows.push({ kind: 'truth', step: k * spl, v }));
  if (mi.length) rows.push({ kind: 'truth', step: mi.length * spl - 1, v: mi[mi.length - 1] });
  const windows = cell.levels.map((l) => ({ kind: 'window', from: l.window[0], to: l.window[1], trueMi: l.trueMi, mean: l.mean }));
  const top = Math.ceil(Math.max(1, ...mi, cell.logN ?? 0) * 1.25);
  const domain = [-2, top];
  const raw = rows.filter((r) => r.kind === 'raw');
  const off = raw.filter((r) => (r.v as number) < domain[0] || (r.v as number) > domain[1]).length;
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = {
    field: 'v', type: 'quantitative', title: scale === 'full' ? 'estimate (nats), symlog' : 'estimate (nats)',
    axis: scale === 'full' ? { ...VALUE_AXIS, values: symlogTicks(rows.map((r) => r.v as number)) } : VALUE_AXIS,
    scale: scale === 'full' ? { type: 'symlog', constant: 1 } : { domain, nice: false },
  };
  const offNote = scale === 'truth' && off > 0 ? [`${Math.max(1, Math.round((100 * off) / raw.length))}% of the per-step points lie off this axis (the full range shows them)`] : [];
  const only = (k: string) => [{ filter: `datum.kind === '${k}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${cell.label} — ${cell.context}, seed ${cell.seed}`, subtitle: [`light: per-step estimate (every ${t.step.length > 1 ? t.step[1] - t.step[0] : 1} steps); dark: EMA (rate ${EMA_RATE}); black: true MI; dashed: log n${cell.logN !== null ? ` = ${cell.logN.toFixed(2)}` : ''}; shaded: the statistics windows`, ...offNote] },
    width, height, autosize: { type: 'fit-x', contains: 'padding' },
    config: { font: 'Helvetica, Arial, sans-serif', title: { anchor: 'start', fontSize: 13, subtitleFontSize: 11 }, axis: { grid: true, gridOpacity: 0.5 } },
    layer: [
      { data: { values: windows }, mark: { type: 'rect', color: '#999', opacity: 0.12 }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'trueMi', title: 'true MI' }, { field: 'mean', title: 'window mean' }, { field: 'from', title: 'from step' }, { field: 'to', title: 'to step' }] } },
      { data: { values: rows }, transform: only('raw'), mark: { type: 'line', strokeWidth: 0.7, opacity: 0.4, color: '#4c78a8', clip: true }, encoding: { x, y } },
      { data: { values: rows }, transform: only('ema'), mark: { type: 'line', strokeWidth: 1.8, color: '#1f4e79', clip: true }, encoding: { x, y } },
      { data: { values: rows }, transform: only('truth'), mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.2, clip: true }, encoding: { x, y } },
      ...(cell.logN !== null ? [{ data: { values: [{ v: cell.logN }] }, mark: { type: 'rule', color: '#555', strokeDash: [5, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } }] : []),
    ],
  };
}

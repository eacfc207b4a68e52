/**
 * The drill-down figure of one cell (results site, web/site.ts): its per-step estimate (light),
 * the EMA the report uses (dark), the true-MI staircase (black, step-after) and log n (dashed),
 * in the style of the report's trajectory figure (./plots.ts, paper Fig. 1) but for one run and
 * at full scale; the shaded bands are each level's statistics window (the last half of the
 * level). Pure: a SiteCell in, a Vega-Lite spec out.
 */
import type { SiteCell } from './siteData.js';
import { EMA_RATE } from '../engine/train.js';

export function cellTrajectorySpec(cell: SiteCell, width = 640, height = 260): Record<string, unknown> {
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
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'v', type: 'quantitative', title: 'estimate (nats)' };
  const only = (k: string) => [{ filter: `datum.kind === '${k}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${cell.label} — ${cell.context}, seed ${cell.seed}`, subtitle: `light: per-step estimate (every ${t.step.length > 1 ? t.step[1] - t.step[0] : 1} steps); dark: EMA (rate ${EMA_RATE}); black: true MI; dashed: log n${cell.logN !== null ? ` = ${cell.logN.toFixed(2)}` : ''}; shaded: the statistics windows` },
    width, height,
    config: { font: 'Helvetica, Arial, sans-serif', title: { anchor: 'start', fontSize: 13, subtitleFontSize: 11 }, axis: { grid: true, gridOpacity: 0.5 } },
    layer: [
      { data: { values: windows }, mark: { type: 'rect', color: '#999', opacity: 0.12 }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'trueMi', title: 'true MI' }, { field: 'mean', title: 'window mean' }, { field: 'from', title: 'from step' }, { field: 'to', title: 'to step' }] } },
      { data: { values: rows }, transform: only('raw'), mark: { type: 'line', strokeWidth: 0.7, opacity: 0.4, color: '#4c78a8' }, encoding: { x, y } },
      { data: { values: rows }, transform: only('ema'), mark: { type: 'line', strokeWidth: 1.8, color: '#1f4e79' }, encoding: { x, y } },
      { data: { values: rows }, transform: only('truth'), mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.2 }, encoding: { x, y } },
      ...(cell.logN !== null ? [{ data: { values: [{ v: cell.logN }] }, mark: { type: 'rule', color: '#555', strokeDash: [5, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } }] : []),
    ],
  };
}

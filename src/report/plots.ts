/**
 * Vega-Lite specifications for the report's figures. Pure: a Summary in, JSON specs out; the
 * SVG rendering is in ./render.ts. The figures follow the paper:
 *  - trajectory (Fig. 1, 6): estimate vs step, raw (light) and its EMA (dark), per critic; the
 *    true-MI staircase in black and log n dashed; one small multiple per estimator;
 *  - bias/variance/MSE vs MI (Fig. 2, 3, 7): mean over seeds with bootstrap 95% CI bars;
 *  - ρ_batch (Fig. 5): EMA trajectories coloured by ρ_batch, and MSE vs ρ_batch per MI level;
 *  - consistency: MSE vs batch size n (log–log) per MI level, with CIs;
 *  - GAN (Fig. 4): generated samples beside the 25-Gaussians target, one seed per variant.
 * Estimator colours are fixed per label across every figure.
 */
import type { Context, Group, Summary } from '../stats/aggregate.js';
import { compareContexts, compareStrings } from '../stats/aggregate.js';
import type { Interval } from '../stats/bootstrap.js';
import { rhoLabel, slug, num } from '../labels.js';
import { GRID_MEANS, sampleGrid } from '../gan/data.js';
import { Rng } from '../rng.js';
import { EMA_RATE } from '../engine/train.js';

export type PlotKind = 'trajectory' | 'bias-variance-mse' | 'rho' | 'rho-trajectory' | 'consistency' | 'gan' | 'ranking' | 'bmi';

export interface PlotSpec {
  /** File name inside plots/, e.g. "trajectory-gaussian-rho0-n64.svg". */
  name: string;
  title: string;
  kind: PlotKind;
  /** Context keys the figure draws from (to link it from their sections). */
  contexts: string[];
  spec: Record<string, unknown>;
}

const PALETTE = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#b79a20', '#b279a2', '#ff9da6', '#9d755d', '#8c8c8c',
  '#1f4e79', '#a34f00', '#8e1b1b', '#2f7370', '#2b6b25', '#7a6710', '#6d4466', '#c25b6a', '#5f4535', '#4a4a4a',
];
const CRITIC_COLOURS: Record<string, string> = { separable: '#1f77b4', joint: '#e6550d' };
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400, symbolStrokeWidth: 2 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, subtitleFontSize: 11, anchor: 'start' },
  view: { stroke: '#ccc' },
};

function base(title: string, subtitle?: string): Record<string, unknown> {
  return { $schema: SCHEMA, title: subtitle ? { text: title, subtitle } : title, config: CONFIG };
}

/** Global estimator → colour assignment; each figure's legend lists only the labels it draws. */
type Colours = (present: readonly string[]) => { domain: string[]; range: string[] };

function colourScale(labels: readonly string[]): Colours {
  const index = new Map(labels.map((l, i) => [l, i]));
  return (present) => {
    const domain = labels.filter((l) => present.includes(l));
    return { domain, range: domain.map((l) => PALETTE[(index.get(l) ?? 0) % PALETTE.length]) };
  };
}

const presentLabels = (rows: readonly { est?: unknown }[]): string[] => [...new Set(rows.map((r) => String(r.est)))];

/** Value axis labels: plain up to 1e4, exponent form beyond (long digit strings widen the layout). */
const VALUE_AXIS = { labelExpr: "abs(datum.value) >= 10000 || (datum.value != 0 && abs(datum.value) < 0.001) ? format(datum.value, '.0e') : format(datum.value, '~g')" };

/** 0 and ±10^k ticks spanning the values, thinned to at most ~5 per sign (symlog axes get none by default). */
export function symlogTicks(values: number[]): number[] {
  const fin = values.filter(Number.isFinite);
  const lo = Math.min(0, ...fin), hi = Math.max(0, ...fin);
  const out = [0];
  for (const [sign, ext] of [[-1, -lo], [1, hi]] as const) {
    if (ext < 1) continue;
    const kMax = Math.ceil(Math.log10(ext));
    const step = Math.max(1, Math.ceil(kMax / 5));
    for (let k = 0; k <= kMax; k += step) out.push(sign * 10 ** k);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Log axes: label only 1·10^k (or 1, 2, 5·10^k when the values span at most two decades), in
 * the same plain/exponent style as VALUE_AXIS; vega would otherwise label every minor tick.
 */
function logAxis(values: number[]) {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  const decades = pos.length ? Math.log10(Math.max(...pos) / Math.min(...pos)) : 0;
  const mant = "datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9))";
  const keep = decades <= 2
    ? `abs(${mant} - 1) < 1e-6 || abs(${mant} - 2) < 1e-6 || abs(${mant} - 5) < 1e-6`
    : `abs(${mant} - 1) < 1e-6`;
  const text = "abs(datum.value) >= 10000 || abs(datum.value) < 0.001 ? format(datum.value, '.0e') : format(datum.value, '~g')";
  return { labelExpr: `${keep} ? (${text}) : ''` };
}

/** Step axis labels: 0, 5k, 10k, … (d3's SI format would print "0k" for zero). */
const STEP_AXIS = { tickCount: 4, labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '~g') + 'k' : format(datum.value, '~g')" };

const ctxSlug = (c: Pick<Context, 'batchRho' | 'batchSize' | 'setupLabel'>) =>
  `rho${slug(rhoLabel(c.batchRho))}-n${c.batchSize}${c.setupLabel ? `-${slug(c.setupLabel)}` : ''}`;

function staircase(trueMi: number[], stepsPerLevel: number): { step: number; v: number }[] {
  const out = trueMi.map((v, k) => ({ step: k * stepsPerLevel, v }));
  if (trueMi.length) out.push({ step: trueMi.length * stepsPerLevel - 1, v: trueMi[trueMi.length - 1] });
  return out;
}

function stepsPerLevelOf(g: Group): number {
  return g.cells[0]?.spec.stepsPerLevel ?? 0;
}

/** A trajectory panel's size, px. */
const PANEL = { width: 210, height: 150 };
/** How far a drawn line may move from the line through every point, px. */
export const SIMPLIFY_PX = 0.1;

/**
 * The points of one trajectory line a panel draws: its finite points, simplified to within
 * SIMPLIFY_PX of the line through all of them (Ramer–Douglas–Peucker, in pixels: `xPx` and
 * `yPx` are pixels per step and per nat). What the panel shows is unchanged, and a smooth EMA
 * needs a fraction of its ≤ 501 points; a noisy or diverging series keeps nearly all of them.
 */
export function drawnPoints(step: readonly number[], v: readonly number[], xPx: number, yPx: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < step.length; i++) if (Number.isFinite(v[i]) && Number.isFinite(step[i])) idx.push(i);
  if (idx.length <= 2) return idx;
  const keep = new Uint8Array(idx.length);
  keep[0] = keep[idx.length - 1] = 1;
  const stack: [number, number][] = [[0, idx.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const ax = step[idx[a]] * xPx, ay = v[idx[a]] * yPx, dx = step[idx[b]] * xPx - ax, dy = v[idx[b]] * yPx - ay;
    const len2 = dx * dx + dy * dy;
    let worst = -1, far = 0;
    for (let k = a + 1; k < b; k++) {
      const px = step[idx[k]] * xPx - ax, py = v[idx[k]] * yPx - ay;
      // Distance to the segment (not the infinite line): a series may turn back on itself.
      const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
      const d = Math.hypot(px - t * dx, py - t * dy);
      if (d > far) { far = d; worst = k; }
    }
    if (worst >= 0 && far > SIMPLIFY_PX) { keep[worst] = 1; stack.push([a, worst], [worst, b]); }
  }
  return idx.filter((_, k) => keep[k] === 1);
}

/** The seed drawn in trajectory figures: the smallest one. */
const firstCell = (g: Group) => g.cells[0];

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) { const k = key(x); const l = m.get(k) ?? []; l.push(x); m.set(k, l); }
  return m;
}

export function buildPlots(summary: Summary): PlotSpec[] {
  const labels = [...new Set(summary.groups.map((g) => g.label))];
  const colour = colourScale(labels);
  return [
    ...trajectoryPlots(summary, labels),
    ...biasVarianceMsePlots(summary, colour),
    ...rhoPlots(summary, colour, labels),
    ...consistencyPlots(summary, colour),
    ...rankingPlots(summary, colour),
    ...ganPlots(summary),
  ];
}

/** Fig. 1: per (task, ρ, n, setup), critics overlaid, one panel per estimator. */
function trajectoryPlots(summary: Summary, labels: string[]): PlotSpec[] {
  const fams = groupBy(summary.groups, (g) => JSON.stringify([g.context.task, g.context.batchRho, g.context.batchSize, g.context.setup]));
  const out: PlotSpec[] = [];
  for (const gs of fams.values()) {
    const c = gs[0].context;
    const rows: Record<string, unknown>[] = [];
    const critics = [...new Set(gs.map((g) => g.context.critic))].sort();
    let yMax = 0;
    const seeds = new Set<number>();
    const drawn = gs.map((g) => ({ g, cell: firstCell(g) })).filter((d) => d.cell !== undefined);
    for (const { g, cell } of drawn) yMax = Math.max(yMax, ...g.context.trueMi, cell.logN);
    const yDomain = [-2, Math.ceil(yMax * 1.25)];
    const yPx = PANEL.height / (yDomain[1] - yDomain[0]);
    for (const { g, cell } of drawn) {
      seeds.add(cell.seed);
      const t = cell.trajectory;
      const xPx = PANEL.width / Math.max(1, t.step[t.step.length - 1] ?? 1);
      for (const i of drawnPoints(t.step, t.estimate, xPx, yPx)) rows.push({ est: g.label, critic: g.context.critic, step: t.step[i], v: t.estimate[i], kind: 'raw' });
      for (const i of drawnPoints(t.step, t.ema, xPx, yPx)) rows.push({ est: g.label, critic: g.context.critic, step: t.step[i], v: t.ema[i], kind: 'ema' });
    }
    const ests = labels.filter((l) => gs.some((g) => g.label === l));
    const spl = stepsPerLevelOf(gs[0]);
    const logN = Math.log(c.batchSize);
    for (const e of ests) {
      for (const p of staircase(c.trueMi, spl)) rows.push({ est: e, critic: '', step: p.step, v: p.v, kind: 'truth' });
      rows.push({ est: e, critic: '', step: 0, v: logN, kind: 'logn' });
    }
    // Estimates outside the fixed axis are clipped; say how many, per panel, so an exploding
    // estimator is not mistaken for a merely noisy one. Every point counts, drawn or not.
    for (const e of ests) {
      const raw = drawn.filter((d) => d.g.label === e).flatMap((d) => d.cell.trajectory.estimate.filter(Number.isFinite));
      const off = raw.filter((v) => v < yDomain[0] || v > yDomain[1]).length;
      if (off > 0) rows.push({ est: e, critic: '', step: 0, v: yDomain[1], kind: 'note', text: `${Math.round((100 * off) / raw.length)}% of points off scale` });
    }
    const x = { field: 'step', type: 'quantitative', title: 'step', axis: STEP_AXIS };
    const y = { field: 'v', type: 'quantitative', title: 'estimate (nats)', scale: { domain: yDomain, nice: false } };
    const colourEnc = {
      field: 'critic', type: 'nominal', title: 'critic', legend: { symbolOpacity: 1, symbolStrokeWidth: 2.5 },
      scale: { domain: critics, range: critics.map((k) => CRITIC_COLOURS[k] ?? '#555') },
    };
    const only = (k: string) => [{ filter: `datum.kind === '${k}'` }];
    const name = `trajectory-${slug(c.task)}-${ctxSlug(c)}.svg`;
    const title = `Estimates vs step — ${c.task}, ρ_batch=${rhoLabel(c.batchRho)}, n=${c.batchSize}${c.setupLabel ? `, ${c.setupLabel}` : ''}`;
    out.push({
      name, title, kind: 'trajectory', contexts: gs.map((g) => g.context.key),
      spec: {
        ...base(title, `light: per-step estimate; dark: EMA (rate ${EMA_RATE}); black: true MI; dashed: log n = ${logN.toFixed(2)}; seed ${[...seeds].sort((a, b) => a - b).join(', ')}`),
        data: { values: rows },
        columns: Math.min(5, ests.length),
        facet: { field: 'est', type: 'nominal', title: null, sort: ests },
        spec: {
          width: PANEL.width, height: PANEL.height,
          layer: [
            { transform: only('raw'), mark: { type: 'line', strokeWidth: 0.7, opacity: 0.35, clip: true }, encoding: { x, y, color: colourEnc } },
            { transform: only('ema'), mark: { type: 'line', strokeWidth: 1.8, clip: true }, encoding: { x, y, color: colourEnc } },
            { transform: only('truth'), mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.2, clip: true }, encoding: { x, y } },
            { transform: only('logn'), mark: { type: 'rule', color: '#555', strokeDash: [5, 3], strokeWidth: 1 }, encoding: { y: { field: 'v', type: 'quantitative' } } },
            { transform: only('note'), mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 3, fontSize: 10, color: '#b00' }, encoding: { x, y, text: { field: 'text' } } },
          ],
        },
        resolve: { scale: { y: 'shared' } },
      },
    });
  }
  return out;
}

interface StatRow { est: string; mi: number; x: number; mean: number; lo: number; hi: number }

function statRows(gs: Group[], pick: (l: Group['levels'][number]) => Interval, positive: boolean): StatRow[] {
  const rows: StatRow[] = [];
  const spread = gs.length > 1 ? 0.5 / gs.length : 0;
  gs.forEach((g, i) => {
    const off = (i - (gs.length - 1) / 2) * spread * 0.6;
    for (const l of g.levels) {
      const iv = pick(l);
      if (!Number.isFinite(iv.estimate) || (positive && iv.estimate <= 0)) continue;
      let lo = Number.isFinite(iv.low) ? iv.low : iv.estimate;
      const hi = Number.isFinite(iv.high) ? iv.high : iv.estimate;
      if (positive && lo <= 0) lo = iv.estimate;
      rows.push({ est: g.label, mi: l.trueMi, x: l.trueMi + off, mean: iv.estimate, lo, hi });
    }
  });
  return rows;
}

/**
 * Estimators whose statistics are off any readable scale (a diverging critic: MICE as written
 * reaches |bias| ~ 1e9 nats): any level with |bias| > 10·max MI, or variance / MSE above
 * (10·max MI)². Their points are drawn clamped at the panel's edge as triangles and named in a
 * note, so the other estimators keep the scale (issue 9 item 6).
 */
export function offScaleLabels(gs: readonly Group[]): Set<string> {
  const out = new Set<string>();
  for (const g of gs) {
    const lim = 10 * Math.max(1, ...g.context.trueMi);
    const big = (v: number, cap: number) => Number.isFinite(v) && Math.abs(v) > cap;
    if (g.levels.some((l) => big(l.bias.estimate, lim) || big(l.variance.estimate, lim * lim) || big(l.mse.estimate, lim * lim))) out.add(g.label);
  }
  return out;
}

interface ScaleRow { est: string; mean: number; lo: number; hi: number }

/**
 * Split rows into on-scale and off-scale; the domain spans the on-scale rows (CIs included);
 * off-scale rows are clamped to the nearer edge and flagged. null when nothing is off scale.
 */
function clampOffScale<R extends ScaleRow>(rows: R[], off: ReadonlySet<string>, log: boolean): { rows: (R & { off?: 'above' | 'below' })[]; domain: [number, number]; note: string } | null {
  const on = rows.filter((r) => !off.has(r.est));
  const away = rows.filter((r) => off.has(r.est));
  if (away.length === 0 || on.length === 0) return null;
  let lo = Math.min(...on.map((r) => r.lo)), hi = Math.max(...on.map((r) => r.hi));
  if (log) { lo /= 1.6; hi *= 1.6; } else { const pad = 0.12 * Math.max(hi - lo, 1e-9); lo -= pad; hi += pad; }
  const extreme = new Map<string, number>();
  const out = rows.map((r) => {
    if (!off.has(r.est) || (r.mean >= lo && r.mean <= hi)) return { ...r };
    const prev = extreme.get(r.est);
    if (prev === undefined || Math.abs(r.mean) > Math.abs(prev)) extreme.set(r.est, r.mean);
    const above = r.mean > hi;
    const edge = above ? hi : lo;
    return { ...r, mean: edge, lo: edge, hi: edge, off: above ? 'above' as const : 'below' as const };
  });
  if (extreme.size === 0) return null;
  const note = `▲▼ off scale: ${[...extreme.keys()].sort().join(', ')}`;
  return { rows: out, domain: [lo, hi], note };
}

/** clampOffScale per facet (one domain per facet value); notes become rows of kind 'note'. */
function clampFacets(rows: (ScaleRow & { level: string })[], off: ReadonlySet<string>): { rows: Record<string, unknown>[]; clamped: boolean } {
  const byLevel = new Map<string, (ScaleRow & { level: string })[]>();
  for (const r of rows) byLevel.set(r.level, [...(byLevel.get(r.level) ?? []), r]);
  const out: Record<string, unknown>[] = [];
  let clamped = false;
  for (const [level, rs] of byLevel) {
    const c = clampOffScale(rs, off, true);
    if (!c) { out.push(...rs.map((r) => ({ ...r }))); continue; }
    clamped = true;
    out.push(...c.rows.map((r) => ({ ...r })), { level, kind: 'note', t: c.note });
  }
  return { rows: out, clamped };
}

/** Layers for clamped rows: triangles at the edge and the note; lines and CIs skip them. */
function offScaleLayers(x: Record<string, unknown>, color: Record<string, unknown>, note: string): unknown[] {
  return [
    { transform: [{ filter: "datum.off === 'above'" }], mark: { type: 'point', shape: 'triangle-up', filled: true, size: 70 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    { transform: [{ filter: "datum.off === 'below'" }], mark: { type: 'point', shape: 'triangle-down', filled: true, size: 70 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    { data: { values: [{ t: note }] }, mark: { type: 'text', align: 'left', baseline: 'top', x: 2, y: 2, fontSize: 9, color: '#b00', limit: 225 }, encoding: { text: { field: 't' } } },
  ];
}

/** The same for faceted panels, whose notes are rows of kind 'note'. */
function facetOffScaleLayers(x: Record<string, unknown>, color: Record<string, unknown>): unknown[] {
  return [
    { transform: [{ filter: "datum.off === 'above'" }], mark: { type: 'point', shape: 'triangle-up', filled: true, size: 70 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    { transform: [{ filter: "datum.off === 'below'" }], mark: { type: 'point', shape: 'triangle-down', filled: true, size: 70 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
    { transform: [{ filter: "datum.kind === 'note'" }], mark: { type: 'text', align: 'left', baseline: 'top', x: 2, y: 2, fontSize: 9, color: '#b00', limit: 165 }, encoding: { text: { field: 't' } } },
  ];
}
const ON_SCALE = [{ filter: "!datum.off && datum.kind !== 'note'" }];

function statPanel(title: string, rowsIn: StatRow[], scale: ReturnType<Colours>, log: boolean, xTitle = 'true MI (nats)', zeroRule = false, off: ReadonlySet<string> = new Set()) {
  const clamped = clampOffScale(rowsIn, off, log);
  const rows = clamped ? clamped.rows : rowsIn;
  // A linear axis is unreadable when one estimator's bias is orders of magnitude off and is not
  // clamped (e.g. every estimator diverges): switch to symlog then, and say so in the title.
  const maxMi = Math.max(1, ...rows.map((r) => r.mi));
  const extreme = !clamped && !log && rows.some((r) => Math.max(Math.abs(r.lo), Math.abs(r.hi), Math.abs(r.mean)) > 5 * maxMi);
  const yScale = clamped ? { ...(log ? { type: 'log' } : {}), domain: clamped.domain, nice: false } : log ? { type: 'log' } : extreme ? { type: 'symlog', constant: 1 } : { zero: false };
  if (extreme) title = `${title}, symlog`;
  const all = clamped ? [...clamped.domain] : rows.flatMap((r) => [r.lo, r.hi, r.mean]);
  const axis = extreme ? { ...VALUE_AXIS, values: symlogTicks(all) } : log ? logAxis(all) : VALUE_AXIS;
  const color = { field: 'est', type: 'nominal', title: 'estimator', scale };
  const onOnly = clamped ? [{ filter: '!datum.off' }] : [];
  const x = { field: 'x', type: 'quantitative' };
  const layer: unknown[] = [
    { transform: onOnly, mark: { type: 'rule', strokeWidth: 1.2, clip: true }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
    { transform: onOnly, mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { x: { ...x, title: xTitle }, y: { field: 'mean', type: 'quantitative', title, scale: yScale, axis }, color } },
    { transform: onOnly, mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color, tooltip: [{ field: 'est' }, { field: 'mi' }, { field: 'mean' }] } },
    ...(clamped ? offScaleLayers(x, color, clamped.note) : []),
  ];
  if (zeroRule) layer.unshift({ data: { values: [{ z: 0 }] }, mark: { type: 'rule', color: 'black', strokeDash: [3, 3] }, encoding: { y: { field: 'z', type: 'quantitative' } } });
  return { title, width: 230, height: 190, data: { values: rows }, layer };
}

/** Fig. 2/3: bias, variance and MSE against the true MI, per context. */
function biasVarianceMsePlots(summary: Summary, colour: Colours): PlotSpec[] {
  const out: PlotSpec[] = [];
  for (const c of summary.contexts) {
    const gs = summary.groups.filter((g) => g.context.key === c.key);
    if (gs.length === 0) continue;
    const name = `bias-variance-mse-${slug(c.critic)}-${slug(c.task)}-${ctxSlug(c)}.svg`;
    const title = `Bias, variance and MSE vs MI — ${c.critic} critic, ${c.task}, ρ_batch=${rhoLabel(c.batchRho)}, n=${c.batchSize}${c.setupLabel ? `, ${c.setupLabel}` : ''}`;
    const seeds = Math.max(...gs.map((g) => g.seeds.length));
    const scale = colour(gs.map((g) => g.label));
    const off = offScaleLabels(gs);
    out.push({
      name, title, kind: 'bias-variance-mse', contexts: [c.key],
      spec: {
        ...base(title, `mean over ${seeds} seed(s) of per-level statistics (last half of each level); bars: bootstrap 95% CI; variance and MSE on log scale`),
        hconcat: [
          statPanel('bias (nats)', statRows(gs, (l) => l.bias, false), scale, false, undefined, true, off),
          statPanel('variance', statRows(gs, (l) => l.variance, true), scale, true, undefined, false, off),
          statPanel('MSE', statRows(gs, (l) => l.mse, true), scale, true, undefined, false, off),
        ],
        resolve: { scale: { color: 'shared' } },
      },
    });
  }
  return out;
}

const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** Numeric ρ_batch along viridis (dark = 0, light = largest); 'random' stands apart in magenta. */
function rhoColours(names: string[]): string[] {
  const numeric = names.filter((n) => n !== 'random');
  const pick = (i: number) => VIRIDIS[numeric.length <= 1 ? 0 : Math.round((i * (VIRIDIS.length - 2)) / (numeric.length - 1))];
  let i = 0;
  return names.map((n) => (n === 'random' ? '#d6008f' : pick(i++)));
}

/** Fig. 5: per (critic, task, n, setup) with several ρ_batch values. */
function rhoPlots(summary: Summary, colour: Colours, labels: string[]): PlotSpec[] {
  const fams = groupBy(summary.groups, (g) => JSON.stringify([g.context.critic, g.context.task, g.context.batchSize, g.context.setup]));
  const out: PlotSpec[] = [];
  for (const gs of fams.values()) {
    const rhos = [...new Set(gs.map((g) => g.context.batchRho))].sort((a, b) => (a === 'random' ? Infinity : a) - (b === 'random' ? Infinity : b));
    if (rhos.length < 2) continue;
    const c = gs[0].context;
    const rhoNames = rhos.map(rhoLabel);
    const tag = `${slug(c.critic)}-${slug(c.task)}-n${c.batchSize}${c.setupLabel ? `-${slug(c.setupLabel)}` : ''}`;
    const where = `${c.critic} critic, ${c.task}, n=${c.batchSize}${c.setupLabel ? `, ${c.setupLabel}` : ''}`;
    // MSE vs ρ_batch, one panel per level.
    const rows: Record<string, unknown>[] = [];
    for (const g of gs) {
      for (const l of g.levels) {
        const iv = l.mse;
        if (!(iv.estimate > 0)) continue;
        rows.push({ est: g.label, rho: rhoLabel(g.context.batchRho), level: `MI = ${num(l.trueMi)}`, mean: iv.estimate, lo: iv.low > 0 ? iv.low : iv.estimate, hi: Number.isFinite(iv.high) ? iv.high : iv.estimate });
      }
    }
    const levelNames = c.trueMi.map((m) => `MI = ${num(m)}`);
    const color = { field: 'est', type: 'nominal', title: 'estimator', scale: colour(presentLabels(rows)) };
    const xr = { field: 'rho', type: 'ordinal', title: 'ρ_batch', sort: rhoNames, axis: { labelAngle: 0 } };
    const facetted = clampFacets(rows as unknown as (ScaleRow & { level: string })[], offScaleLabels(gs));
    const plotted = facetted.rows;
    const dataRows = plotted.filter((r) => r.kind !== 'note');
    out.push({
      name: `rho-mse-${tag}.svg`, title: `MSE vs ρ_batch — ${where}`, kind: 'rho', contexts: gs.map((g) => g.context.key),
      spec: {
        ...base(`MSE vs ρ_batch — ${where}`, `mean over seeds, bootstrap 95% CI; log scale${facetted.clamped ? '; ▲ estimators off scale, drawn at the edge' : ''}`),
        data: { values: plotted },
        facet: { field: 'level', type: 'ordinal', title: null, sort: levelNames },
        columns: Math.min(5, levelNames.length),
        spec: {
          width: Math.max(170, 34 * rhoNames.length), height: 170,
          layer: [
            { transform: ON_SCALE, mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x: xr, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
            { transform: ON_SCALE, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: xr, y: { field: 'mean', type: 'quantitative', title: 'MSE', scale: { type: 'log' }, axis: logAxis(dataRows.flatMap((r) => [r.lo as number, r.hi as number])) }, color } },
            { transform: ON_SCALE, mark: { type: 'point', filled: true, size: 30 }, encoding: { x: xr, y: { field: 'mean', type: 'quantitative' }, color } },
            ...(facetted.clamped ? facetOffScaleLayers(xr, color) : []),
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    });
    // EMA trajectories coloured by ρ_batch (the paper's Fig. 5), one panel per estimator.
    const traj: Record<string, unknown>[] = [];
    let yMax = 0;
    const drawn = gs.map((g) => ({ g, cell: firstCell(g) })).filter((d) => d.cell !== undefined);
    for (const { g, cell } of drawn) yMax = Math.max(yMax, ...g.context.trueMi, cell.logN);
    const yPx = PANEL.height / (Math.ceil(yMax * 1.25) + 2);
    for (const { g, cell } of drawn) {
      const t = cell.trajectory;
      const xPx = PANEL.width / Math.max(1, t.step[t.step.length - 1] ?? 1);
      for (const i of drawnPoints(t.step, t.ema, xPx, yPx)) traj.push({ est: g.label, rho: rhoLabel(g.context.batchRho), step: t.step[i], v: t.ema[i], kind: 'ema' });
    }
    const ests = labels.filter((l) => gs.some((g) => g.label === l));
    for (const e of ests) for (const p of staircase(c.trueMi, stepsPerLevelOf(gs[0]))) traj.push({ est: e, rho: '', step: p.step, v: p.v, kind: 'truth' });
    const x = { field: 'step', type: 'quantitative', title: 'step', axis: STEP_AXIS };
    const y = { field: 'v', type: 'quantitative', title: 'EMA of estimate (nats)', scale: { domain: [-2, Math.ceil(yMax * 1.25)], nice: false } };
    out.push({
      name: `rho-trajectory-${tag}.svg`, title: `Estimates vs step by ρ_batch — ${where}`, kind: 'rho-trajectory', contexts: gs.map((g) => g.context.key),
      spec: {
        ...base(`Estimates vs step by ρ_batch — ${where}`, `EMA (rate ${EMA_RATE}) of the per-step estimate, first seed; black: true MI`),
        data: { values: traj },
        columns: Math.min(5, ests.length),
        facet: { field: 'est', type: 'nominal', title: null, sort: ests },
        spec: {
          width: PANEL.width, height: PANEL.height,
          layer: [
            { transform: [{ filter: "datum.kind === 'ema'" }], mark: { type: 'line', strokeWidth: 1.4, clip: true }, encoding: { x, y, color: { field: 'rho', type: 'ordinal', title: 'ρ_batch', sort: rhoNames, scale: { domain: rhoNames, range: rhoColours(rhoNames) } } } },
            { transform: [{ filter: "datum.kind === 'truth'" }], mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.2, clip: true }, encoding: { x, y } },
          ],
        },
      },
    });
  }
  return out;
}

/** Error vs n (log–log) per consistency family, one panel per level. */
function consistencyPlots(summary: Summary, colour: Colours): PlotSpec[] {
  const fams = groupBy(summary.consistency, (r) => JSON.stringify([r.critic, r.task, r.batchRho, r.setupLabel]));
  const out: PlotSpec[] = [];
  for (const rowsOf of fams.values()) {
    const r0 = rowsOf[0];
    const rows: Record<string, unknown>[] = [];
    for (const r of rowsOf) {
      for (const p of r.result.points) {
        if (!(p.error.estimate > 0)) continue;
        rows.push({ est: r.label, n: p.n, level: `MI = ${num(r.trueMi)}`, mean: p.error.estimate, lo: p.error.low > 0 ? p.error.low : p.error.estimate, hi: Number.isFinite(p.error.high) ? p.error.high : p.error.estimate });
      }
    }
    const levelNames = [...new Map(rowsOf.map((r) => [r.level, `MI = ${num(r.trueMi)}`])).entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const ns = [...new Set(rowsOf.flatMap((r) => r.result.points.map((p) => p.n)))].sort((a, b) => a - b);
    const where = `${r0.critic} critic, ${r0.task}, ρ_batch=${rhoLabel(r0.batchRho)}${r0.setupLabel ? `, ${r0.setupLabel}` : ''}`;
    const color = { field: 'est', type: 'nominal', title: 'estimator', scale: colour(presentLabels(rows)) };
    const xn = { field: 'n', type: 'quantitative', title: 'batch size n', scale: { type: 'log', base: 2 }, axis: { values: ns, format: 'd' } };
    const lim = 10 * Math.max(1, ...rowsOf.map((r) => r.trueMi));
    const off = new Set(rowsOf.filter((r) => r.result.points.some((p) => p.error.estimate > lim * lim)).map((r) => r.label));
    const facetted = clampFacets(rows as unknown as (ScaleRow & { level: string })[], off);
    const dataRows = facetted.rows.filter((r) => r.kind !== 'note');
    out.push({
      name: `consistency-${slug(r0.critic)}-${slug(r0.task)}-rho${slug(rhoLabel(r0.batchRho))}${r0.setupLabel ? `-${slug(r0.setupLabel)}` : ''}.svg`,
      title: `Consistency: MSE vs n — ${where}`, kind: 'consistency', contexts: [],
      spec: {
        ...base(`Consistency: MSE vs batch size — ${where}`, `mean over seeds of per-level MSE, bootstrap 95% CI; log–log${facetted.clamped ? '; ▲ estimators off scale, drawn at the edge' : ''}`),
        data: { values: facetted.rows },
        facet: { field: 'level', type: 'ordinal', title: null, sort: levelNames },
        columns: Math.min(5, levelNames.length),
        spec: {
          width: 170, height: 170,
          layer: [
            { transform: ON_SCALE, mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x: xn, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
            { transform: ON_SCALE, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: xn, y: { field: 'mean', type: 'quantitative', title: 'MSE', scale: { type: 'log' }, axis: logAxis(dataRows.flatMap((r) => [r.lo as number, r.hi as number])) }, color } },
            { transform: ON_SCALE, mark: { type: 'point', filled: true, size: 30 }, encoding: { x: xn, y: { field: 'mean', type: 'quantitative' }, color } },
            ...(facetted.clamped ? facetOffScaleLayers(xn, color) : []),
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  return out;
}

/** Ranking: IQM of per-level MSE with its CI, per ranking scope with ≥ 2 estimators. */
function rankingPlots(summary: Summary, colour: Colours): PlotSpec[] {
  const overall = summary.rankings.find((r) => r.context === null);
  const list = overall ? [overall] : summary.rankings.length === 1 ? summary.rankings : [];
  return list.map((r) => {
    const rows = r.entries.filter((e) => e.iqm.estimate > 0).map((e) => ({
      est: e.label, mean: e.iqm.estimate, lo: e.iqm.low > 0 ? e.iqm.low : e.iqm.estimate, hi: Number.isFinite(e.iqm.high) ? e.iqm.high : e.iqm.estimate,
    }));
    const order = rows.map((x) => x.est);
    const y = { field: 'est', type: 'nominal', title: null, sort: order };
    const color = { field: 'est', type: 'nominal', scale: colour(order), legend: null };
    // A diverging estimator's IQM (~1e18) would squeeze the others: clamp above (100 nats)².
    const off = new Set(rows.filter((x) => x.mean > 1e4).map((x) => x.est));
    const clamped = clampOffScale(rows, off, true);
    const plotted = clamped ? clamped.rows : rows;
    const xScale = clamped ? { type: 'log', domain: clamped.domain, nice: false } : { type: 'log' };
    return {
      name: 'ranking.svg', title: `Ranking — ${r.scope}`, kind: 'ranking' as const, contexts: r.context ? [r.context.key] : [],
      spec: {
        ...base(`Ranking by IQM of per-level MSE — ${r.scope}`, `stratified bootstrap 95% CI over ${r.seeds} seeds; lower is better; log scale`),
        data: { values: plotted },
        width: 360, height: Math.max(60, 22 * rows.length),
        layer: [
          { transform: [{ filter: '!datum.off' }], mark: { type: 'rule', strokeWidth: 2, clip: true }, encoding: { y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color } },
          { transform: [{ filter: '!datum.off' }], mark: { type: 'point', filled: true, size: 60 }, encoding: { y, x: { field: 'mean', type: 'quantitative', title: 'IQM of MSE', scale: xScale, axis: logAxis(clamped ? [...clamped.domain] : rows.flatMap((r) => [r.lo, r.hi])) }, color } },
          ...(clamped ? [
            { transform: [{ filter: "datum.off === 'above'" }], mark: { type: 'point', shape: 'triangle-right', filled: true, size: 80 }, encoding: { y, x: { field: 'mean', type: 'quantitative' }, color } },
            { data: { values: [{ t: clamped.note }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', x: 358, y: Math.max(60, 22 * rows.length) - 2, fontSize: 9, color: '#b00', limit: 350 }, encoding: { text: { field: 't' } } },
          ] : []),
        ],
      },
    };
  });
}

/**
 * Fig. 4: the target beside generated samples, one figure per (setup, steps, code): vanilla and,
 * for every regularised variant (with its reading), the arm at its best β (most modes on average,
 * then the higher high-quality share). Each panel shows the seed with the median number of modes
 * in that arm (the lower one for an even count): a typical run, not the best.
 */
function ganPlots(summary: Summary): PlotSpec[] {
  const groups = summary.gan.groups.filter((g) => g.records.some((r) => r.samples.length > 0));
  if (groups.length === 0) return [];
  const target = sampleGrid(new Rng(['report', 'gan-target']), 1000);
  const panel = (title: string | string[], pts: [number, number][], colourHex: string) => ({
    title: { text: title, fontSize: 12 }, width: 220, height: 220,
    data: { values: pts.map(([x, y]) => ({ x, y })) },
    layer: [
      { data: { values: GRID_MEANS.map(([x, y]) => ({ x, y })) }, mark: { type: 'point', shape: 'cross', color: '#999', size: 40 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        mark: { type: 'circle', size: 6, opacity: 0.5, color: colourHex, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [-5.5, 5.5], nice: false }, title: null },
          y: { field: 'y', type: 'quantitative', scale: { domain: [-5.5, 5.5], nice: false }, title: null },
        },
      },
    ],
  });
  const targetPts: [number, number][] = [];
  for (let i = 0; i < target.length; i += 2) targetPts.push([target[i], target[i + 1]]);
  const sets = new Map<string, typeof groups>();
  for (const g of groups) {
    const k = JSON.stringify([g.setup, g.steps, g.code]);
    sets.set(k, [...(sets.get(k) ?? []), g]);
  }
  const multiSteps = new Set(groups.map((g) => `${g.setup} ${g.steps}`)).size > 1 && new Set(groups.map((g) => g.setup)).size === 1;
  const out: PlotSpec[] = [];
  for (const gs of sets.values()) {
    const g0 = gs[0];
    const best = new Map<string, (typeof gs)[number]>();
    for (const g of gs) {
      const b = best.get(g.variantLabel);
      const better = !b || g.modes.estimate > b.modes.estimate || (g.modes.estimate === b.modes.estimate && g.highQuality.estimate > b.highQuality.estimate);
      if (better) best.set(g.variantLabel, g);
    }
    const panels = [panel(['target', '25 modes, σ = 0.05'], targetPts, '#333')];
    for (const g of best.values()) {
      const withSamples = g.records.filter((x) => x.samples.length > 0).sort((a, b) => a.modes - b.modes || a.seed - b.seed);
      const r = withSamples[Math.floor((withSamples.length - 1) / 2)];
      const name = g.variant === 'vanilla' ? g.variantLabel : `${g.variantLabel}, β=${num(g.beta)}`;
      panels.push(panel([`${name}, seed ${r.seed}`, `${num(r.modes)} mode${r.modes === 1 ? '' : 's'} · ${(100 * r.highQuality).toFixed(0)}% HQ`], r.samples, PALETTE[panels.length % PALETTE.length]));
    }
    const single = sets.size === 1;
    const suffix = single ? '' : `-${slug(g0.setup)}-${slug(g0.code)}${multiSteps ? `-${g0.steps}` : ''}`;
    const what = single ? '' : ` (${g0.setup} setup, ${g0.code} code${multiSteps ? `, ${num(g0.steps)} steps` : ''})`;
    const title = `GAN samples vs the 25-Gaussians target${what}`;
    out.push({
      name: `gan-samples${suffix}.svg`, title, kind: 'gan', contexts: [],
      spec: {
        ...base(title, 'grey crosses: mode centres; HQ: share of samples within 3σ of a mode; each variant at its best β, the seed with its median mode count'),
        columns: 4, concat: panels,
      },
    });
  }
  return out;
}

export function sortPlots(p: PlotSpec[]): PlotSpec[] {
  return [...p].sort((a, b) => compareStrings(a.name, b.name));
}

export { compareContexts };

/**
 * The plain summary table the sweep prints (and writes to <out>/summary.txt): one row per
 * estimator variant × critic × task × ρ_batch × n (× d, h, steps/level), with the mean over
 * seeds of each level's MSE, and the failed-cell count. Deterministic: it reads only the cells'
 * specs and level statistics (no timings, no timestamps), sorted, so the same cells always give
 * the same bytes. The full report (src/stats, src/report) supersedes it when present.
 */
import type { CellResult, CellSpec, GanResult, GanSpec, KsgResult, KsgSpec, LevelStats } from '../../src/types.js';
import { GAN_VARIANTS } from '../../src/types.js';
import type { Job } from './grid.js';
import { isGan, isKsg } from './grid.js';
import { ganVariantLabel } from '../../src/labels.js';
import type { CellFile, FailureFile } from './store.js';
import { variantLabel } from '../../src/variant.js';
import { canonicalJson, CODE_VERSION, PACKAGE_VERSION } from './hash.js';

interface Row {
  sortKey: string;
  cols: string[];
  mi: number[];
  mse: number[][];
  diverged: number;
  ok: number;
  failed: number;
}

interface GanRow { sortKey: string; variant: string; steps: number; beta: number; modes: number[]; hq: number[]; failed: number }

interface KsgRow { sortKey: string; task: string; size: number; k: number; trueMi: number; estimates: number[]; failed: number }

export function renderSummary(cells: readonly CellFile[], failures: readonly FailureFile[]): string {
  const rows = new Map<string, Row>();
  const gans = new Map<string, GanRow>();
  const ksgs = new Map<string, KsgRow>();
  const ksgFor = (spec: KsgSpec): KsgRow => {
    const { seed: _seed, ...rest } = spec;
    const key = canonicalJson(rest);
    let r = ksgs.get(key);
    if (!r) { r = { sortKey: key, task: spec.task, size: spec.size, k: spec.k, trueMi: NaN, estimates: [], failed: 0 }; ksgs.set(key, r); }
    return r;
  };
  const rowFor = (spec: CellSpec): Row => {
    const { seed: _seed, ...rest } = spec;
    const key = canonicalJson(rest);
    let r = rows.get(key);
    if (!r) {
      const cols = [variantLabel(spec), spec.critic, spec.task, String(spec.batchRho), String(spec.batchSize), String(spec.dim), String(spec.hidden), String(spec.stepsPerLevel)];
      r = { sortKey: sortKey(spec) + key, cols, mi: spec.mi, mse: spec.mi.map(() => []), diverged: 0, ok: 0, failed: 0 };
      rows.set(key, r);
    }
    return r;
  };
  const ganFor = (spec: GanSpec): GanRow => {
    const { seed: _seed, ...rest } = spec;
    const key = canonicalJson(rest);
    let g = gans.get(key);
    if (!g) {
      const variant = spec.setup === undefined ? spec.variant : `${ganVariantLabel(spec)} ${spec.setup} ${spec.code ?? 'continuous'}`;
      g = { sortKey: `${GAN_VARIANTS.indexOf(spec.variant)}\u0000${key}`, variant, steps: spec.steps, beta: spec.beta, modes: [], hq: [], failed: 0 };
      gans.set(key, g);
    }
    return g;
  };
  for (const c of cells) {
    if (isKsg(c.spec)) {
      const r = ksgFor(c.spec);
      r.estimates.push(num((c as unknown as KsgResult).estimate));
      r.trueMi = num((c as unknown as KsgResult).trueMi);
      continue;
    }
    if (isGan(c.spec)) {
      const g = ganFor(c.spec);
      g.modes.push((c as unknown as GanResult).modes);
      g.hq.push(num((c as unknown as GanResult).highQuality));
      continue;
    }
    const r = rowFor(c.spec);
    r.ok++;
    const levels = (c as unknown as CellResult).levels as (LevelStats & { mse: number | null })[];
    let div = false;
    levels.forEach((l, k) => {
      const m = num(l.mse);
      if (Number.isFinite(m) && k < r.mse.length) r.mse[k].push(m); else div = true;
      if (l.nonFinite > 0) div = true;
    });
    if (div) r.diverged++;
  }
  const have = new Set(cells.map((c) => c.hash));
  for (const f of failures) {
    if (have.has(f.hash)) continue;
    if (isKsg(f.spec as Job)) ksgFor(f.spec as KsgSpec).failed++;
    else if (isGan(f.spec as Job)) ganFor(f.spec as GanSpec).failed++;
    else rowFor(f.spec as CellSpec).failed++;
  }

  const totalFailed = [...rows.values(), ...gans.values(), ...ksgs.values()].reduce((s, r) => s + r.failed, 0);
  const out: string[] = [
    `mi-harness sweep summary · ${cells.length} cells · ${totalFailed} failed · code v${CODE_VERSION} · mi-harness ${PACKAGE_VERSION}`,
    'mean over seeds of each level\'s MSE (window: last half of the level); diverged = cells with a non-finite estimate',
    '',
  ];
  const sorted = [...rows.values()].sort((a, b) => cmp(a.sortKey, b.sortKey));
  if (sorted.length > 0) {
    const head = ['estimator', 'critic', 'task', 'ρ_batch', 'n', 'd', 'h', 'steps/lvl', 'seeds', 'failed', 'diverged', 'MSE at true MI (nats)'];
    const body = sorted.map((r) => [
      ...r.cols, String(r.ok), String(r.failed), String(r.diverged),
      r.mi.map((mi, k) => `${fmt(mi)}:${fmt(mean(r.mse[k]))}`).join(' '),
    ]);
    out.push(...table(head, body));
  }
  const gs = [...gans.values()].sort((a, b) => cmp(a.sortKey, b.sortKey));
  if (gs.length > 0) {
    if (sorted.length > 0) out.push('');
    out.push(...table(['gan variant', 'steps', 'β', 'seeds', 'failed', 'modes (of 25)', 'high quality'],
      gs.map((g) => [g.variant, String(g.steps), fmt(g.beta), String(g.modes.length), String(g.failed), fmt(mean(g.modes)), fmt(mean(g.hq))])));
  }
  const ks = [...ksgs.values()].sort((a, b) => cmp(a.sortKey, b.sortKey));
  if (ks.length > 0) {
    if (sorted.length > 0 || gs.length > 0) out.push('');
    out.push(...table(['ksg task', 'N', 'k', 'seeds', 'failed', 'mean estimate', 'true MI'],
      ks.map((r) => [r.task, String(r.size), String(r.k), String(r.estimates.length), String(r.failed), fmt(mean(r.estimates)), fmt(r.trueMi)])));
  }
  return out.join('\n') + '\n';
}

function sortKey(s: CellSpec): string {
  const rho = s.batchRho === 'random' ? '~random' : s.batchRho.toFixed(6);
  return [variantLabel(s), s.critic, s.task, rho, String(s.batchSize).padStart(8, '0')].join('\u0000') + '\u0000';
}

function table(head: string[], body: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), ...body.map(line)];
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x !== 0 && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

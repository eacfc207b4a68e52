/**
 * The results site's page script (index.html): filters, the sortable leaderboard, the headline
 * table, the field table (when the build has one), the report's charts (lazily drawn with
 * Vega-Lite), the reproduction claims, the cell list and the per-group and per-cell drill-downs. All data comes from the SiteData inlined in
 * the page (src/report/siteData.ts) and, for a drill-down, from cells/<id>.json. Filter choices
 * live in the query string (?critic=joint&estimator=infonce,…), the open drill-down in the hash
 * (#cell=<id>, #group=<i>), so every view has a URL.
 */
import type { Ci, FieldNum, SiteCell, SiteData, SiteField, SiteFieldRow, SiteRow } from '../src/report/siteData.js';
import { cellTrajectorySpec, offScaleShare, type CellScale } from '../src/report/cellPlot.js';
import { fmt } from '../src/report/format.js';
import { draw, interactive, type VegaView } from './vega.js';

const data = JSON.parse(document.getElementById('site-data')!.textContent!) as SiteData;

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...kids: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v); else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids) if (c !== null && c !== undefined) el.append(c);
  return el;
}

const num = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : fmt(x));
const pct = (x: number | null): string => (x === null ? '—' : x === 0 ? '0%' : `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`);
function ciCell(c: Ci): HTMLTableCellElement {
  const td = h('td', { class: 'num' }, num(c[0]));
  if (c[1] !== null && c[2] !== null && !(c[1] === c[2] && c[1] === c[0])) td.append(' ', h('span', { class: 'ci', text: `[${num(c[1])}, ${num(c[2])}]` }));
  return td;
}

// ---------- filters ----------

interface Facet { key: string; title: string; values: string[]; of: (r: SiteRow) => string }
const ctxOf = (r: SiteRow) => data.contexts[data.groups[r.g].ctx];
const facets: Facet[] = [
  { key: 'critic', title: 'critic', of: (r) => ctxOf(r).critic, values: [] },
  { key: 'task', title: 'task', of: (r) => ctxOf(r).task, values: [] },
  { key: 'rho', title: 'ρ_batch', of: (r) => ctxOf(r).rho, values: [] },
  { key: 'n', title: 'n', of: (r) => String(ctxOf(r).n), values: [] },
  { key: 'setup', title: 'setup', of: (r) => ctxOf(r).setup, values: [] },
  { key: 'estimator', title: 'estimator', of: (r) => data.groups[r.g].label, values: [] },
  { key: 'mi', title: 'true MI', of: (r) => String(r.trueMi), values: [] },
];
for (const f of facets) {
  const seen: string[] = [];
  for (const r of data.rows) { const v = f.of(r); if (!seen.includes(v)) seen.push(v); }
  f.values = f.key === 'n' || f.key === 'mi' ? seen.sort((a, b) => Number(a) - Number(b)) : f.key === 'estimator' ? seen : seen.sort();
}
const shownFacets = facets.filter((f) => f.values.length > 1 || (f.key !== 'setup' && f.values.length === 1 && f.key !== 'mi'));
const selected = new Map<string, Set<string>>(facets.map((f) => [f.key, new Set(f.values)]));

function readQuery(): void {
  const q = new URLSearchParams(location.search);
  for (const f of facets) {
    const v = q.get(f.key);
    if (v === null) continue;
    const want = new Set(v.split(',').filter((x) => f.values.includes(x)));
    selected.set(f.key, want);
  }
}

function writeQuery(): void {
  const q = new URLSearchParams();
  for (const f of facets) {
    const s = selected.get(f.key)!;
    if (s.size !== f.values.length) q.set(f.key, f.values.filter((v) => s.has(v)).join(','));
  }
  const qs = q.toString();
  history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}${location.hash}`);
}

const rowVisible = (r: SiteRow) => facets.every((f) => selected.get(f.key)!.has(f.of(r)));
const groupVisible = (gi: number) => data.rows.some((r) => r.g === gi && rowVisible(r));
const contextVisible = (ci: number) => data.rows.some((r) => data.groups[r.g].ctx === ci && rowVisible(r));

function renderFilters(): void {
  const box = $('#filters');
  box.textContent = '';
  for (const f of shownFacets) {
    const fs = h('fieldset', { 'data-facet': f.key }, h('legend', { text: f.title }));
    for (const v of f.values) {
      const cb = h('input', { type: 'checkbox', value: v, name: f.key, checked: selected.get(f.key)!.has(v) });
      cb.addEventListener('change', () => {
        const s = selected.get(f.key)!;
        if (cb.checked) s.add(v); else s.delete(v);
        update();
      });
      fs.append(h('label', {}, cb, ` ${v === '' ? '(default)' : v}`));
    }
    if (f.values.length > 2) {
      const all = h('button', { type: 'button', text: 'all' });
      all.addEventListener('click', () => { selected.set(f.key, new Set(f.values)); renderFilters(); update(); });
      fs.append(all);
    }
    box.append(fs);
  }
  box.hidden = shownFacets.length === 0;
}

// ---------- leaderboard ----------

interface Column { key: string; title: string; num?: boolean; value: (r: SiteRow) => number | string | null; cell: (r: SiteRow) => HTMLTableCellElement; help?: string }
const multiSetup = data.contexts.some((c) => c.setup !== '');
const columns: Column[] = [
  { key: 'critic', title: 'critic', value: (r) => ctxOf(r).critic, cell: (r) => h('td', { text: ctxOf(r).critic }) },
  { key: 'task', title: 'task', value: (r) => ctxOf(r).task, cell: (r) => h('td', { text: ctxOf(r).task }) },
  { key: 'rho', title: 'ρ_batch', num: true, value: (r) => (ctxOf(r).rho === 'random' ? Infinity : Number(ctxOf(r).rho)), cell: (r) => h('td', { class: 'num', text: ctxOf(r).rho }) },
  { key: 'n', title: 'n', num: true, value: (r) => ctxOf(r).n, cell: (r) => h('td', { class: 'num', text: String(ctxOf(r).n) }) },
  ...(multiSetup ? [{ key: 'setup', title: 'setup', value: (r: SiteRow) => ctxOf(r).setup, cell: (r: SiteRow) => h('td', { text: ctxOf(r).setup }) }] : []),
  { key: 'estimator', title: 'estimator', value: (r) => data.groups[r.g].label, cell: (r) => h('td', { text: data.groups[r.g].label }) },
  { key: 'mi', title: 'true MI', num: true, value: (r) => r.trueMi, cell: (r) => h('td', { class: 'num', text: fmt(r.trueMi) }) },
  { key: 'bias', title: 'bias', num: true, value: (r) => r.bias[0], cell: (r) => ciCell(r.bias), help: 'mean over seeds of (window mean − true MI), 95% bootstrap CI' },
  { key: 'variance', title: 'variance', num: true, value: (r) => r.variance[0], cell: (r) => ciCell(r.variance) },
  { key: 'mse', title: 'MSE', num: true, value: (r) => r.mse[0], cell: (r) => ciCell(r.mse) },
  { key: 'above', title: 'above MI', num: true, value: (r) => r.above, cell: (r) => h('td', { class: `num${(data.groups[r.g].lowerBound || data.groups[r.g].upperBound) && (r.aboveEma ?? 0) > 0 ? ' bad' : ''}`, text: `${data.groups[r.g].upperBound ? 'below: ' : ''}${pct(r.above)} / ${pct(r.aboveEma)}` }), help: 'share of window steps above the true MI, raw / EMA-smoothed (a violation for lower bounds)' },
  { key: 'lb', title: 'LB', value: (r) => (data.groups[r.g].lowerBound ? 'yes' : data.groups[r.g].upperBound ? 'UB' : 'no'), cell: (r) => h('td', { text: data.groups[r.g].lowerBound ? 'yes' : data.groups[r.g].upperBound ? 'UB' : '' }), help: 'the estimator claims a lower bound' },
  { key: 'diverged', title: 'div. / seeds', num: true, value: (r) => r.diverged, cell: (r) => h('td', { class: `num${r.diverged ? ' bad' : ''}`, text: `${r.diverged} / ${r.seeds}` }), help: 'seeds with a non-finite estimate in the window' },
  { key: 'ms', title: 'ms/step', num: true, value: (r) => data.groups[r.g].msPerStep, cell: (r) => h('td', { class: 'num', text: num(data.groups[r.g].msPerStep) }), help: 'median over seeds (depends on the machine and its load)' },
];
let sortKey: string | null = null;
let sortDir: 1 | -1 = 1;

function compareValues(a: number | string | null, b: number | string | null): number {
  // Missing and NaN always sort last, whatever the direction.
  const missA = a === null || (typeof a === 'number' && Number.isNaN(a));
  const missB = b === null || (typeof b === 'number' && Number.isNaN(b));
  if (missA || missB) return missA === missB ? 0 : missA ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sortDir;
  return String(a).localeCompare(String(b)) * sortDir;
}

function renderTable(): void {
  const table = $('#table');
  table.textContent = '';
  const tr = h('tr');
  for (const c of columns) {
    const th = h('th', { class: `sortable${c.num ? ' num' : ''}`, 'data-key': c.key, title: c.help, 'aria-sort': sortKey === c.key ? (sortDir === 1 ? 'ascending' : 'descending') : undefined, text: c.title });
    th.addEventListener('click', () => {
      if (sortKey === c.key) sortDir = sortDir === 1 ? -1 : 1; else { sortKey = c.key; sortDir = 1; }
      renderTable();
    });
    tr.append(th);
  }
  table.append(h('thead', {}, tr));
  const rows = data.rows.map((r, i) => ({ r, i })).filter(({ r }) => rowVisible(r));
  if (sortKey) {
    const col = columns.find((c) => c.key === sortKey)!;
    rows.sort((a, b) => compareValues(col.value(a.r), col.value(b.r)) || a.i - b.i);
  }
  const body = h('tbody');
  for (const { r, i } of rows) {
    const row = h('tr', { class: 'click', 'data-row': i, 'data-g': r.g, title: 'show this group\'s cells' });
    for (const c of columns) row.append(c.cell(r));
    row.addEventListener('click', () => { location.hash = `group=${r.g}`; });
    body.append(row);
  }
  table.append(body);
  $('#count').textContent = `${rows.length} of ${data.rows.length} rows`;
}

function renderHeadline(): void {
  const box = $('#headline');
  box.textContent = '';
  const ctxs = data.contexts.map((c, i) => ({ c, i })).filter(({ i }) => contextVisible(i) && data.headline.some((x) => x.ctx === i));
  const labels = data.groups.map((g) => g.label).filter((l, i, a) => a.indexOf(l) === i && selected.get('estimator')!.has(l));
  if (ctxs.length === 0 || labels.length === 0) return;
  box.append(h('h3', { text: 'Headline: IQM of per-level MSE over levels and seeds (lower is better; bold: best in its context)' }));
  const t = h('table', { class: 'data', id: 'headline-table' });
  t.append(h('thead', {}, h('tr', {}, h('th', { text: 'context' }), ...labels.map((l) => h('th', { class: 'num', text: l })))));
  const body = h('tbody');
  for (const { c, i } of ctxs) {
    const entries = data.headline.filter((x) => x.ctx === i);
    const best = Math.min(...entries.map((e) => e.iqm[0] ?? Infinity));
    const row = h('tr', {}, h('td', { text: c.label }));
    for (const l of labels) {
      const e = entries.find((x) => x.label === l);
      const td = h('td', { class: `num${e && e.iqm[0] === best ? ' best' : ''}`, text: e ? num(e.iqm[0]) : '' });
      if (e) td.title = `95% CI [${num(e.iqm[1])}, ${num(e.iqm[2])}], rank ${num(e.rank[0])}`;
      row.append(td);
    }
    body.append(row);
  }
  t.append(body);
  box.append(h('div', { class: 'scroll' }, t));
}

// ---------- charts ----------

const chartViews = new Map<string, VegaView>();
const specCache = new Map<string, Promise<Record<string, unknown>>>();
const observer = 'IntersectionObserver' in window
  ? new IntersectionObserver((entries) => { for (const e of entries) if (e.isIntersecting) { observer!.unobserve(e.target); void drawCard(e.target as HTMLElement); } }, { rootMargin: '400px' })
  : null;

async function drawCard(card: HTMLElement): Promise<void> {
  const name = card.dataset.plot!;
  const el = card.querySelector('.plot') as HTMLElement;
  if (chartViews.has(name)) return;
  try {
    let p = specCache.get(name);
    if (!p) { p = fetch(`plots/${name}.json`).then((r) => { if (!r.ok) throw new Error(`plots/${name}.json: HTTP ${r.status}`); return r.json(); }); specCache.set(name, p); }
    const spec = await p;
    chartViews.set(name, await draw(el, interactive(spec), 'canvas'));
    card.dataset.drawn = '1';
  } catch (err) {
    el.textContent = `This chart could not be drawn here (${err instanceof Error ? err.message : String(err)}); the SVG link shows it.`;
  }
}

function renderCharts(): void {
  const list = $('#chart-list');
  const want = data.plots.filter((p) => p.contexts.length === 0 || p.contexts.some(contextVisible));
  const existing = new Map([...list.querySelectorAll<HTMLElement>('.chart-card')].map((c) => [c.dataset.plot!, c]));
  for (const [name, card] of existing) if (!want.some((p) => p.name === name)) card.hidden = true;
  for (const p of want) {
    let card = existing.get(p.name);
    if (!card) {
      card = h('div', { class: 'chart-card', 'data-plot': p.name },
        h('h3', {}, p.title, h('span', { class: 'links' }, h('a', { href: `plots/${p.name}.svg`, text: 'SVG' }), ' · ', h('a', { href: `plots/${p.name}.json`, text: 'Vega-Lite spec' }))),
        h('div', { class: 'plot', text: 'drawing…' }));
      list.append(card);
      if (observer) observer.observe(card); else void drawCard(card);
    }
    card.hidden = false;
  }
  if (want.length === 0) list.textContent = 'No chart for the selected contexts.';
}

// ---------- reproduction claims ----------

function renderClaims(): void {
  const box = $('#claims');
  box.textContent = '';
  const claims = data.claims;
  if (!claims || claims.rows.length === 0) {
    box.append(h('p', { class: 'muted', text: 'This store has no reproduction claims table.' }));
    return;
  }
  box.append(h('p', { class: 'muted' }, `Protocol: ${claims.protocol}. Verdicts: holds (every test supports the claim), fails (some contradict, none support), mixed, inconclusive (undecided, too few seeds, or no data). The same rows as REPRODUCTION.md; open a figure for its interactive chart.`));
  const cols = ['#', 'claim', 'where in the paper', 'MICE reading', 'statistic', 'value [95% CI]', 'tests', 'figure', 'verdict', 'note'];
  const t = h('table', { class: 'data wrap', id: 'claims-table' }, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: c })))));
  const body = h('tbody');
  for (const r of claims.rows) {
    const n = (o: string) => r.tests.filter((x) => x.outcome === o).length;
    const tests = h('td', {}, r.tests.length ? `${n('supports')} support · ${n('contradicts')} contradict · ${n('undecided')} undecided` : '—');
    if (r.tests.length) tests.title = r.tests.map((x) => `${x.what}: ${x.outcome}${x.pHolm !== null ? ` (p_Holm ${fmt(x.pHolm)}, ${x.seeds} seeds${x.canReach ? '' : ', cannot reach 0.05'})` : ''}`).join('\n');
    const figs = h('td');
    r.figures.forEach((f, i) => {
      if (i > 0) figs.append(' ');
      const p = data.plots.find((x) => x.name === f);
      figs.append(h('a', { href: `#plot=${encodeURIComponent(f)}`, title: p?.title ?? f, text: `fig.\u00a0${i + 1}` }));
    });
    if (r.figures.length === 0) figs.textContent = '—';
    body.append(h('tr', { 'data-claim': r.id },
      h('td', { text: r.id }), h('td', { text: r.claim }), h('td', { text: r.where }), h('td', { text: r.reading ?? '—' }), h('td', { text: r.statistic }),
      h('td', { class: 'num', text: r.valueText || (r.value ? num(r.value[0]) : '—') }), tests, figs,
      h('td', { class: `verdict-${r.verdict}`, text: r.verdict }), h('td', { text: r.note || '—' })));
  }
  t.append(body);
  box.append(h('div', { class: 'scroll' }, t));
  if (claims.readings.length) {
    const rt = h('table', { class: 'data', id: 'readings-table' }, h('thead', {}, h('tr', {}, ...['MICE reading', 'holds', 'fails', 'mixed', 'inconclusive', 'claims that hold'].map((c) => h('th', { text: c })))));
    const rb = h('tbody');
    for (const x of claims.readings) {
      rb.append(h('tr', {}, h('td', { text: x.reading }), ...['holds', 'fails', 'mixed', 'inconclusive'].map((v) => h('td', { class: 'num', text: String(x.verdicts[v] ?? 0) })), h('td', { text: x.claims.join(', ') || '—' })));
    }
    rt.append(rb);
    box.append(h('h3', { text: 'Which MICE reading behaves as the paper says' }), rt);
  }
}

// ---------- field table ----------

const fieldNum = (x: FieldNum): string => (x === 'Infinity' ? '∞' : num(x));
const KIND_TEXT: Record<string, string> = { lower: 'lower bound', upper: 'upper bound', estimate: 'estimate' };
const rankText = (r: number) => (Number.isInteger(r) ? String(r) : r.toFixed(1));
/** Sortable key of a field number: ∞ after every finite value, missing last. */
const fieldKey = (x: FieldNum | undefined): number | null => (x === 'Infinity' ? Infinity : x ?? null);

let fieldSort: { col: number; dir: 1 | -1 } | null = null;

/**
 * The field table is not filtered by the leaderboard's facets: it is one summary over every
 * suite (src/stats/field.ts), the same as the field store's LEADERBOARD.md and field.csv.
 */
function renderField(): void {
  const f = data.field;
  const box = document.getElementById('field-table');
  if (!f || !box) return;
  box.textContent = '';
  const clocks = new Set(f.rows.map((r) => r.costClock).filter((c) => c !== 'none'));
  const clock = clocks.size === 1 ? ([...clocks][0] === 'cpu' ? 'CPU' : clocks.has('wall') ? 'wall' : 'CPU or wall') : 'CPU or wall';
  box.append(h('p', { class: 'muted' },
    'One number per estimator and suite, scale-free so that suites whose true MI differs can sit side by side: the interquartile mean (IQM) of the relative error — √MSE / I per task, MI level and seed for training-protocol cells (MSE over the level\'s window: bias² + variance, so noise is paid for), |Î − I| / I per task and seed for BMI\'s finite-sample protocol and KSG — with a 95% bootstrap CI that resamples seeds, and the rank of that IQM among the estimators that ran the suite (rank/of; bold: first). A diverged estimate is an infinite error (more than a quarter of them makes the IQM ∞). Lower is more accurate. ',
    `Ranks of suites with different estimator sets do not compare directly: the table is ordered by the mean rank over the common suites${f.commonSuites.length ? ` (${f.commonSuites.join(', ')})` : ''} — of the sets of suites the estimators ran, the one holding the most ranks (its suites × the estimators that ran all of them) — with the mean over all the suites each ran beside it. Type: whether the reported number is, in expectation, a lower bound on MI, an upper bound (its violations are estimates below the truth), or neither. Cost: the median ${clock === 'CPU or wall' ? 'CPU (else wall)' : clock} seconds per cell in the ${f.costSuite}. Click a column to sort. Download: `,
    h('a', { href: 'field.csv', text: 'field.csv' }), '.'));
  interface FieldColumn { title: string; num: boolean; help?: string; key: (r: SiteFieldRow, i: number) => number | string | null; cell: (r: SiteFieldRow, i: number) => HTMLTableCellElement }
  const cols: FieldColumn[] = [
    { title: '#', num: true, key: (_r, i) => i, cell: (_r, i) => h('td', { class: 'num', text: String(i + 1) }) },
    { title: 'estimator · critic', num: false, key: (r) => r.label, cell: (r) => h('td', { text: r.label }) },
    { title: 'type', num: false, key: (r) => r.kind, help: 'lower bound, upper bound, or neither, in expectation', cell: (r) => h('td', {}, h('span', { class: `kind kind-${r.kind}`, text: KIND_TEXT[r.kind] ?? r.kind })) },
    ...f.suites.map((su, k): FieldColumn => ({
      title: su, num: true, help: `IQM of the relative error [95% CI] (rank/of) in the ${su}`,
      key: (r) => fieldKey(r.suites[k]?.iqm[0]),
      cell: (r) => {
        const c = r.suites[k];
        if (!c) return h('td', { class: 'num muted', text: '' });
        const td = h('td', { class: `num${c.rank === 1 ? ' best' : ''}${c.iqm[0] === 'Infinity' ? ' bad' : ''}`, 'data-suite': su }, fieldNum(c.iqm[0]));
        td.append(' ', h('span', { class: 'rank', text: `(${rankText(c.rank)}/${c.of})` }));
        // The CI on its own line keeps the table within a laptop's width (seven suite-wide columns).
        if (c.iqm[1] !== null && c.iqm[2] !== null && !(c.iqm[1] === c.iqm[2] && c.iqm[1] === c.iqm[0])) td.append(' ', h('span', { class: 'ci', text: `[${fieldNum(c.iqm[1])}, ${fieldNum(c.iqm[2])}]` }));
        td.title = `${c.values} value(s): ${c.tasks} task(s) × levels × ${c.seeds} seed(s)${c.nonFinite ? `; ${c.nonFinite} non-finite` : ''}`;
        return td;
      },
    })),
    { title: 'mean rank', num: true, help: `over ${f.commonSuites.join(', ') || 'the common suites'}`, key: (r) => r.meanRank, cell: (r) => h('td', { class: 'num', text: num(r.meanRank) }) },
    { title: 'mean rank (all)', num: true, help: 'over every suite this estimator ran', key: (r) => r.meanRankRun, cell: (r) => h('td', { class: 'num', text: `${num(r.meanRankRun)}`, title: `${r.suitesRun} suite(s)` }) },
    { title: `${clock} s/cell`, num: true, help: `median ${clock} seconds per cell in the ${f.costSuite}`, key: (r) => r.cost, cell: (r) => h('td', { class: 'num', text: r.cost === null ? '' : `${num(r.cost)}${r.costClock === 'mixed' ? ' (mixed clocks)' : ''}` }) },
  ];
  const t = h('table', { class: 'data', id: 'field-tbl' });
  const tr = h('tr');
  cols.forEach((c, ci) => {
    const th = h('th', { class: `sortable${c.num ? ' num' : ''}`, title: c.help, 'aria-sort': fieldSort?.col === ci ? (fieldSort.dir === 1 ? 'ascending' : 'descending') : undefined, text: c.title });
    th.addEventListener('click', () => {
      fieldSort = fieldSort?.col === ci ? { col: ci, dir: fieldSort.dir === 1 ? -1 : 1 } : { col: ci, dir: 1 };
      renderField();
    });
    tr.append(th);
  });
  t.append(h('thead', {}, tr));
  const order = f.rows.map((r, i) => ({ r, i }));
  if (fieldSort) {
    const { col, dir } = fieldSort;
    const key = cols[col].key;
    order.sort((a, b) => {
      const x = key(a.r, a.i), y = key(b.r, b.i);
      const missX = x === null || (typeof x === 'number' && Number.isNaN(x)), missY = y === null || (typeof y === 'number' && Number.isNaN(y));
      if (missX || missY) return missX === missY ? a.i - b.i : missX ? 1 : -1;
      const d = typeof x === 'number' && typeof y === 'number' ? (x === y ? 0 : x < y ? -1 : 1) : String(x).localeCompare(String(y));
      return d * dir || a.i - b.i;
    });
  }
  const body = h('tbody');
  for (const { r, i } of order) body.append(h('tr', { 'data-field-row': i, 'data-kind': r.kind }, ...cols.map((c) => c.cell(r, i))));
  t.append(body);
  box.append(h('div', { class: 'scroll' }, t));
  box.append(fieldCoverage(f));
}

function fieldCoverage(f: SiteField): HTMLElement {
  const list = h('ul', { class: 'coverage', id: 'field-coverage' });
  f.coverage.forEach((c, k) => {
    const ranked = f.rows.filter((r) => r.suites[k]).sort((a, b) => a.suites[k]!.rank - b.suites[k]!.rank);
    const [a, b] = ranked;
    const tasks = c.tasks.length <= 12 ? ` (${c.tasks.join(', ')})` : '';
    const li = h('li', { 'data-suite': c.suite }, h('strong', { text: c.suite }),
      `: ${c.estimators} estimator(s), ${c.tasks.length} task(s)${tasks}, seeds ${c.seeds.join(', ')}.${c.note ? ` ${c.note}` : ''}`);
    if (c.tasks.length > 12) li.title = c.tasks.join(', ');
    if (a) {
      const iq = (r: SiteFieldRow) => { const x = r.suites[k]!.iqm; return x[1] !== null && x[2] !== null && !(x[1] === x[2] && x[1] === x[0]) ? `${fieldNum(x[0])} [${fieldNum(x[1])}, ${fieldNum(x[2])}]` : fieldNum(x[0]); };
      const lo = (x: FieldNum) => fieldKey(x) ?? NaN;
      const overlap = b ? (lo(b.suites[k]!.iqm[1]) <= lo(a.suites[k]!.iqm[2]) ? 'CIs overlap' : 'CIs disjoint') : '';
      li.append(' Smallest error: ', h('strong', { text: a.label }), ` ${iq(a)}${b ? `; then ${b.label} ${iq(b)} (${overlap})` : ''}.`);
    }
    list.append(li);
  });
  return h('div', {}, h('h3', { text: 'Suites' }), list);
}

// ---------- cells ----------

/** The cell list stays short enough to scroll; the filters reach the rest. */
const MAX_CELL_ROWS = 300;

function renderCells(): void {
  const t = $('#cell-table');
  t.textContent = '';
  t.append(h('thead', {}, h('tr', {}, ...['estimator', 'critic', 'task', 'ρ_batch', 'n', ...(multiSetup ? ['setup'] : []), 'seed', 'cell'].map((c) => h('th', { text: c })))));
  const body = h('tbody');
  let count = 0;
  data.groups.forEach((g, gi) => {
    if (!groupVisible(gi)) return;
    const c = data.contexts[g.ctx];
    g.cells.forEach((id, k) => {
      if (++count > MAX_CELL_ROWS) return;
      const tr = h('tr', { class: 'click', 'data-cell': id },
        h('td', { text: g.label }), h('td', { text: c.critic }), h('td', { text: c.task }), h('td', { class: 'num', text: c.rho }), h('td', { class: 'num', text: String(c.n) }),
        ...(multiSetup ? [h('td', { text: c.setup })] : []),
        h('td', { class: 'num', text: String(g.seeds[k]) }), h('td', {}, h('a', { href: `#cell=${id}`, text: id.slice(0, 12) })));
      tr.addEventListener('click', (ev) => { if ((ev.target as HTMLElement).tagName !== 'A') location.hash = `cell=${id}`; });
      body.append(tr);
    });
  });
  t.append(body);
  if (count === 0) body.append(h('tr', {}, h('td', { colspan: 8, text: 'No cell matches the filters.' })));
  $('#cell-count').textContent = count > MAX_CELL_ROWS ? `The first ${MAX_CELL_ROWS} of ${count} cells; narrow the filters to see the others.` : `${count} cell(s).`;
}

// ---------- GAN, provenance, problems ----------

function renderStatic(): void {
  const s = data.source;
  const problems: string[] = [];
  if (s.failures.length) problems.push(`${s.failures.length} job(s) failed after their retries and are missing: ${s.failures.join('; ')}.`);
  if (s.stale) problems.push(`${s.stale} cell file(s) from another code version left out.`);
  if (s.skipped.length) problems.push(`${s.skipped.length} unreadable file(s) skipped: ${s.skipped.map((x) => `${x.file} (${x.reason})`).join('; ')}.`);
  if (s.duplicates.length) problems.push(`${s.duplicates.length} duplicate cell(s) ignored.`);
  if (problems.length) $('#problems').append(h('p', { class: 'warn' }, h('strong', { text: 'Input problems. ' }), problems.join(' ')));
  if (data.gan.length) {
    const box = $('#gan');
    box.append(h('h2', { text: 'GAN with MI regularisation' }));
    const t = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, ...['variant', 'runs', 'modes of 25 [95% CI]', 'high-quality share [95% CI]'].map((c) => h('th', { text: c })))));
    const body = h('tbody');
    for (const g of data.gan) body.append(h('tr', {}, h('td', { text: g.label }), h('td', { class: 'num', text: String(g.runs) }), ciCell(g.modes), ciCell(g.highQuality)));
    t.append(body);
    box.append(t);
  }
  const prov = h('table', { class: 'kv' });
  for (const p of data.provenance) prov.append(h('tr', {}, h('td', { text: p.key }), h('td', { text: p.values.join(', ') })));
  $('#prov').append(data.provenance.length ? prov : h('p', { class: 'muted', text: 'No provenance recorded.' }));
}

// ---------- drill-down ----------

let drillView: VegaView | null = null;

function closeDrill(): void {
  const d = $('#drill');
  d.hidden = true;
  d.textContent = '';
  d.classList.remove('wide');
  drillView?.finalize();
  drillView = null;
}

function drillShell(title: string): HTMLElement {
  closeDrill();
  const d = $('#drill');
  const close = h('button', { type: 'button', class: 'close', text: 'close ✕' });
  close.addEventListener('click', () => { history.pushState(null, '', `${location.pathname}${location.search}`); closeDrill(); });
  d.append(close, h('h2', { text: title }));
  d.hidden = false;
  d.scrollTop = 0;
  return d;
}

function openGroup(gi: number): void {
  const g = data.groups[gi];
  if (!g) { closeDrill(); return; }
  const c = data.contexts[g.ctx];
  const d = drillShell(`${g.label} — ${c.label}`);
  d.dataset.view = 'group';
  d.append(h('p', { class: 'muted', text: `${g.seeds.length} seed(s); engines ${g.engines.join(', ')}; backends ${g.backends.join(', ')}; median ${num(g.msPerStep)} ms/step; ${g.divergedCells} cell(s) with a non-finite estimate in a window.` }));
  const t = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', { text: 'seed' }), h('th', { text: 'cell' }))));
  const body = h('tbody');
  g.cells.forEach((id, k) => {
    const tr = h('tr', { class: 'click', 'data-cell': id }, h('td', { class: 'num', text: String(g.seeds[k]) }), h('td', {}, h('a', { href: `#cell=${id}`, text: id })));
    tr.addEventListener('click', (ev) => { if ((ev.target as HTMLElement).tagName !== 'A') location.hash = `cell=${id}`; });
    body.append(tr);
  });
  t.append(body);
  d.append(t);
  const rows = data.rows.filter((r) => r.g === gi);
  const lt = h('table', { class: 'data' }, h('thead', {}, h('tr', {}, ...['true MI', 'bias', 'variance', 'MSE', 'above MI', 'div. / seeds'].map((x) => h('th', { class: 'num', text: x })))));
  const lb = h('tbody');
  for (const r of rows) lb.append(h('tr', {}, h('td', { class: 'num', text: fmt(r.trueMi) }), ciCell(r.bias), ciCell(r.variance), ciCell(r.mse), h('td', { class: 'num', text: `${pct(r.above)} / ${pct(r.aboveEma)}` }), h('td', { class: 'num', text: `${r.diverged} / ${r.seeds}` })));
  lt.append(lb);
  d.append(h('h3', { text: 'Per level (over seeds)' }), lt);
}

async function openCell(id: string): Promise<void> {
  const d = drillShell(`cell ${id.slice(0, 16)}…`);
  d.dataset.view = 'cell';
  const status = h('p', { class: 'muted', text: 'loading…' });
  d.append(status);
  let cell: SiteCell;
  try {
    const r = await fetch(`cells/${encodeURIComponent(id)}.json`);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    cell = await r.json() as SiteCell;
  } catch (err) {
    status.textContent = `cells/${id}.json could not be loaded (${err instanceof Error ? err.message : String(err)}).`;
    return;
  }
  if (d.dataset.view !== 'cell') return;
  d.querySelector('h2')!.textContent = `${cell.label} — ${cell.context}, seed ${cell.seed}`;
  status.textContent = `${cell.engine} / ${cell.backend}, ${num(cell.msPerStep)} ms/step. `;
  status.append(h('a', { href: `cells/${id}.json`, text: 'raw JSON' }));
  const plot = h('div', { class: 'plot', id: 'cell-plot' });
  const scaleSel = h('select', { id: 'cell-scale' }, h('option', { value: 'truth', text: 'around the true MI' }), h('option', { value: 'full', text: 'full range (symlog)' }));
  d.append(h('label', { class: 'muted' }, 'y axis: ', scaleSel), plot);
  const drawPlot = async () => {
    drillView?.finalize();
    plot.dataset.drawn = '';
    try {
      drillView = await draw(plot, interactive(cellTrajectorySpec(cell, Math.max(320, d.clientWidth - 60), 260, scaleSel.value as CellScale)), 'canvas');
      plot.dataset.drawn = '1';
    } catch (err) {
      plot.textContent = `The trajectory could not be drawn (${err instanceof Error ? err.message : String(err)}).`;
    }
  };
  scaleSel.value = offScaleShare(cell) > 0.5 ? 'full' : 'truth';
  scaleSel.addEventListener('change', () => { void drawPlot(); });
  const lt = h('table', { class: 'data', id: 'cell-levels' }, h('thead', {}, h('tr', {}, ...['true MI', 'window (steps)', 'mean', 'bias', 'variance', 'MSE', 'above MI', 'above (EMA)', 'non-finite'].map((x) => h('th', { class: 'num', text: x })))));
  const lb = h('tbody');
  for (const l of cell.levels) {
    lb.append(h('tr', {}, h('td', { class: 'num', text: fmt(l.trueMi) }), h('td', { class: 'num', text: `${l.window[0] ?? '—'}–${l.window[1] ?? '—'}` }),
      h('td', { class: 'num', text: num(l.mean) }), h('td', { class: 'num', text: num(l.bias) }), h('td', { class: 'num', text: num(l.variance) }), h('td', { class: 'num', text: num(l.mse) }),
      h('td', { class: 'num', text: pct(l.violations) }), h('td', { class: 'num', text: pct(l.emaViolations) }), h('td', { class: `num${l.nonFinite ? ' bad' : ''}`, text: String(l.nonFinite) })));
  }
  lt.append(lb);
  d.append(h('h3', { text: 'Per level (this cell)' }), lt);
  const kv = (o: Record<string, unknown>, id2: string) => {
    const t = h('table', { class: 'kv', id: id2 });
    for (const [k, v] of Object.entries(o)) t.append(h('tr', {}, h('td', { text: k }), h('td', { text: typeof v === 'string' ? v : JSON.stringify(v) })));
    return t;
  };
  d.append(h('h3', { text: 'Spec' }), kv(cell.spec, 'cell-spec'), h('h3', { text: 'Provenance' }), kv({ file: cell.file, ...cell.provenance }, 'cell-provenance'));
  await drawPlot();
}

/** One report figure, interactive, in the drill-down panel (the claims table links here). */
async function openPlot(name: string): Promise<void> {
  const p = data.plots.find((x) => x.name === name);
  const d = drillShell(p ? p.title : name);
  d.dataset.view = 'plot';
  d.classList.add('wide');
  if (!p) { d.append(h('p', { class: 'muted', text: `No figure named ${name} in this build.` })); return; }
  d.append(h('p', { class: 'muted' }, h('a', { href: `plots/${name}.svg`, text: 'SVG' }), ' · ', h('a', { href: `plots/${name}.json`, text: 'Vega-Lite spec' })));
  const el = h('div', { class: 'plot', id: 'drill-plot' });
  d.append(el);
  try {
    const r = await fetch(`plots/${name}.json`);
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    drillView = await draw(el, interactive(await r.json() as Record<string, unknown>), 'canvas');
    el.dataset.drawn = '1';
  } catch (err) {
    el.textContent = `plots/${name}.json could not be drawn (${err instanceof Error ? err.message : String(err)}).`;
  }
}

function route(): void {
  const m = /^#(cell|group|plot)=(.+)$/.exec(location.hash);
  if (!m) { closeDrill(); return; }
  if (m[1] === 'cell') void openCell(decodeURIComponent(m[2]));
  else if (m[1] === 'plot') void openPlot(decodeURIComponent(m[2]));
  else openGroup(Number(m[2]));
}

// ---------- wiring ----------

function update(): void {
  writeQuery();
  renderHeadline();
  renderTable();
  renderCharts();
  renderCells();
}

readQuery();
renderStatic();
renderFilters();
renderClaims();
renderField();
update();
window.addEventListener('hashchange', route);
document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('#drill').hidden) { history.pushState(null, '', `${location.pathname}${location.search}`); closeDrill(); } });
route();
document.body.dataset.ready = '1';

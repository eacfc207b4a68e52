/**
 * The static pages of the results site: index.html (leaderboard, charts, reproduction claims,
 * cells; rendered in the browser by web/site.ts from the SiteData inlined here) and
 * playground.html (web/playground.ts). Pure string templates; the same SiteData always gives the
 * same bytes. The pages work without a server-side component; the charts, the drill-downs and the
 * playground fetch files, so the site is opened over http (GitHub Pages, or `harness site --serve`).
 */
import type { SiteData } from './siteData.js';

/** JSON that is safe inside a <script> element ('<' escaped, so no '</script>' can close it). */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const head = (title: string, scripts: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/site.css">
${scripts}
</head>`;

/** The page header; `field`: the index page has the field table (then the nav links it). */
const nav = (here: 'index' | 'playground', field: boolean) => `<header class="top">
<div class="brand"><a href="index.html">mi-harness</a> <span class="muted">neural mutual-information estimators, benchmarked</span></div>
<nav>
<a href="index.html#leaderboard"${here === 'index' ? ' class="here"' : ''}>Leaderboard</a>
${field ? '<a href="index.html#field">Field table</a>\n' : ''}<a href="index.html#charts">Charts</a>
<a href="index.html#reproduction">Reproduction</a>
<a href="index.html#cells">Cells</a>
<a href="playground.html"${here === 'playground' ? ' class="here"' : ''}>Playground</a>
</nav>
</header>`;

const VEGA = '<script src="assets/vega.min.js" defer></script>\n<script src="assets/vega-lite.min.js" defer></script>';

export function indexHtml(data: SiteData): string {
  const s = data.source;
  return `${head('mi-harness results', `${VEGA}\n<script type="module" src="assets/site.js"></script>`)}
<body>
${nav('index', data.field !== null)}
<main>
<p class="lede">${s.cells} estimator cell(s) from ${s.cellFiles} result file(s), ${data.contexts.length} context(s), ${data.groups.length} estimator group(s). Statistics per MI level over the last half of each level's steps; 95% bootstrap CIs over seeds. Every number here is computed from the cell store by <code>harness site</code>; the same store always gives the same bytes.</p>
<noscript><p class="warn">This page draws its tables and charts with JavaScript; the files under <a href="plots/">plots/</a>, <a href="summary.csv">summary.csv</a> and <a href="cells.csv">cells.csv</a> hold the same results.</p></noscript>
<div id="problems"></div>
<section id="filters" aria-label="filters"></section>
<section id="leaderboard"><h2>Leaderboard</h2>
<p class="muted">One row per estimator, context and MI level; click a column to sort, a row to see its cells (seeds). Downloads: <a href="summary.csv">summary.csv</a> (per level and statistic), <a href="cells.csv">cells.csv</a> (per cell and level).</p>
<div id="headline"></div>
<div class="scroll"><table id="table" class="data"></table></div>
<p id="count" class="muted"></p>
</section>
${data.field ? `<section id="field"><h2>Field table: every estimator on every suite</h2>
<div id="field-table"></div>
</section>
` : ''}<section id="charts"><h2>Charts</h2>
<p class="muted">The report's figures (Vega-Lite, the same specifications as the SVGs in <code>plots/</code>), limited to the contexts selected above. Drag to pan, scroll to zoom, double-click to reset; hover a point for its values.</p>
<div id="chart-list"></div>
</section>
<section id="reproduction"><h2>Reproduction of the paper's claims</h2>
<div id="claims"></div>
</section>
<section id="cells"><h2>Cells</h2>
<p class="muted">Every trained cell; open one for its trajectory, per-level table and provenance.</p>
<div class="scroll"><table id="cell-table" class="data"></table></div>
<p id="cell-count" class="muted"></p>
</section>
<section id="gan"></section>
<section id="provenance"><h2>Provenance</h2><div id="prov"></div></section>
</main>
<div id="drill" class="drill" hidden></div>
<script type="application/json" id="site-data">${inlineJson(data)}</script>
</body>
</html>
`;
}

export function playgroundHtml(o: { field?: boolean } = {}): string {
  return `${head('mi-harness playground', `${VEGA}\n<script type="module" src="assets/playground.js"></script>`)}
<body>
${nav('playground', o.field === true)}
<main>
<p class="lede">Train an MI estimator in your browser: the same AssemblyScript WebAssembly kernels (or, where the browser has WebGPU, the same WGSL kernels as <code>--engine webgpu</code>), data streams, bounds and training loop as <code>harness run</code>, in a Web Worker. The same settings give the same numbers as the command shown below (on WebGPU, to float32 rounding).</p>
<form id="controls" class="controls" autocomplete="off"></form>
<p id="command" class="command"></p>
<p id="status" class="status" role="status">Loading…</p>
<div id="chart" class="chart"></div>
<div id="result" class="result"></div>
</main>
</body>
</html>
`;
}

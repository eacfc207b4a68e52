/**
 * writeSite: the static results site from a cell store (`harness site DIR --out SITE`). The I/O
 * around src/report/siteData.ts and siteHtml.ts: reads the store as `harness report` does,
 * writes
 *   SITE/index.html            leaderboard, charts, reproduction claims, cells (data inlined)
 *   SITE/playground.html       the in-browser training playground
 *   SITE/plots/<name>.json     each figure's Vega-Lite spec (the report's, unchanged) and .svg
 *   SITE/cells/<id>.json       one drill-down file per cell
 *   SITE/summary.csv, cells.csv, field.csv (when the page has the field table), bmi.csv
 *   SITE/assets/               site.js, playground.js, playground-worker.js (dist/web, bundled by
 *                              scripts/build-web.mjs), the wasm kernels, vega and vega-lite
 * Byte-identical output for the same store (no dates, sorted inputs, seeded statistics); files
 * a previous build left that this one does not write are removed, so a rebuild equals a fresh
 * build. SITE must be a new or empty directory or a site written before (marked by
 * SITE/.mi-harness-site): the command never deletes anything else, and SITE may not hold DIR
 * or a companion store.
 *
 * Companion stores (`--with DIR2`, as for `harness report`) add their records to the field table
 * only (./fieldReport.ts siteFieldTable): the Pages workflow builds results/ with
 * `--with results/field --with results/bmi`, so the site shows the field store's table.
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../src/errors.js';
import { aggregate } from '../src/stats/aggregate.js';
import { contextLabel } from '../src/stats/aggregate.js';
import { buildPlots, sortPlots } from '../src/report/plots.js';
import { renderSvg } from '../src/report/render.js';
import { cellsCsv, summaryCsv } from '../src/report/csv.js';
import { siteCell, siteClaims, siteData, siteField, type SiteData } from '../src/report/siteData.js';
import { reproduction } from '../src/stats/reproduction.js';
import { bmiSummary, isBmiRecord } from '../src/stats/bmi.js';
import { bmiCsv, bmiHeatmap } from '../src/report/bmi.js';
import { indexHtml, playgroundHtml } from '../src/report/siteHtml.js';
import type { StoreRecord } from '../src/stats/records.js';
import { loadStore } from './report.js';
import { FIELD_SUITE_NOTES, siteFieldTable } from './fieldReport.js';

export const SITE_MARKER = '.mi-harness-site';
const MARKER_TEXT = 'mi-harness static site: written by `harness site`; rebuilding replaces everything in this directory.\n';

export interface SiteOptions {
  warn?: (message: string) => void;
  resamples?: number;
  /** Also render every figure as SVG under plots/ (default true). */
  svg?: boolean;
  /** Companion stores whose records join the field table only (`--with`, repeatable). */
  with?: string[];
}

export interface SiteSummary {
  out: string;
  cells: number;
  contexts: number;
  plots: number;
  /** Every file written, relative to out, sorted. */
  files: string[];
  /** Bytes a first visit to index.html loads before any chart or drill-down is opened. */
  indexBytes: number;
  /** The same for playground.html (its worker and kernels included). */
  playgroundBytes: number;
  data: SiteData;
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/web and dist/kernels, beside dist/harness. */
const WEB_DIR = join(here, '..', 'web');
const KERNEL_DIR = join(here, '..', 'kernels');
const require = createRequire(import.meta.url);

/** Files copied into SITE/assets: [name in assets, absolute source]. */
function assetSources(): [string, string][] {
  return [
    ['site.js', join(WEB_DIR, 'site.js')],
    ['playground.js', join(WEB_DIR, 'playground.js')],
    ['playground-worker.js', join(WEB_DIR, 'playground-worker.js')],
    ['site.css', join(WEB_DIR, 'site.css')],
    ['kernels-relaxed.wasm', join(KERNEL_DIR, 'kernels-relaxed.wasm')],
    ['kernels-simd.wasm', join(KERNEL_DIR, 'kernels-simd.wasm')],
    ['boundmath.wasm', join(KERNEL_DIR, 'boundmath.wasm')],
    ['vega.min.js', require.resolve('vega/build/vega.min.js')],
    ['vega-lite.min.js', require.resolve('vega-lite/build/vega-lite.min.js')],
  ];
}

async function prepareOut(out: string, storeDirs: readonly string[]): Promise<void> {
  const abs = resolve(out);
  for (const storeDir of storeDirs) {
    const store = resolve(storeDir);
    if (abs === store || store.startsWith(abs + sep)) throw new UsageError(`--out ${out}: would hold the cell store ${storeDir}; choose a directory outside it`);
  }
  let entries: string[];
  try {
    const s = await stat(abs);
    if (!s.isDirectory()) throw new UsageError(`--out ${out}: exists and is not a directory`);
    entries = await readdir(abs);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--out ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    entries = [];
  }
  if (entries.length > 0 && !entries.includes(SITE_MARKER)) {
    throw new UsageError(`--out ${out}: not empty and not a site written by harness site (no ${SITE_MARKER}); refusing to write into it`);
  }
  await mkdir(abs, { recursive: true });
}

/** All files under dir, relative paths with '/' separators. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p); else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out;
}

export async function writeSite(dir: string, out: string, options: SiteOptions = {}): Promise<SiteSummary> {
  const warn = options.warn ?? ((m: string) => process.stderr.write(`harness: warning: ${m}\n`));
  const sources = assetSources();
  for (const [, src] of sources) {
    try { await stat(src); } catch { throw new UsageError(`site assets are not built (${relative(process.cwd(), src)} is missing): run npm run build`); }
  }
  const store = await loadStore(dir, warn);
  const companions: StoreRecord[] = [];
  for (const d of options.with ?? []) {
    try {
      companions.push(...(await loadStore(d, warn)).records);
    } catch (err) {
      throw err instanceof UsageError ? new UsageError(`--with: ${err.message}`) : err;
    }
  }
  await prepareOut(out, [dir, ...(options.with ?? [])]);
  // As `harness report`: BMI-protocol cells and KSG jobs have their own summary (and heatmap),
  // not the staircase tables; the claims table is the same function REPRODUCTION.md comes from.
  const bmi = store.records.some(isBmiRecord) ? bmiSummary(store.records) : null;
  const summary = aggregate(store.records.filter((r) => !isBmiRecord(r)), { resamples: options.resamples });
  const bmiPlot = bmi ? bmiHeatmap(bmi) : null;
  const plots = sortPlots([...buildPlots(summary), ...(bmiPlot ? [bmiPlot] : [])]);
  const hasClaims = summary.groups.length > 0 || summary.gan.groups.length > 0;
  const claims = hasClaims ? siteClaims(reproduction(summary, plots, { resamples: options.resamples })) : null;
  const fieldTable = siteFieldTable(store.records, companions, options.resamples);
  const field = fieldTable ? siteField(fieldTable.summary, { costSuite: fieldTable.costSuite, suiteNotes: FIELD_SUITE_NOTES }) : null;
  const data = siteData({ summary, plots, cellFiles: store.cellFiles, skipped: store.skipped, stale: store.stale, failures: store.failures, claims, field });

  const written = new Set<string>();
  const put = async (rel: string, content: string | Buffer) => {
    const p = join(out, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
    written.add(rel);
  };
  await put(SITE_MARKER, MARKER_TEXT);
  await put('index.html', indexHtml(data));
  await put('playground.html', playgroundHtml({ field: field !== null }));
  await put('summary.csv', summaryCsv(summary));
  await put('cells.csv', cellsCsv(summary));
  if (bmi) await put('bmi.csv', bmiCsv(bmi));
  if (fieldTable) await put('field.csv', fieldTable.csv);
  for (const p of plots) {
    const base = p.name.replace(/\.svg$/, '');
    await put(`plots/${base}.json`, JSON.stringify(p.spec) + '\n');
    if (options.svg !== false) await put(`plots/${base}.svg`, await renderSvg(p.spec));
  }
  for (const g of summary.groups) {
    const label = contextLabel(g.context);
    for (const c of g.cells) {
      const cell = siteCell(c, g.label, label);
      await put(`cells/${cell.id}.json`, JSON.stringify(cell) + '\n');
    }
  }
  for (const [name, src] of sources) await put(`assets/${name}`, await readFile(src));

  // A rebuild equals a fresh build: drop what an earlier build wrote and this one did not.
  for (const f of await listFiles(out)) if (!written.has(f)) await rm(join(out, f));
  await pruneEmptyDirs(out);

  const size = async (rel: string) => (await stat(join(out, rel))).size;
  const indexBytes = (await Promise.all(['index.html', 'assets/site.css', 'assets/site.js', 'assets/vega.min.js', 'assets/vega-lite.min.js'].map(size))).reduce((a, b) => a + b, 0);
  const playgroundBytes = (await Promise.all(['playground.html', 'assets/site.css', 'assets/playground.js', 'assets/playground-worker.js', 'assets/vega.min.js', 'assets/vega-lite.min.js', 'assets/kernels-relaxed.wasm'].map(size))).reduce((a, b) => a + b, 0);
  return {
    out, cells: data.source.cells, contexts: data.contexts.length, plots: plots.length,
    files: [...written].sort(), indexBytes, playgroundBytes, data,
  };
}

async function pruneEmptyDirs(root: string): Promise<void> {
  const visit = async (d: string): Promise<boolean> => {
    let empty = true;
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) { if (await visit(join(d, e.name))) await rm(join(d, e.name), { recursive: true }); else empty = false; }
      else empty = false;
    }
    return empty;
  };
  await visit(root);
}

/**
 * writeReport: the I/O around src/stats and src/report. Reads DIR/cells/*.json (estimator cells
 * and GAN runs), and writes DIR/LEADERBOARD.md, DIR/summary.csv, DIR/cells.csv, DIR/pairwise.csv
 * and DIR/plots/*.svg. A missing or unreadable DIR (or DIR/cells) is a UsageError (exit 2); a
 * corrupt cell file is skipped with a one-line warning naming it (the sweep re-runs such cells).
 * Byte-identical output for the same cells: files are read in sorted order, all statistics are
 * seeded, and nothing time-dependent is written. Stale SVGs in DIR/plots are removed.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../src/errors.js';
import { aggregate, type Summary } from '../src/stats/aggregate.js';
import { parseRecord, type StoreRecord } from '../src/stats/records.js';
import { buildPlots, sortPlots, type PlotSpec } from '../src/report/plots.js';
import { renderSvg } from '../src/report/render.js';
import { leaderboardMarkdown } from '../src/report/markdown.js';
import { cellsCsv, pairwiseCsv, summaryCsv } from '../src/report/csv.js';

export interface ReportOptions {
  /** Where one-line warnings go (default: stderr with a 'harness: warning:' prefix). */
  warn?: (message: string) => void;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Render SVG plots (default true). */
  plots?: boolean;
}

export interface ReportSummary {
  dir: string;
  cellFiles: number;
  cells: number;
  ganRuns: number;
  contexts: number;
  skipped: { file: string; reason: string }[];
  /** Paths written, relative to dir, sorted. */
  written: string[];
  plots: string[];
}

export interface LoadedStore {
  records: StoreRecord[];
  skipped: { file: string; reason: string }[];
  cellFiles: number;
}

const defaultWarn = (m: string) => process.stderr.write(`harness: warning: ${m}\n`);

/** Read every *.json in DIR/cells; corrupt files are skipped with a warning. */
export async function loadStore(dir: string, warn: (m: string) => void = defaultWarn): Promise<LoadedStore> {
  await assertDir(dir, 'results directory');
  const cellsDir = join(dir, 'cells');
  await assertDir(cellsDir, 'cell directory');
  const names = (await readdir(cellsDir)).filter((f) => f.endsWith('.json')).sort();
  const records: StoreRecord[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const name of names) {
    const path = join(cellsDir, name);
    try {
      const text = await readFile(path, 'utf8');
      records.push(parseRecord(JSON.parse(text), name));
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      skipped.push({ file: name, reason });
      warn(`skipping unreadable cell file ${path}: ${reason}`);
    }
  }
  return { records, skipped, cellFiles: names.length };
}

async function assertDir(path: string, what: string): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such directory' : code ?? String(err)}`);
  }
  if (!s.isDirectory()) throw new UsageError(`${what} '${path}' is not a directory`);
}

export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportSummary> {
  const warn = options.warn ?? defaultWarn;
  const store = await loadStore(dir, warn);
  const summary = aggregate(store.records, { resamples: options.resamples });
  const plots = options.plots === false ? [] : sortPlots(buildPlots(summary));
  const written: string[] = [];
  const put = async (rel: string, text: string) => { await writeFile(join(dir, rel), text); written.push(rel); };

  if (plots.length) {
    const plotDir = join(dir, 'plots');
    await mkdir(plotDir, { recursive: true });
    const keep = new Set(plots.map((p) => p.name));
    for (const f of await readdir(plotDir)) if (f.endsWith('.svg') && !keep.has(f)) await rm(join(plotDir, f));
    for (const p of plots) await put(join('plots', p.name), await renderSvg(p.spec));
  }
  await put('summary.csv', summaryCsv(summary));
  await put('cells.csv', cellsCsv(summary));
  await put('pairwise.csv', pairwiseCsv(summary));
  await put('LEADERBOARD.md', leaderboardMarkdown({ summary, plots, skipped: store.skipped, cellFiles: store.cellFiles }));
  return {
    dir, cellFiles: store.cellFiles,
    cells: summary.groups.reduce((a, g) => a + g.cells.length, 0),
    ganRuns: summary.gan.groups.reduce((a, g) => a + g.records.length, 0),
    contexts: summary.contexts.length, skipped: store.skipped,
    written: written.sort(), plots: plots.map((p) => p.name),
  };
}

export type { Summary, PlotSpec };

/**
 * writeReport: the I/O around src/stats and src/report. Reads DIR/cells/*.json{,.br} and its
 * packs (estimator cells and GAN runs), and writes DIR/LEADERBOARD.md, DIR/summary.csv,
 * DIR/cells.csv, DIR/pairwise.csv,
 * DIR/REPRODUCTION.md (the paper's claims, src/stats/reproduction.ts) and DIR/plots/*.svg. A missing or unreadable DIR (or DIR/cells) is a UsageError (exit 2); a
 * corrupt cell file is skipped with a one-line warning naming it (the sweep re-runs such cells).
 * Byte-identical output for the same cells: files are read in sorted order, all statistics are
 * seeded, and nothing time-dependent is written. Stale SVGs in DIR/plots are removed.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../src/errors.js';
import { atomicWrite } from './atomic-write.js';
import { aggregate, type Summary } from '../src/stats/aggregate.js';
import { parseRecord, type StoreRecord } from '../src/stats/records.js';
import { buildPlots, sortPlots, type PlotSpec } from '../src/report/plots.js';
import { renderSvg } from '../src/report/render.js';
import { leaderboardMarkdown } from '../src/report/markdown.js';
import { reproduction } from '../src/stats/reproduction.js';
import { reproductionMarkdown } from '../src/report/reproduction.js';
import { cellsCsv, pairwiseCsv, summaryCsv } from '../src/report/csv.js';
import { CELL_FORMAT, readPacks, verifyCellData } from './sweep/store.js';
import { COMPACT_CELL_FORMAT, COMPACT_EXT, decodeCellFile, logicalName } from './sweep/compact.js';
import { estimatorLabel } from '../src/labels.js';
import { bmiSummary, isBmiRecord } from '../src/stats/bmi.js';
import { bmiCsv, bmiHeatmap, bmiLeaderboard, bmiSection } from '../src/report/bmi.js';
import { fieldReport } from './fieldReport.js';

export interface ReportOptions {
  /** Where one-line warnings go (default: stderr with a 'harness: warning:' prefix). */
  warn?: (message: string) => void;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Render SVG plots (default true). */
  plots?: boolean;
  /**
   * Companion stores whose records join the field table only (`--with`, e.g. results/bmi for
   * BMI's suite); the rest of the report is this store's own. ./fieldReport.ts.
   */
  with?: string[];
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
  /** BMI-protocol results (finite-sample cells and KSG jobs) and the tasks they cover. */
  bmi: { results: number; tasks: number };
  plots: string[];
}

export interface LoadedStore {
  records: StoreRecord[];
  skipped: { file: string; reason: string }[];
  cellFiles: number;
  /** Sweep cells written by another code/package version: ignored, as the sweep does. */
  stale: number;
  /** Jobs the sweep recorded as failed after their retries (DIR/failures/*.json), one line each. */
  failures: string[];
}

const defaultWarn = (m: string) => process.stderr.write(`harness: warning: ${m}\n`);

/**
 * Read every cell in DIR/cells: `*.json`, compact `*.json.br` (harness/sweep/compact.ts) and the
 * packs `pack-*.jsonl.br` (harness/sweep/pack.ts; a loose file of a packed cell is read first). Files
 * the sweep wrote (format 'mi-harness/cell@1' or '@2') are checked exactly as the sweep checks
 * them (schema, hash of the spec = file name; another code version = stale, left out); plain
 * CellResult/GanResult files (e.g. written by hand or by `harness run`) are read as they are.
 * A cell held both compact and plain (a conversion under way) is read once, compact first.
 * Every cell is known by its plain name (`<hash>.json`), whatever its encoding, so the report
 * reads the same either way. Corrupt files are skipped with a one-line warning naming them.
 */
export async function loadStore(dir: string, warn: (m: string) => void = defaultWarn): Promise<LoadedStore> {
  await assertDir(dir, 'results directory');
  const cellsDir = join(dir, 'cells');
  await assertDir(cellsDir, 'cell directory');
  const files = new Map<string, string[]>();
  for (const f of (await readdir(cellsDir)).sort()) {
    if (!f.endsWith('.json') && !f.endsWith(COMPACT_EXT)) continue;
    const name = logicalName(f);
    files.set(name, [...(files.get(name) ?? []), f]);
  }
  // Packed cells (`harness pack`) are known by the same names; a loose file of the same cell is read first.
  const packs = readPacks(cellsDir);
  for (const p of packs.problems) warn(`skipping unreadable part of cell pack ${join(cellsDir, p.pack)}: ${p.reason}`);
  const packedName = (hash: string) => `${hash}.json`;
  for (const hash of packs.cells.keys()) if (!files.has(packedName(hash))) files.set(packedName(hash), []);
  const names = [...files.keys()].sort();
  const records: StoreRecord[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let stale = 0;
  for (const name of names) {
    // Compact first (`x.json.br` sorts after `x.json`); the plain file only when that one fails; the pack last.
    const candidates: { path: string; read: () => Promise<unknown> }[] = files.get(name)!
      .sort((a, b) => (a.length === b.length ? 0 : a.length > b.length ? -1 : 1))
      .map((file) => ({
        path: join(cellsDir, file),
        read: async () => {
          const text = decodeCellFile(await readFile(join(cellsDir, file)), file);
          try { return JSON.parse(text) as unknown; } catch { throw new Error(text.length === 0 ? 'empty file' : 'not valid JSON (truncated?)'); }
        },
      }));
    const packed = packs.cells.get(name.slice(0, -'.json'.length));
    if (packed) candidates.push({ path: join(cellsDir, packed.pack), read: async () => packed.data });
    let failure: { path: string; reason: string } | null = null;
    for (const { path, read } of candidates) {
      try {
        const raw = await read();
        const format = (raw as { format?: unknown })?.format;
        if (format === CELL_FORMAT || format === COMPACT_CELL_FORMAT) {
          const check = verifyCellData(raw, name.slice(0, -'.json'.length));
          if (check.state === 'stale') { stale++; failure = null; break; }
          if (check.state === 'corrupt') throw new Error(check.reason);
        }
        records.push(parseRecord(raw, name));
        failure = null;
        break;
      } catch (err) {
        const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
        failure ??= { path, reason };
      }
    }
    if (failure) {
      skipped.push({ file: name, reason: failure.reason });
      warn(`skipping unreadable cell ${failure.path.endsWith('.jsonl.br') ? `${name} in ` : 'file '}${failure.path}: ${failure.reason}`);
    }
  }
  if (stale > 0) warn(`${stale} cell file(s) in ${cellsDir} come from another code version and are left out`);
  return { records, skipped, cellFiles: names.length, stale, failures: await readFailures(join(dir, 'failures')) };
}

/** One line per failed job: its estimator/context/seed (or GAN variant/seed) and last error. */
async function readFailures(failDir: string): Promise<string[]> {
  let names: string[];
  try { names = (await readdir(failDir)).filter((f) => f.endsWith('.json')).sort(); } catch { return []; }
  const out: string[] = [];
  for (const name of names) {
    try {
      const f = JSON.parse(await readFile(join(failDir, name), 'utf8')) as { spec?: Record<string, unknown>; attempts?: { error?: string }[] };
      const sp = f.spec ?? {};
      const what = sp.kind === 'gan'
        ? `gan ${String(sp.variant)} seed ${String(sp.seed)}`
        : `${estimatorLabel(sp as never)} · ${String(sp.critic)} · ${String(sp.task)} · ρ=${String(sp.batchRho ?? 0)} · n=${String(sp.batchSize)} · seed ${String(sp.seed)}`;
      const last = f.attempts?.[f.attempts.length - 1]?.error?.split('\n')[0] ?? 'unknown error';
      out.push(`${what}: ${last}`);
    } catch {
      out.push(`${name}: unreadable failure record`);
    }
  }
  return out;
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
  // BMI-protocol cells and KSG jobs get their own section (src/report/bmi.ts), not the staircase tables.
  const bmi = store.records.some(isBmiRecord) ? bmiSummary(store.records) : null;
  const summary = aggregate(store.records.filter((r) => !isBmiRecord(r)), { resamples: options.resamples });
  const bmiPlot = bmi && options.plots !== false ? bmiHeatmap(bmi) : null;
  const plots = options.plots === false ? [] : sortPlots([...buildPlots(summary), ...(bmiPlot ? [bmiPlot] : [])]);
  const written: string[] = [];
  // Every report file goes through atomicWrite: shards sharing one store write it concurrently.
  const put = async (rel: string, text: string) => { await atomicWrite(join(dir, rel), text); written.push(rel); };

  if (plots.length) {
    const plotDir = join(dir, 'plots');
    await mkdir(plotDir, { recursive: true });
    const keep = new Set(plots.map((p) => p.name));
    for (const f of await readdir(plotDir)) if (f.endsWith('.svg') && !keep.has(f)) await rm(join(plotDir, f), { force: true });
    for (const p of plots) await put(join('plots', p.name), await renderSvg(p.spec));
  }
  await put('summary.csv', summaryCsv(summary));
  await put('cells.csv', cellsCsv(summary));
  await put('pairwise.csv', pairwiseCsv(summary));
  if (bmi) await put('bmi.csv', bmiCsv(bmi));
  const companions: StoreRecord[] = [];
  for (const d of options.with ?? []) companions.push(...(await loadStore(d, warn)).records);
  const field = fieldReport(store.records, companions, options.resamples);
  if (field) await put('field.csv', field.csv);
  const onlyBmi = bmi !== null && summary.groups.length === 0 && summary.gan.groups.length === 0;
  await put('LEADERBOARD.md', onlyBmi
    ? bmiLeaderboard(bmi, plots, { cellFiles: store.cellFiles, skipped: store.skipped.length, stale: store.stale, failures: store.failures })
    : leaderboardMarkdown({ summary, plots, skipped: store.skipped, cellFiles: store.cellFiles, stale: store.stale, failures: store.failures })
      + (field ? `\n${field.markdown}` : '') + (bmi ? `\n${bmiSection(bmi, plots)}` : '') + await otherStores(dir));
  if (!onlyBmi) {
    const cells = summary.groups.reduce((a, g) => a + g.cells.length, 0);
    const ganRuns = summary.gan.groups.reduce((a, g) => a + g.records.length, 0);
    await put('REPRODUCTION.md', reproductionMarkdown(reproduction(summary, plots, { resamples: options.resamples }), { cells, ganRuns }));
  }
  return {
    dir, cellFiles: store.cellFiles,
    cells: summary.groups.reduce((a, g) => a + g.cells.length, 0),
    ganRuns: summary.gan.groups.reduce((a, g) => a + g.records.length, 0),
    contexts: summary.contexts.length, skipped: store.skipped,
    written: written.sort(), plots: plots.map((p) => p.name),
    bmi: { results: bmi ? bmi.points.length : 0, tasks: bmi ? bmi.rows.length : 0 },
  };
}

/**
 * Links to the cell stores kept inside DIR (e.g. results/bmi/, results/quick/): every
 * subdirectory with a cells/ folder and a LEADERBOARD.md, by name, with that page's title, so
 * the headline leaderboard leads to the others. Empty when there are none.
 */
async function otherStores(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && !['cells', 'plots', 'failures'].includes(d.name)).map((d) => d.name).sort();
  } catch { return ''; }
  const lines: string[] = [];
  for (const name of names) {
    try {
      await stat(join(dir, name, 'cells'));
      const title = (await readFile(join(dir, name, 'LEADERBOARD.md'), 'utf8')).split('\n')[0].replace(/^#+\s*/, '');
      lines.push(`- [${name}/](${name}/LEADERBOARD.md): ${title}`);
    } catch { /* not a published store */ }
  }
  return lines.length ? `\n## Other result stores\n\nStores kept beside this one, each with its own leaderboard:\n\n${lines.join('\n')}\n` : '';
}

export type { Summary, PlotSpec };

/**
 * The end of a sweep (and of a merge): write <out>/summary.txt, then the full report when the
 * report module (harness/report.ts, `writeReport(dir)`) is present. This is the one switch
 * between the plain summary and the statistics report.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { atomicWrite } from '../atomic-write.js';
import { CellStore, type FailureFile } from './store.js';
import { renderSummary } from './summary.js';
import type { ReportOptions } from '../report.js';

/** What the end-of-sweep report takes from the sweep: companion stores, and whether to draw figures. */
type StoreReportOptions = Pick<ReportOptions, 'with' | 'plots'>;

export interface Finished {
  summary: string;
  summaryFile: string;
  /** Whether the full report was written too. */
  report: boolean;
  /** Cells not taken into the summary, one line each (corrupt) plus a count of stale ones. */
  warnings: string[];
}

/**
 * Shards sharing one store finish at about the same time, each rebuilding the summary and the
 * report. Every file is written atomically, so none is ever torn; and a writer that sees the
 * store change while it was writing (another shard's last cells landed) writes again, so the
 * files left behind describe every cell the store holds, whichever writer renamed last. Bounded:
 * while other shards are still running, they rebuild the report themselves when they finish.
 */
const MAX_ROUNDS = 3;

export async function finishStore(dir: string, reportOptions?: StoreReportOptions): Promise<Finished> {
  for (let round = 1; ; round++) {
    const before = storeStamp(dir);
    const finished = await finishOnce(dir, reportOptions);
    if (round >= MAX_ROUNDS || storeStamp(dir) === before) return finished;
  }
}

/** Names and modification times of every cell and failure file: changes when any lands. */
function storeStamp(dir: string): string {
  const parts: string[] = [];
  for (const sub of ['cells', 'failures']) {
    let names: string[] = [];
    try { names = readdirSync(join(dir, sub)).filter((n) => n.endsWith('.json') || n.endsWith('.json.br')).sort(); } catch { /* none yet */ }
    for (const n of names) {
      try { parts.push(`${sub}/${n}@${statSync(join(dir, sub, n)).mtimeMs}`); } catch { parts.push(`${sub}/${n}@gone`); }
    }
  }
  return parts.join('\n');
}

async function finishOnce(dir: string, reportOptions?: StoreReportOptions): Promise<Finished> {
  const store = new CellStore(dir);
  const { cells, corrupt, stale } = store.readAll();
  const failures = store.failureHashes().map((h) => store.readFailure(h)).filter((f): f is FailureFile => f !== null);
  const summary = renderSummary(cells, failures);
  const summaryFile = join(dir, 'summary.txt');
  await atomicWrite(summaryFile, summary);
  const warnings = corrupt.map((c) => `cell ${c.hash}: corrupt (${c.reason}); left out`);
  if (stale > 0) warnings.push(`${stale} cell(s) from another code version left out of the summary (see docs/sweep.md)`);
  let report = false;
  try {
    report = await writeFullReport(dir, reportOptions);
  } catch (err) {
    // The cells are safe on disk; a report that cannot be built (e.g. no cell finished) is a
    // warning here, and `harness report DIR` can be re-run. Bugs still propagate.
    if (!(err instanceof UsageError)) throw err;
    warnings.push(`report not written: ${err.message}`);
  }
  return { summary, summaryFile, report, warnings };
}

async function writeFullReport(dir: string, reportOptions?: StoreReportOptions): Promise<boolean> {
  const path = '../report.js';
  let mod: { writeReport?: (dir: string, options?: StoreReportOptions) => Promise<void> };
  try {
    mod = (await import(path)) as typeof mod;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Only the report module itself being absent means "not written yet"; a missing import
    // inside it is a real error.
    if (code === 'ERR_MODULE_NOT_FOUND' && /harness[\\/]report\.js/.test((err as Error).message.split('imported from')[0])) return false;
    throw err;
  }
  if (typeof mod.writeReport !== 'function') return false;
  await mod.writeReport(dir, reportOptions);
  return true;
}

/**
 * `harness compare OLD NEW`: flag (estimator, context, MI level) rows whose MSE moved beyond
 * their CIs (rules in src/stats/compare.ts). OLD and NEW are each a results directory (its
 * cells/ are aggregated afresh; without cells/, its summary.csv is read) or a summary.csv file.
 * Exit 4 when any row regressed, 0 otherwise; 2 for unreadable input.
 */
import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { aggregate } from '../../src/stats/aggregate.js';
import { compareRuns, mseRowsFromSummary, type CompareRow, type MseRow } from '../../src/stats/compare.js';
import { mseRowsFromCsv } from '../../src/report/csv.js';
import { fmt, fmtCi } from '../../src/report/format.js';
import { EXIT } from '../exit.js';

async function exists(p: string): Promise<'file' | 'dir' | null> {
  try { const s = await stat(p); return s.isDirectory() ? 'dir' : 'file'; } catch { return null; }
}

async function readCsv(path: string): Promise<MseRow[]> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (err) {
    throw new UsageError(`cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return mseRowsFromCsv(text, path);
}

export async function loadRows(path: string): Promise<MseRow[]> {
  const kind = await exists(path);
  if (kind === null) throw new UsageError(`cannot read '${path}': no such file or directory`);
  if (kind === 'file') return readCsv(path);
  if (await exists(join(path, 'cells')) === 'dir') {
    const { loadStore } = await import('../report.js');
    const store = await loadStore(path);
    return mseRowsFromSummary(aggregate(store.records));
  }
  if (await exists(join(path, 'summary.csv')) === 'file') return readCsv(join(path, 'summary.csv'));
  throw new UsageError(`'${path}' holds neither cells/ nor summary.csv`);
}

function table(rows: CompareRow[]): string {
  const header = ['status', 'estimator · context · level', 'OLD MSE [95% CI]', 'NEW MSE [95% CI]', 'ratio', 'why'];
  const iv = (r: MseRow | null) => (r ? fmtCi({ estimate: r.mean, low: r.low, high: r.high }) + (r.diverged ? ` (${r.diverged} div.)` : '') : '—');
  const body = rows.map((r) => [r.status.toUpperCase(), r.key, iv(r.old), iv(r.new),
    r.old && r.new ? fmt(r.new.mean / r.old.mean) : '—', r.reason]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('Flag estimator/level MSE changes beyond their 95% CIs between two runs; exit 4 on a regression')
    .argument('<old>', 'baseline: results directory (cells/ or summary.csv) or a summary.csv file')
    .argument('<new>', 'candidate: results directory (cells/ or summary.csv) or a summary.csv file')
    .option('--all', 'print unchanged rows too')
    .action(async (oldPath: string, newPath: string, opts: { all?: boolean }) => {
      const rows = compareRuns(await loadRows(oldPath), await loadRows(newPath));
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      const shown = opts.all ? rows : rows.filter((r) => r.status !== 'unchanged');
      const order = ['regression', 'improvement', 'shift', 'only-old', 'only-new', 'unchanged'];
      // Stable sort: within a status, rows keep compareRuns' order (estimator, context, MI).
      shown.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
      const common = rows.length - count('only-old') - count('only-new');
      if (shown.length) process.stdout.write(table(shown));
      process.stdout.write(`compare: ${common} common row(s): ${count('regression')} regression(s), ${count('improvement')} improvement(s), ${count('shift')} shift(s) within overlapping CIs, ${count('unchanged')} unchanged; ${count('only-old')} only in OLD, ${count('only-new')} only in NEW\n`);
      if (common === 0) process.stdout.write('compare: warning: no estimator/level row is present in both runs\n');
      if (count('regression') > 0) process.exitCode = EXIT.regression;
    });
}

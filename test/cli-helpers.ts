/**
 * Helpers shared by the end-to-end suites that drive the built CLI as child processes (the
 * concurrent-writers, nightly, Kubernetes and Slurm tests): run a command and collect its output,
 * parse `--json` events, list a store's files, find write-file-atomic temp files, compare reports.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATOMIC_TEMP_RE } from '../harness/atomic-write.js';
import { decodeCellFile } from '../harness/sweep/compact.js';

export const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
/** The repository root (dist/test/ → ../../). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
export type Ev = { type: string; hash?: string; shard?: string | null; [k: string]: unknown };

/** Shard variables a developer's shell (or a Slurm job running the tests) may carry. */
const SCRUB = ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'JOB_COMPLETION_INDEX', 'MI_HARNESS_SHARD_COUNT', 'MI_HARNESS_FAULT'];

/** Run a program (default: node) to completion, scrubbing shard variables unless given. */
export function runProcess(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const k of SCRUB) delete env[k];
    Object.assign(env, opts.env);
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `harness ARGS…` from the build. */
export const cli = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> =>
  runProcess(process.execPath, [CLI, ...args], opts);

export const events = (text: string): Ev[] =>
  text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Ev);

/** What went wrong in a run, for assertion messages. */
export const why = (r: Run): string => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n${r.stderr}\n${r.stdout.slice(-4000)}`;

/** Every file under dir, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p); else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Files under dir that look like a temp file of an interrupted atomic write. */
export const tempFiles = (dir: string): string[] => listFiles(dir).filter((f) => ATOMIC_TEMP_RE.test(f));

/** A store's cell files (compact `<hash>.json.br` or plain `<hash>.json`), sorted. */
export const cellNames = (dir: string): string[] =>
  readdirSync(join(dir, 'cells')).filter((n) => /^[0-9a-f]{64}\.json(\.br)?$/.test(n)).sort();

/** A cell file's JSON, decoded as the store reads it (brotli for `.json.br`). */
export const readCellFile = (path: string): Record<string, unknown> & { spec: Record<string, unknown> } =>
  JSON.parse(decodeCellFile(readFileSync(path), path)) as Record<string, unknown> & { spec: Record<string, unknown> };

/** The report and summary files of a store (everything but cells/ and failures/), relative path → text. */
export function reportFiles(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of listFiles(dir)) {
    if (/^(cells|failures)\//.test(f)) continue;
    m.set(f, readFileSync(join(dir, f), 'utf8'));
  }
  return m;
}

/**
 * A report with its one measured quantity blanked: the median ms per training step (the
 * `ms/step` column of LEADERBOARD.md's tables, `ms_per_step` in cells.csv) is a wall-clock
 * timing, different in every run. Everything else in a report is a function of the cells' results
 * and must match byte for byte between, e.g., merged shards and an unsharded run of the grid.
 */
export function comparableReport(dir: string): Map<string, string> {
  const m = reportFiles(dir);
  for (const [name, text] of m) {
    if (name === 'LEADERBOARD.md') m.set(name, blankMarkdownColumn(text, 'ms/step'));
    if (name === 'cells.csv') m.set(name, blankCsvColumn(text, 'ms_per_step'));
  }
  return m;
}

function blankMarkdownColumn(md: string, column: string): string {
  const lines = md.split('\n');
  let col = -1;
  return lines.map((line, i) => {
    if (!line.startsWith('|')) { col = -1; return line; }
    const cells = line.split('|').map((c) => c.trim());
    if (/^\|\s*:?-/.test(lines[i + 1] ?? '')) col = cells.indexOf(column); // a header row
    else if (col >= 0 && !/^:?-+:?$/.test(cells[col] ?? '')) cells[col] = '·';
    return cells.join(' | ');
  }).join('\n');
}

function blankCsvColumn(csv: string, column: string): string {
  const lines = csv.split('\n');
  // Split on commas outside double quotes.
  const split = (l: string) => l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((f) => f.replace(/,$/, '')) ?? [l];
  const col = split(lines[0]).indexOf(column);
  if (col < 0) return csv;
  return lines.map((l, i) => {
    if (i === 0 || l === '') return l;
    const f = split(l);
    f[col] = '·';
    return f.join(',');
  }).join('\n');
}

/** The hashes an unsharded sweep of these arguments would run (`--dry-run --json`). */
export async function plannedHashes(gridArgs: string[]): Promise<string[]> {
  const r = await cli([...gridArgs, '--dry-run', '--json', '--shard', 'off']);
  if (r.code !== 0) throw new Error(`dry run failed: ${why(r)}`);
  return events(r.stdout).filter((e) => e.type === 'job').map((e) => String(e.hash)).sort();
}

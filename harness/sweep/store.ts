/**
 * The cell store: `<out>/cells/<hash>.json.br`, one finished job each, written atomically (temp
 * file + rename, via write-file-atomic), so a killed sweep leaves whole files or none. A cell is
 * written compact (./compact.ts: brotli, the trajectory at drawing precision, the statistics'
 * readings of it kept exact); plain `<hash>.json` cells (stores written before, other people's
 * shards) are read as they are, so nothing re-runs and a store may hold both (`harness compact`
 * converts one in place). Failures live apart in `<out>/failures/<hash>.json` and are never
 * taken for results.
 *
 * A finished store may also be packed (`harness pack`, ./pack.ts): its cells moved into
 * `cells/pack-<id>.jsonl.br`, one brotli stream of compact cells, a line each, which compresses
 * the structure cells share (packed, the published stores' cells take 40–70 % of their loose
 * bytes). The store reads loose files first, then packs; a sweep adds loose files beside a pack,
 * never rewrites it.
 *
 * A cell file is trusted only when it decodes, parses, matches the schema, and its spec hashes to
 * both its `hash` field and its file name (a packed cell: its `hash` field); anything else is
 * "corrupt": reported and re-run.
 * Cells written by another numerics version (CODE_VERSION) are "stale": kept on disk, ignored.
 * The package version a cell records is provenance, not part of its address.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { CellResult, GanResult, KsgResult } from '../../src/types.js';
import type { Job } from './grid.js';
import { CODE_VERSION, HASH_RE, jobHash, legacyJobHash } from './hash.js';
import { COMPACT_CELL_FORMAT, COMPACT_EXT, PLAIN_EXT, compactCell, decodeCellFile, encodeCompact } from './compact.js';

export const CELL_FORMAT = 'mi-harness/cell@1';
export const FAILURE_FORMAT = 'mi-harness/failure@1';

export interface Provenance {
  /** Engine and backend actually used (never 'auto'). */
  engine: string;
  backend: string;
  /** Which pool lane ran it: the GPU-owning worker or a CPU worker. */
  lane: 'gpu' | 'cpu';
  versions: { node: string; miHarness: string; tfjs: string | null };
  cpu: string;
  platform: string;
  gitCommit: string | null;
  wallMs: number;
  /**
   * CPU time of the cell, ms: user + system time of the worker thread that ran it (Linux:
   * /proc/thread-self/stat; elsewhere process.threadCpuUsage where Node has it), so concurrent
   * workers do not count each other. null where it cannot be measured per cell: no per-thread
   * clock, or the native tfjs backend (its thread pool is TensorFlow's own). Absent in cells
   * written before it was recorded. docs/sweep.md.
   */
  cpuMs?: number | null;
  startedAt: string;
  finishedAt: string;
  attempt: number;
  /** WebGPU lane only: the adapter, whether it was a software one, and the batch (K) it trained in. */
  gpu?: { adapter: string; fallback: boolean; batch: number; batchWallMs: number };
}

/**
 * A cell file is the worker's CellResult (or GanResult) itself, flat, with `spec` set to the
 * hashed job, plus the store's own fields. Readers that know only CellResult can read it.
 */
export type CellFile = (Omit<CellResult, 'spec'> | Omit<GanResult, 'spec'> | Omit<KsgResult, 'spec'>) & {
  /** What the pool builds is plain (cell@1); what the store writes, and reads back, is compact (cell@2). */
  format: typeof CELL_FORMAT | typeof COMPACT_CELL_FORMAT;
  hash: string;
  codeVersion: number;
  packageVersion: string;
  spec: Job;
  provenance: Provenance;
};

export interface FailureFile {
  format: typeof FAILURE_FORMAT;
  hash: string;
  codeVersion: number;
  packageVersion: string;
  spec: Job;
  attempts: { attempt: number; error: string; at: string }[];
}

const num = z.number().nullable(); // JSON turns NaN/±Inf into null: a divergence, not corruption
const Common = {
  format: z.union([z.literal(CELL_FORMAT), z.literal(COMPACT_CELL_FORMAT)]),
  hash: z.string().regex(HASH_RE),
  codeVersion: z.number().int(),
  packageVersion: z.string(),
  engine: z.string(),
  backend: z.string(),
  provenance: z.object({ engine: z.string(), backend: z.string(), wallMs: z.number() }).loose(),
};
const CellSchema = z.union([
  z.object({
    ...Common,
    spec: z.object({ estimator: z.string(), critic: z.string(), task: z.string(), seed: z.number(), mi: z.array(z.number()) }).loose(),
    levels: z.array(z.object({ trueMi: z.number(), mse: num, bias: num, variance: num, mean: num }).loose()).min(1),
  }).loose(),
  z.object({
    ...Common,
    spec: z.object({ kind: z.literal('gan'), variant: z.string(), seed: z.number() }).loose(),
    modes: z.number(),
    highQuality: num,
  }).loose(),
  z.object({
    ...Common,
    spec: z.object({ kind: z.literal('ksg'), task: z.string(), seed: z.number(), size: z.number(), k: z.number() }).loose(),
    estimate: num,
    trueMi: z.number(),
  }).loose(),
]);

export type CheckResult =
  | { state: 'ok'; cell: CellFile }
  | { state: 'missing' }
  | { state: 'corrupt'; reason: string; /** The file found corrupt (CellStore.check). */ file?: string }
  | { state: 'stale'; cell: CellFile };

/** A pack's file name: `pack-` and the first 16 hex digits of the SHA-256 of its text. */
export const PACK_RE = /^pack-[0-9a-f]{16}\.jsonl\.br$/;

/** The cells of a store's packs, by hash (the first pack, in name order, that holds one wins). */
export interface PackIndex {
  cells: Map<string, { data: unknown; pack: string }>;
  /** Packs (or lines of one) that could not be read: each loses its cells, which then read as missing. */
  problems: { pack: string; reason: string }[];
}

/** Read every pack in a cells directory. Lines are parsed, not verified: check() verifies each cell it reads. */
export function readPacks(cellsDir: string): PackIndex {
  let names: string[];
  try { names = readdirSync(cellsDir).filter((n) => PACK_RE.test(n)).sort(); } catch { names = []; }
  return readPackFiles(cellsDir, names);
}

/** Read the named packs of a cells directory, in the order given. */
export function readPackFiles(cellsDir: string, names: readonly string[]): PackIndex {
  const index: PackIndex = { cells: new Map(), problems: [] };
  for (const pack of names) {
    let text: string;
    try { text = brotliDecompressSync(readFileSync(join(cellsDir, pack))).toString('utf8'); } catch (err) {
      index.problems.push({ pack, reason: unreadableReason(err) });
      continue;
    }
    const lines = text.split('\n');
    if (lines.pop() !== '') { index.problems.push({ pack, reason: 'its text does not end in a newline (truncated?)' }); continue; }
    lines.forEach((line, i) => {
      let data: unknown;
      try { data = JSON.parse(line); } catch { index.problems.push({ pack, reason: `line ${i + 1}: not valid JSON` }); return; }
      const hash = (data as { hash?: unknown } | null)?.hash;
      if (typeof hash !== 'string' || !HASH_RE.test(hash)) { index.problems.push({ pack, reason: `line ${i + 1}: no hash field` }); return; }
      if (!index.cells.has(hash)) index.cells.set(hash, { data, pack });
    });
  }
  return index;
}

export class CellStore {
  readonly cellsDir: string;
  readonly failuresDir: string;
  /** Read once, on first use: packs are written only by `harness pack`, never during a sweep. */
  private packs: PackIndex | null = null;

  constructor(readonly dir: string) {
    this.cellsDir = join(dir, 'cells');
    this.failuresDir = join(dir, 'failures');
  }

  ensure(): void {
    mkdirSync(this.cellsDir, { recursive: true });
    mkdirSync(this.failuresDir, { recursive: true });
  }

  /** Where the store writes a cell: its compact file. */
  cellPath(hash: string): string { return join(this.cellsDir, `${hash}${COMPACT_EXT}`); }
  /** A plain cell's file (written before the compact store, or by another person's older shard). */
  plainCellPath(hash: string): string { return join(this.cellsDir, `${hash}${PLAIN_EXT}`); }
  failurePath(hash: string): string { return join(this.failuresDir, `${hash}.json`); }

  /** The store's packs (`harness pack`), read on first use. */
  packIndex(): PackIndex { return (this.packs ??= readPacks(this.cellsDir)); }

  /**
   * Whether a cell is stored and trustworthy: its compact file first, then the plain one (a store
   * may hold both for a while: `harness compact` interrupted, a merge), then the packs. Never
   * throws for bad content.
   */
  check(hash: string): CheckResult {
    const loose = this.checkLoose(hash);
    if (loose.state === 'ok' || loose.state === 'stale') return loose;
    const packed = this.packIndex().cells.get(hash);
    if (packed) {
      const r = verifyCellData(packed.data, hash);
      if (r.state === 'ok' || r.state === 'stale') return r;
      if (loose.state === 'missing' && r.state === 'corrupt') return { ...r, file: packed.pack };
    }
    return loose;
  }

  /** check() on the cell's own files only (compact, then plain), not the packs: what `harness pack` folds. */
  checkLoose(hash: string): CheckResult {
    let first: CheckResult = { state: 'missing' };
    for (const path of [this.cellPath(hash), this.plainCellPath(hash)]) {
      const r = checkCellFile(path, hash);
      if (r.state === 'ok' || r.state === 'stale') return r;
      if (first.state === 'missing') first = r.state === 'corrupt' ? { ...r, file: basename(path) } : r;
    }
    return first;
  }

  /** Write a cell, compact, atomically; a plain file of the same cell, if any, is then removed. */
  async writeCell(cell: CellFile): Promise<void> {
    await writeFileAtomic(this.cellPath(cell.hash), encodeCompact(compactCell(cell).cell));
    rmSync(this.plainCellPath(cell.hash), { force: true });
  }

  async writeFailure(f: FailureFile): Promise<void> {
    await writeFileAtomic(this.failurePath(f.hash), JSON.stringify(f, null, 1) + '\n');
  }

  clearFailure(hash: string): void {
    rmSync(this.failurePath(hash), { force: true });
  }

  /** Hashes with a cell file (compact or plain) or a packed cell, once each, sorted (use check() to trust one). */
  cellHashes(): string[] {
    const packed = [...this.packIndex().cells.keys()];
    if (packed.length === 0) return this.looseCellHashes();
    return [...new Set([...this.looseCellHashes(), ...packed])].sort();
  }
  /** Hashes with a cell file of their own (compact or plain), not in a pack. */
  looseCellHashes(): string[] { return listHashes(this.cellsDir, [COMPACT_EXT, PLAIN_EXT]); }
  failureHashes(): string[] { return listHashes(this.failuresDir, ['.json']); }

  readFailure(hash: string): FailureFile | null {
    try {
      const f = JSON.parse(readFileSync(this.failurePath(hash), 'utf8')) as FailureFile;
      return f && f.format === FAILURE_FORMAT && f.hash === hash ? f : null;
    } catch { return null; }
  }

  /**
   * Every trustworthy cell of the current code version, sorted by hash, plus what was skipped.
   * The report and the summary read the store through this.
   */
  readAll(): { cells: CellFile[]; corrupt: { hash: string; reason: string }[]; stale: number } {
    const cells: CellFile[] = [], corrupt: { hash: string; reason: string }[] = [];
    let stale = 0;
    for (const hash of this.cellHashes()) {
      const r = this.check(hash);
      if (r.state === 'ok') cells.push(r.cell);
      else if (r.state === 'stale') stale++;
      else if (r.state === 'corrupt') corrupt.push({ hash, reason: r.reason });
    }
    return { cells, corrupt, stale };
  }

  /**
   * Remove write-file-atomic temp files left by a killed process (older than maxAgeMs): cell and
   * failure files, and the report's files (harness/atomic-write.ts) in the store and its plots/.
   */
  sweepTempFiles(maxAgeMs = 10 * 60_000): number {
    let removed = 0;
    const temps: [string, RegExp][] = [
      // write-file-atomic's temp names end in decimal digits; `.json.br` itself never does.
      [this.cellsDir, /^[0-9a-f]{64}\.json(\.br)?\.\d+$/],
      [this.cellsDir, /^pack-[0-9a-f]{16}\.jsonl\.br\.\d+$/],
      [this.failuresDir, /^[0-9a-f]{64}\.json\.\d+$/],
      [this.dir, /^[A-Za-z0-9_-]+\.(md|csv|txt)\.\d+$/],
      [join(this.dir, 'plots'), /^[^/]+\.svg\.\d+$/],
    ];
    for (const [dir, re] of temps) {
      let names: string[] = [];
      try { names = readdirSync(dir); } catch { continue; }
      for (const name of names) {
        if (!re.test(name)) continue;
        const p = join(dir, name);
        try {
          if (Date.now() - statSync(p).mtimeMs > maxAgeMs) { rmSync(p, { force: true }); removed++; }
        } catch { /* gone already */ }
      }
    }
    return removed;
  }
}

/** Read, decode and verify one cell file (compact or plain, by its name). */
export function checkCellFile(path: string, hash: string): CheckResult {
  let text: string;
  try { text = decodeCellFile(readFileSync(path), path); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'corrupt', reason: unreadableReason(err) };
  }
  return verifyCellText(text, hash);
}

/** Why a cell file or pack could not be read: a bad brotli stream, or the file-system error. */
function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && /^ERR_(BROTLI|ZLIB)|^Z_/.test(code)) return 'not a valid brotli stream (truncated?)';
  return `unreadable (${code ?? (err as Error).message})`;
}

/** Verify a cell file's text against the hash its name claims. */
export function verifyCellText(text: string, hash: string): CheckResult {
  let data: unknown;
  try { data = JSON.parse(text); } catch {
    return { state: 'corrupt', reason: text.length === 0 ? 'empty file' : 'not valid JSON (truncated?)' };
  }
  return verifyCellData(data, hash);
}

/** Verify a parsed cell against the hash its name claims. */
export function verifyCellData(data: unknown, hash: string): CheckResult {
  const r = CellSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    return { state: 'corrupt', reason: `schema: ${i.path.join('.') || '(root)'}: ${i.message}` };
  }
  const cell = data as CellFile;
  if (cell.hash !== hash) return { state: 'corrupt', reason: `its hash field ${cell.hash.slice(0, 12)}… does not match its name` };
  let actual: string;
  try { actual = jobHash(cell.spec, cell.codeVersion); } catch (err) {
    return { state: 'corrupt', reason: `spec cannot be hashed (${(err as Error).message})` };
  }
  if (actual !== hash) {
    return {
      state: 'corrupt',
      reason: legacyJobHash(cell.spec, cell.codeVersion, cell.packageVersion) === hash
        ? 'written under the v0.1.0 address scheme: run `harness readdress` on its store'
        : 'its spec does not hash to its name (edited?)',
    };
  }
  if (cell.codeVersion !== CODE_VERSION) return { state: 'stale', cell };
  return { state: 'ok', cell };
}

function listHashes(dir: string, exts: readonly string[]): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const hashes = new Set<string>();
  for (const n of names) {
    const base = hashOf(n, exts);
    if (base !== null) hashes.add(base);
  }
  return [...hashes].sort();
}

/** The hash a cell file's name carries (`<hash>.json` or `<hash>.json.br`), or null. */
export function cellFileHash(name: string): string | null {
  return hashOf(name, [COMPACT_EXT, PLAIN_EXT]);
}

function hashOf(name: string, exts: readonly string[]): string | null {
  const ext = exts.find((e) => name.endsWith(e));
  const base = ext === undefined ? null : name.slice(0, -ext.length);
  return base !== null && HASH_RE.test(base) ? base : null;
}

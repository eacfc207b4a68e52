/**
 * `harness pack DIR…`: move a store's cells into one pack, `cells/pack-<id>.jsonl.br` — the
 * compact cells (./compact.ts), one JSON text a line, sorted by hash, in one brotli stream. One
 * stream compresses what cells share (their keys, specs, provenance; a BMI cell is mostly that),
 * where a file per cell compresses each alone: the published stores' cells take 40–70 % of their
 * loose bytes packed. Same addresses, same cells: the store, the report, the site and a merge read
 * a packed cell exactly as its loose file (./store.ts), so nothing re-runs and every report is
 * byte-identical (test/store-pack.test.ts).
 *
 * Meant for a finished store, like `git gc`: a sweep writes loose files beside a pack, and the
 * next `harness pack` folds them and the old packs into one new pack. `<id>` is the SHA-256 of the
 * pack's text, so the same cells always give the same name, and two packs never collide. Crash
 * safety: the new pack is written atomically and read back before anything is removed; a run
 * killed in between leaves cells twice (loose and packed), never lost. Only cells of the current
 * numerics version are packed; stale or corrupt files stay loose and are reported.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../../src/errors.js';
import { writeErrorReason } from '../output.js';
import { compactCell } from './compact.js';
import { CellStore, PACK_RE, readPackFiles, verifyCellData } from './store.js';

export interface PackResult {
  /** The pack written (or found already holding exactly these cells); null when the store has no cell to pack. */
  pack: string | null;
  /** Cells in the pack. */
  cells: number;
  /** Of them, from loose files (now removed) and from earlier packs (now removed unless it is the same pack). */
  fromLoose: number;
  fromPacks: number;
  /** Files left where they are, one line each (stale, corrupt, not a cell). */
  leftAlone: string[];
  /** Bytes of the cell files and packs before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

const packName = (text: string) => `pack-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.jsonl.br`;

/** The bytes of a pack: its text at brotli's best, with a window that spans every cell. */
export function encodePack(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

export async function packStore(dir: string): Promise<PackResult> {
  const store = new CellStore(dir);
  try {
    if (!statSync(store.cellsDir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new UsageError(`pack: '${dir}' has no cells/ directory (not a cell store)`);
  }
  const index = store.packIndex();
  if (index.problems.length > 0) {
    const p = index.problems[0];
    throw new UsageError(`pack: ${dir}/cells/${p.pack}: ${p.reason}; restore it (e.g. \`git checkout -- ${dir}/cells\`) or move it away, then pack again`);
  }
  const size = (p: string) => { try { return lstatSync(p).size; } catch { return 0; } };
  const r: PackResult = { pack: null, cells: 0, fromLoose: 0, fromPacks: 0, leftAlone: [], bytesBefore: 0, bytesAfter: 0 };
  // Every pack file, even one that holds no cell, is folded and replaced.
  const oldPacks = readdirSync(store.cellsDir).filter((n) => PACK_RE.test(n)).sort();
  for (const p of oldPacks) r.bytesBefore += size(join(store.cellsDir, p));

  // Every current cell, as its compact JSON text; a loose file and a packed copy of one cell are the same cell.
  const lines = new Map<string, string>();
  const looseDone: string[] = [];
  for (const hash of store.looseCellHashes()) {
    const paths = [store.cellPath(hash), store.plainCellPath(hash)];
    for (const p of paths) r.bytesBefore += size(p);
    // As the store reads the cell's own files (CellStore.checkLoose), so what is packed is what it read.
    const c = store.checkLoose(hash);
    if (c.state !== 'ok') {
      r.leftAlone.push(`cells/${hash}: ${c.state === 'stale' ? 'another numerics version (stale)' : c.state === 'corrupt' ? `corrupt (${c.reason})` : 'unreadable'}`);
      for (const p of paths) r.bytesAfter += size(p);
      continue;
    }
    lines.set(hash, JSON.stringify(compactCell(c.cell).cell));
    looseDone.push(hash);
  }
  for (const [hash, packed] of index.cells) {
    if (lines.has(hash)) continue;
    const c = verifyCellData(packed.data, hash);
    if (c.state !== 'ok') {
      // Cannot be kept loose without writing it out: a packed cell of another version is dropped
      // only by an explicit choice, so refuse rather than lose it.
      throw new UsageError(`pack: ${dir}/cells/${packed.pack} holds cell ${hash.slice(0, 12)}… that is ${c.state === 'stale' ? 'of another numerics version' : `corrupt (${c.state === 'corrupt' ? c.reason : c.state})`}; not repacked`);
    }
    lines.set(hash, JSON.stringify(packed.data));
    r.fromPacks++;
  }
  r.fromLoose = looseDone.length;
  r.cells = lines.size;
  if (lines.size === 0) return r;

  const text = [...lines.keys()].sort().map((h) => lines.get(h)!).join('\n') + '\n';
  const name = packName(text);
  const path = join(store.cellsDir, name);
  if (!(oldPacks.length === 1 && oldPacks[0] === name)) {
    try { await writeFileAtomic(path, encodePack(text)); } catch (err) {
      // Disk full, read-only: the store is as it was (the write was to a temporary file).
      const reason = writeErrorReason(err);
      if (!reason) throw err;
      throw new UsageError(`pack: cannot write ${path}: ${reason}; the store is unchanged`);
    }
  }
  // Read it back before removing anything: the same text, and every cell verifies.
  const back = readPackFiles(store.cellsDir, [name]);
  if (back.problems.length > 0 || back.cells.size !== lines.size || [...lines.keys()].some((h) => verifyCellData(back.cells.get(h)?.data, h).state !== 'ok')) {
    throw new Error(`pack: ${path} did not read back as written`);
  }
  try {
    for (const p of oldPacks) if (p !== name && PACK_RE.test(p)) rmSync(join(store.cellsDir, p), { force: true });
    for (const hash of looseDone) {
      // A link (a cell shared with another store) is removed as a link: its target is not touched.
      rmSync(store.cellPath(hash), { force: true });
      rmSync(store.plainCellPath(hash), { force: true });
    }
  } catch (err) {
    const reason = writeErrorReason(err);
    if (!reason) throw err;
    throw new UsageError(`pack: wrote ${path} but could not remove what it replaces: ${reason}; the store reads the same (its cells are held twice), pack again to finish`);
  }
  r.pack = name;
  r.bytesAfter += size(path);
  return r;
}

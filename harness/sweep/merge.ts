/**
 * `harness merge`: the union of cell stores. Two phases so a bad input leaves the destination
 * untouched: first read and verify every source cell (a corrupt one is reported and left out;
 * the same hash holding a different spec in two stores is an error), then write them, atomically.
 * Compact cells (`<hash>.json.br`) are copied byte for byte; plain ones (`<hash>.json`, from
 * stores written before the compact format) and packed ones (`harness pack`) are written as
 * compact files, as the sweep would write them (./compact.ts), so a merge of old and new shards
 * gives one compact store. The first source
 * that has a hash wins (for the same spec and code the results are the same anyway). Failure
 * records are carried over only for hashes no store finished, and a destination failure record
 * is dropped once its cell arrives.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../../src/errors.js';
import { canonicalJson } from './hash.js';
import { CellStore, checkCellFile, type CellFile } from './store.js';
import { compactCell, encodeCompact } from './compact.js';

export interface MergeOutcome {
  copied: number;
  alreadyThere: number;
  corrupt: string[];
  failuresCopied: number;
}

export async function mergeStores(sources: string[], out: string): Promise<MergeOutcome> {
  for (const dir of sources) {
    let ok = false;
    try { ok = statSync(dir).isDirectory(); } catch { /* reported below */ }
    if (!ok) throw new UsageError(`merge: '${dir}' is not a directory`);
    try { statSync(new CellStore(dir).cellsDir); } catch {
      throw new UsageError(`merge: '${dir}' has no cells/ directory (not a cell store)`);
    }
    const bad = new CellStore(dir).packIndex().problems[0];
    if (bad) throw new UsageError(`merge: ${join(dir, 'cells', bad.pack)}: ${bad.reason}`);
  }
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out: '${out}' exists and is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }

  // Phase 1: verify, plan.
  const dest = new CellStore(out);
  const chosen = new Map<string, { bytes: Buffer | null; cell: CellFile | null; spec: string; from: string }>();
  const corrupt: string[] = [];
  for (const h of dest.cellHashes()) {
    const r = dest.check(h);
    if (r.state === 'ok' || r.state === 'stale') chosen.set(h, { bytes: null, cell: null, spec: canonicalJson(r.cell.spec), from: out });
  }
  const alreadyThere = chosen.size;
  for (const dir of sources) {
    const src = new CellStore(dir);
    for (const h of src.cellHashes()) {
      // The compact file first, as the store reads it; a plain one when that is all there is.
      let picked: { path: string; cell: CellFile; compact: boolean } | null = null;
      let problem = '';
      for (const [path, compact] of [[src.cellPath(h), true], [src.plainCellPath(h), false]] as const) {
        const r = checkCellFile(path, h);
        if (r.state === 'ok' || r.state === 'stale') { picked = { path, cell: r.cell, compact }; break; }
        if (r.state === 'corrupt' && !problem) problem = `${path}: corrupt (${r.reason}); left out`;
      }
      if (!picked) {
        // A packed cell (`harness pack`) is written out as a compact file, as the sweep writes one.
        const r = src.check(h);
        if (r.state === 'ok' || r.state === 'stale') picked = { path: '', cell: r.cell, compact: false };
        else if (r.state === 'corrupt' && !problem && r.file) problem = `${join(src.cellsDir, r.file)}: cell ${h}: corrupt (${r.reason}); left out`;
      }
      if (!picked) { corrupt.push(problem || `${src.cellPath(h)}: missing; left out`); continue; }
      const spec = canonicalJson(picked.cell.spec);
      const prev = chosen.get(h);
      if (prev) {
        if (prev.spec !== spec) throw new UsageError(`merge: cell ${h} has different specs in ${prev.from} and ${dir}`);
        continue;
      }
      chosen.set(h, picked.compact
        ? { bytes: readFileSync(picked.path), cell: null, spec, from: dir }
        : { bytes: null, cell: picked.cell, spec, from: dir });
    }
  }
  const failures = new Map<string, string>();
  for (const dir of sources) {
    const src = new CellStore(dir);
    for (const h of src.failureHashes()) {
      if (chosen.has(h) || failures.has(h) || dest.readFailure(h)) continue;
      if (src.readFailure(h)) failures.set(h, readFileSync(src.failurePath(h), 'utf8'));
    }
  }

  // Phase 2: write.
  dest.ensure();
  let copied = 0;
  for (const [h, c] of [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (c.from === out) continue;
    await writeFileAtomic(dest.cellPath(h), c.bytes ?? encodeCompact(compactCell(c.cell!).cell));
    rmSync(dest.plainCellPath(h), { force: true });
    dest.clearFailure(h);
    copied++;
  }
  for (const h of dest.failureHashes()) if (chosen.has(h)) dest.clearFailure(h);
  for (const [h, text] of failures) await writeFileAtomic(dest.failurePath(h), text);
  return { copied, alreadyThere, corrupt, failuresCopied: failures.size };
}

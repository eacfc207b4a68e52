/**
 * `harness merge`: the union of cell stores. Two phases so a bad input leaves the destination
 * untouched: first read and verify every source file (a corrupt one is reported and left out;
 * the same hash holding a different spec in two stores is an error), then copy the files, byte
 * for byte, atomically. The first source that has a hash wins (for the same spec and code the
 * results are the same anyway). Failure records are carried over only for hashes no store
 * finished, and a destination failure record is dropped once its cell arrives.
 */
import { readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../../src/errors.js';
import { canonicalJson } from './hash.js';
import { CellStore, verifyCellText } from './store.js';

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
  }
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out: '${out}' exists and is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }

  // Phase 1: verify, plan.
  const dest = new CellStore(out);
  const chosen = new Map<string, { text: string; spec: string; from: string }>();
  const corrupt: string[] = [];
  for (const h of dest.cellHashes()) {
    const r = dest.check(h);
    if (r.state === 'ok' || r.state === 'stale') chosen.set(h, { text: '', spec: canonicalJson(r.cell.spec), from: out });
  }
  const alreadyThere = chosen.size;
  for (const dir of sources) {
    const src = new CellStore(dir);
    for (const h of src.cellHashes()) {
      let text: string;
      try { text = readFileSync(src.cellPath(h), 'utf8'); } catch (err) {
        corrupt.push(`${src.cellPath(h)}: unreadable (${(err as NodeJS.ErrnoException).code})`); continue;
      }
      const r = verifyCellText(text, h);
      if (r.state === 'corrupt' || r.state === 'missing') { corrupt.push(`${src.cellPath(h)}: corrupt (${r.state === 'corrupt' ? r.reason : 'missing'}); left out`); continue; }
      const spec = canonicalJson(r.cell.spec);
      const prev = chosen.get(h);
      if (prev) {
        if (prev.spec !== spec) throw new UsageError(`merge: cell ${h} has different specs in ${prev.from} and ${dir}`);
        continue;
      }
      chosen.set(h, { text, spec, from: dir });
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
    if (c.from === out || c.text === '') continue;
    await writeFileAtomic(dest.cellPath(h), c.text);
    dest.clearFailure(h);
    copied++;
  }
  for (const h of dest.failureHashes()) if (chosen.has(h)) dest.clearFailure(h);
  for (const [h, text] of failures) await writeFileAtomic(dest.failurePath(h), text);
  return { copied, alreadyThere, corrupt, failuresCopied: failures.size };
}

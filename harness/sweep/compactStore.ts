/**
 * Converting a store of plain cells (`cells/<hash>.json`) to compact ones (`<hash>.json.br`,
 * ./compact.ts) in place, once: `harness compact DIR…`. Nothing is re-run and no address
 * changes (a cell's name is the hash of its spec). Per cell: the compact file is written
 * atomically, read back and compared with what was meant, and only then is the plain file
 * removed, so a store interrupted at any point holds every cell at least once (readers take
 * the compact file first, and both read the same). Idempotent: a second run finds every cell
 * compact, or finishes the one an interruption left in both forms. Corrupt cells and files that
 * are not sweep cells (e.g. a hand-written result) are left alone and reported.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { COMPACT_CELL_FORMAT, compactCell, decodeCellFile, encodeCompact } from './compact.js';
import { CellStore, cellFileHash, checkCellFile } from './store.js';

export interface CompactResult {
  compacted: number;
  /** Already compact (or compact beside a plain copy that was then removed). */
  already: number;
  /** Cells whose trajectory or samples had to be kept whole (a statistic would have moved). */
  keptWhole: number;
  /** `cells/<file>: why`, one per file left alone. */
  leftAlone: string[];
  /** Bytes of the cell files before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

export async function compactStore(dir: string): Promise<CompactResult> {
  const store = new CellStore(dir);
  const r: CompactResult = { compacted: 0, already: 0, keptWhole: 0, leftAlone: [], bytesBefore: 0, bytesAfter: 0 };
  let names: string[];
  try { names = readdirSync(store.cellsDir).sort(); } catch { return r; }
  const size = (p: string) => { try { return statSync(p).size; } catch { return 0; } };
  for (const name of names) {
    if (!name.endsWith('.json') && !name.endsWith('.json.br')) continue;
    r.bytesBefore += size(join(store.cellsDir, name));
    if (cellFileHash(name) === null) {
      r.leftAlone.push(`cells/${name}: not a sweep cell's name`);
      r.bytesAfter += size(join(store.cellsDir, name));
    }
  }
  // Packed cells (`harness pack`) are compact already.
  for (const hash of store.looseCellHashes()) {
    const plain = store.plainCellPath(hash), compact = store.cellPath(hash);
    const hasPlain = existsFile(plain);
    const c = checkCellFile(compact, hash);
    if (!hasPlain) {
      if (c.state === 'corrupt') r.leftAlone.push(`cells/${hash}.json.br: corrupt (${c.reason})`);
      else r.already++;
      r.bytesAfter += size(compact);
      continue;
    }
    const p = checkCellFile(plain, hash);
    if (p.state === 'corrupt' || p.state === 'missing') {
      r.leftAlone.push(`cells/${hash}.json: ${p.state === 'corrupt' ? `corrupt (${p.reason})` : 'unreadable'}`);
      r.bytesAfter += size(plain) + size(compact);
      continue;
    }
    const want = compactCell(p.cell);
    const wantText = JSON.stringify(want.cell);
    const holds = (path: string) => {
      try { return decodeCellFile(readFileSync(path), path) === `${wantText}\n`; } catch { return false; }
    };
    if ((c.state === 'ok' || c.state === 'stale') && holds(compact)) {
      r.already++;
    } else {
      await writeFileAtomic(compact, encodeCompact(want.cell));
      const back = checkCellFile(compact, hash);
      if (!(back.state === 'ok' || back.state === 'stale') || back.cell.format !== COMPACT_CELL_FORMAT || !holds(compact)) {
        rmSync(compact, { force: true });
        r.leftAlone.push(`cells/${hash}.json: its compact form did not read back the same; kept plain`);
        r.bytesAfter += size(plain);
        continue;
      }
      r.compacted++;
      if (want.keptWhole.length) r.keptWhole++;
    }
    rmSync(plain, { force: true });
    r.bytesAfter += size(compact);
  }
  return r;
}

function existsFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}

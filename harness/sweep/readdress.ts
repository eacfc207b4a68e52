/**
 * Moving a v0.1.0 store to the current address scheme, once. v0.1.0 hashed the package version
 * into every cell's address, so a release would have orphaned every published cell; today the
 * address is the spec and the numerics version only (./hash.ts). This re-addresses, it does not
 * re-run: each legacy file is rewritten under its new name with its `hash` field updated and
 * nothing else touched, then the old name is removed. Idempotent; files it does not recognise
 * are left where they are and reported.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Job } from './grid.js';
import { HASH_RE, jobHash, legacyJobHash } from './hash.js';

export interface ReaddressResult {
  moved: number;
  /** Already at their current address. */
  current: number;
  /** A legacy file whose new address was already taken by a current file: the legacy copy was dropped. */
  duplicates: number;
  /** Files that are neither (unreadable, edited, not a cell): left alone. */
  unrecognised: string[];
}

interface Addressed { hash: string; codeVersion: number; packageVersion?: string; spec: Job }

/** Re-address every cell and failure record under `dir` (a store: dir/cells, dir/failures). */
export async function readdressStore(dir: string): Promise<ReaddressResult> {
  const r: ReaddressResult = { moved: 0, current: 0, duplicates: 0, unrecognised: [] };
  for (const sub of ['cells', 'failures']) {
    const d = join(dir, sub);
    let names: string[];
    try { names = readdirSync(d); } catch { continue; }
    const present = new Set(names);
    for (const name of names.sort()) {
      if (!name.endsWith('.json') || !HASH_RE.test(name.slice(0, -5))) continue;
      const hash = name.slice(0, -5);
      let file: Addressed;
      try { file = JSON.parse(readFileSync(join(d, name), 'utf8')) as Addressed; } catch {
        r.unrecognised.push(`${sub}/${name}`); continue;
      }
      let now: string, legacy: string;
      try {
        now = jobHash(file.spec, file.codeVersion);
        legacy = legacyJobHash(file.spec, file.codeVersion, String(file.packageVersion));
      } catch { r.unrecognised.push(`${sub}/${name}`); continue; }
      if (now === hash && file.hash === hash) { r.current++; continue; }
      if (legacy !== hash || file.hash !== hash) { r.unrecognised.push(`${sub}/${name}`); continue; }
      const target = `${now}.json`;
      if (present.has(target)) {
        r.duplicates++;
      } else {
        // Same bytes as before apart from the hash field, so a diff of the store shows a rename.
        const text = readFileSync(join(d, name), 'utf8').replace(`"hash":"${hash}"`, `"hash":"${now}"`).replace(`"hash": "${hash}"`, `"hash": "${now}"`);
        await writeFileAtomic(join(d, target), text);
        present.add(target);
        r.moved++;
      }
      rmSync(join(d, name), { force: true });
    }
  }
  return r;
}

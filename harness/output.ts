/**
 * Output paths are user input: every command checks the files and directories it will write
 * before it starts work (a missing directory, a directory where a file is expected, a read-only
 * file system), and a write that still fails (the disk fills up mid-run) ends as one line naming
 * the flag and the reason, exit 2, never as an internal error. Regular files are written
 * atomically (a temporary file, then rename), so a failed write never destroys an earlier result;
 * a special file (/dev/stdout, a FIFO) is written in place.
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../src/errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'exists and is not a directory',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EFBIG: 'file too large',
};

/** The user-actionable reason behind a file-system error, or null for anything else (a bug). */
export function writeErrorReason(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code && REASONS[code] ? `${REASONS[code]} (${code})` : null;
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try { return statSync(path); } catch { return null; }
}

/** An empty path resolves to the working directory: `--out ''` wrote a store into it, or nothing at all. */
function refuseEmpty(flag: string, path: string): void {
  if (path === '') throw new UsageError(`${flag}: an empty path; name a file or directory`);
}

/** The directory a file will be written in must exist and be writable; the file must not be a directory. */
export function checkOutputFile(flag: string, path: string): void {
  refuseEmpty(flag, path);
  const abs = resolve(path);
  const st = statOrNull(abs);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory, expected a file name`);
  const dir = dirname(abs);
  const d = statOrNull(dir);
  if (!d) throw new UsageError(`${flag} ${path}: the directory ${dirname(path)} does not exist`);
  if (!d.isDirectory()) throw new UsageError(`${flag} ${path}: ${dirname(path)} is not a directory`);
  try {
    accessSync(st && !st.isFile() ? abs : dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot write there: ${writeErrorReason(err) ?? (err as Error).message}`);
  }
}

/** A directory to write into: it exists and is writable, or its nearest existing ancestor is (it will be created). */
export function checkOutputDir(flag: string, path: string): void {
  refuseEmpty(flag, path);
  let p = resolve(path);
  for (;;) {
    const st = statOrNull(p);
    if (st) {
      if (!st.isDirectory()) {
        throw new UsageError(p === resolve(path) ? `${flag} ${path}: exists and is not a directory` : `${flag} ${path}: ${p} is not a directory`);
      }
      try {
        accessSync(p, constants.W_OK);
      } catch (err) {
        throw new UsageError(`${flag} ${path}: cannot write in ${p}: ${writeErrorReason(err) ?? (err as Error).message}`);
      }
      return;
    }
    const up = dirname(p);
    if (up === p) throw new UsageError(`${flag} ${path}: no existing parent directory`);
    p = up;
  }
}

/** Write text to the file named by a flag: atomically for a regular file; errors become exit-2 lines. */
export function writeOutputFile(flag: string, path: string, text: string | Buffer): void {
  try {
    const st = statOrNull(path);
    if (st && !st.isFile()) writeFileSync(path, text);
    else writeFileAtomic.sync(path, text);
  } catch (err) {
    const reason = writeErrorReason(err);
    if (!reason) throw err;
    throw new UsageError(`${flag} ${path}: could not write: ${reason}; nothing was written`);
  }
}

/** Rethrow a store write error the user can act on (disk full, read-only) as a UsageError naming the path. */
export function storeWriteError(path: string, err: unknown): Error {
  const reason = writeErrorReason(err);
  if (!reason) return err instanceof Error ? err : new Error(String(err));
  return new UsageError(`cannot write ${path}: ${reason}; the cells finished so far are kept, run the same command again to resume`);
}

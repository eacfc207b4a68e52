/**
 * The one way the harness writes a report or summary file: the whole text goes to a temporary
 * file beside the target (`<name>.<number>`, write-file-atomic's naming), is fsynced, and is then
 * renamed over the target. A rename within one directory is atomic on POSIX file systems (and
 * on NFS), so a reader, or another shard writing the same file into a shared store at the same
 * moment, sees the old complete file or a new complete one, never a torn one; of two concurrent
 * writers the last rename wins. Cell and failure files use write-file-atomic directly
 * (harness/sweep/store.ts) and get the same guarantee.
 */
import writeFileAtomic from 'write-file-atomic';

/** Write `text` to `path` atomically (temp file + fsync + rename). */
export async function atomicWrite(path: string, text: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, typeof text === 'string' ? text : Buffer.from(text));
}

/**
 * A temporary file left by a writer that was killed between writing and renaming:
 * `<name>.<ext>.<digits>` as write-file-atomic names them (e.g. `LEADERBOARD.md.1234567`).
 * Used to clean such leftovers and by tests that check a store holds none.
 */
export const ATOMIC_TEMP_RE = /\.[A-Za-z0-9]+\.\d+$/;

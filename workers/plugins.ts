/**
 * Loading plugin files (`--plugin FILE`, repeatable, on run, sweep, report and check-plugin).
 * A plugin is an ES module whose default export is `{ bounds?, tasks? }` (src/types.ts,
 * PluginDefinition). Each file is read, hashed (sha256 of its bytes: the `plugins` field of the
 * cells using it, so editing a plugin re-runs its cells), imported from a URL that carries the
 * hash (an edited file is a new module, never a stale cached one), validated, and its bounds and
 * tasks registered. Bad files are bad input: one line naming the file and what is wrong, exit 2.
 * Sweep workers load the same files (by path and expected hash) before their first cell.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BoundDefinition, TaskDefinition } from '../src/types.js';
import { UsageError } from '../src/errors.js';
import { isBuiltinEstimator, knownEstimators, registerBound } from '../src/bounds/index.js';
import { getTask, registerTask } from '../src/tasks/registry.js';
import { PluginError, validatePlugin } from '../src/plugins/validate.js';

/** What a worker needs to load a plugin the main process loaded. */
export interface PluginRef {
  path: string;
  hash: string;
}

export interface LoadedPlugin extends PluginRef {
  /** As given on the command line. */
  file: string;
  bounds: BoundDefinition[];
  tasks: TaskDefinition[];
}

/** Plugins loaded in this thread, by content hash. */
const loaded = new Map<string, LoadedPlugin>();

const firstLine = (err: unknown): string => {
  const e = err as Error;
  const msg = (e && typeof e.message === 'string' ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(err)).split('\n')[0];
  return msg.length > 300 ? msg.slice(0, 297) + '...' : msg;
};

/** Read, import, validate and register one plugin file; idempotent per content. */
export async function loadPlugin(file: string, expectedHash?: string): Promise<LoadedPlugin> {
  const path = resolve(file);
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (err) {
    throw new UsageError(`--plugin: cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? firstLine(err)})`);
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (expectedHash !== undefined && hash !== expectedHash) {
    throw new UsageError(`--plugin: '${file}' changed since the sweep started (sha256 ${hash.slice(0, 12)}…, expected ${expectedHash.slice(0, 12)}…)`);
  }
  const done = loaded.get(hash);
  if (done) return done;
  let mod: { default?: unknown };
  try {
    mod = (await import(`${pathToFileURL(path).href}?sha256=${hash}`)) as { default?: unknown };
  } catch (err) {
    throw new UsageError(`--plugin: '${file}' does not load: ${firstLine(err)}`);
  }
  let defs: { bounds: BoundDefinition[]; tasks: TaskDefinition[] };
  try { defs = validatePlugin(mod.default); } catch (err) {
    if (err instanceof PluginError) throw new UsageError(`--plugin: '${file}': ${err.message}`);
    throw err;
  }
  for (const b of defs.bounds) {
    if (isBuiltinEstimator(b.name)) throw new UsageError(`--plugin: '${file}': bound '${b.name}' collides with a built-in estimator (choose another name)`);
    if (knownEstimators().includes(b.name)) throw new UsageError(`--plugin: '${file}': bound '${b.name}' is already defined by another plugin`);
  }
  for (const t of defs.tasks) {
    const have = getTask(t.id);
    if (have) {
      throw new UsageError(`--plugin: '${file}': task '${t.id}' collides with ${have.source === 'plugin' ? 'a task of another plugin' : 'a built-in task'} (choose another id)`);
    }
  }
  for (const b of defs.bounds) registerBound(b, hash);
  for (const t of defs.tasks) registerTask(t, hash);
  const p: LoadedPlugin = { file, path, hash, bounds: defs.bounds, tasks: defs.tasks };
  loaded.set(hash, p);
  return p;
}

/** Load every `--plugin` file, in order. */
export async function loadPlugins(files: readonly string[] | undefined): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  for (const f of files ?? []) out.push(await loadPlugin(f));
  return out;
}

/** In a worker: make sure the main process's plugins are loaded here too (same bytes). */
export async function ensurePlugins(refs: readonly PluginRef[] | undefined): Promise<void> {
  for (const r of refs ?? []) if (!loaded.has(r.hash)) await loadPlugin(r.path, r.hash);
}

/** commander's collector for a repeatable flag. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The plugin contract, checked: a plugin module's default export is
 * `{ bounds?: BoundDefinition[], tasks?: TaskDefinition[] }` (src/types.ts). `validatePlugin`
 * returns the normalised definitions or throws a PluginError whose message names the offending
 * field (e.g. "bounds[0].evaluate must be a function"), for the CLI to print on one line.
 * Names are restricted so they survive the grid syntax: a bound name is used in variant strings
 * ('name:sn=on') and comma-separated flags, a task id in `--tasks` lists.
 */
import type { BoundDefinition, PluginDefinition, TaskDefinition } from '../types.js';
import { CRITICS } from '../types.js';

export class PluginError extends Error {
  override name = 'PluginError';
}

export const BOUND_NAME_RE = /^[A-Za-z][A-Za-z0-9._-]*$/;
export const TASK_ID_RE = /^[A-Za-z0-9][A-Za-z0-9:._-]*$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export function validatePlugin(exported: unknown): { bounds: BoundDefinition[]; tasks: TaskDefinition[] } {
  if (!isObj(exported)) throw new PluginError('the default export must be an object { bounds?: [...], tasks?: [...] }');
  for (const k of Object.keys(exported)) {
    if (k !== 'bounds' && k !== 'tasks') throw new PluginError(`unknown key '${k}' in the default export (expected bounds, tasks)`);
  }
  const p = exported as PluginDefinition;
  if (p.bounds !== undefined && !Array.isArray(p.bounds)) throw new PluginError('bounds must be an array');
  if (p.tasks !== undefined && !Array.isArray(p.tasks)) throw new PluginError('tasks must be an array');
  const bounds = (p.bounds ?? []).map((b, i) => validateBound(b, `bounds[${i}]`));
  const tasks = (p.tasks ?? []).map((t, i) => validateTask(t, `tasks[${i}]`));
  if (bounds.length + tasks.length === 0) throw new PluginError('the plugin defines no bound and no task');
  const seen = new Set<string>();
  for (const name of [...bounds.map((b) => b.name), ...tasks.map((t) => `task ${t.id}`)]) {
    if (seen.has(name)) throw new PluginError(`'${name}' is defined twice`);
    seen.add(name);
  }
  return { bounds, tasks };
}

function validateBound(b: unknown, at: string): BoundDefinition {
  if (!isObj(b)) throw new PluginError(`${at} must be an object { name, lowerBound, evaluate }`);
  if (typeof b.name !== 'string' || !BOUND_NAME_RE.test(b.name)) {
    throw new PluginError(`${at}.name must be a string of letters, digits, '.', '_' or '-' starting with a letter (got ${JSON.stringify(b.name)})`);
  }
  if (typeof b.lowerBound !== 'boolean') throw new PluginError(`${at}.lowerBound must be a boolean (bound '${b.name}')`);
  if (typeof b.evaluate !== 'function') throw new PluginError(`${at}.evaluate must be a function (bound '${b.name}')`);
  validateBoundExtras(b, at);
  return b as unknown as BoundDefinition;
}

/** The optional fields of issue 22 (upper bounds, critic kinds, auxiliary outputs, H(Y), held-out selection). */
function validateBoundExtras(b: Record<string, unknown>, at: string): void {
  const name = String(b.name);
  for (const k of ['upperBound', 'needsEntropyY'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new PluginError(`${at}.${k} must be a boolean when given (bound '${name}')`);
  }
  if (b.upperBound === true && b.lowerBound === true) throw new PluginError(`${at}: a bound cannot be both a lower and an upper bound (bound '${name}')`);
  if (b.critics !== undefined && !(Array.isArray(b.critics) && b.critics.length > 0 && b.critics.every((c) => (CRITICS as readonly unknown[]).includes(c)))) {
    throw new PluginError(`${at}.critics must be a non-empty list of ${CRITICS.join(', ')} when given (bound '${name}')`);
  }
  if (b.aux !== undefined && b.aux !== 'u' && b.aux !== 'marginal') throw new PluginError(`${at}.aux must be 'u' or 'marginal' when given (bound '${name}')`);
  if (b.heldOutSelection !== undefined && b.heldOutSelection !== 'objective') throw new PluginError(`${at}.heldOutSelection must be 'objective' when given (bound '${name}')`);
}

function validateTask(t: unknown, at: string): TaskDefinition {
  if (!isObj(t)) throw new PluginError(`${at} must be an object { id, dimX, dimY, trueMi?, sample }`);
  if (typeof t.id !== 'string' || !TASK_ID_RE.test(t.id)) {
    throw new PluginError(`${at}.id must be a string of letters, digits, ':', '.', '_' or '-' (got ${JSON.stringify(t.id)})`);
  }
  const id = t.id;
  if (!posInt(t.dimX)) throw new PluginError(`${at}.dimX must be an integer >= 1 (task '${id}')`);
  if (!posInt(t.dimY)) throw new PluginError(`${at}.dimY must be an integer >= 1 (task '${id}')`);
  if (t.trueMi !== undefined && !(typeof t.trueMi === 'number' && Number.isFinite(t.trueMi) && t.trueMi >= 0)) {
    throw new PluginError(`${at}.trueMi must be a finite number >= 0, or absent for a staircase task (task '${id}')`);
  }
  if (typeof t.sample !== 'function') throw new PluginError(`${at}.sample must be a function (task '${id}')`);
  if (t.entropyY !== undefined && !(typeof t.entropyY === 'number' && Number.isFinite(t.entropyY))) {
    throw new PluginError(`${at}.entropyY must be a finite number (H(Y), nats) when given (task '${id}')`);
  }
  for (const k of ['family', 'description'] as const) {
    if (t[k] !== undefined && typeof t[k] !== 'string') throw new PluginError(`${at}.${k} must be a string (task '${id}')`);
  }
  const sample = t.sample as TaskDefinition['sample'];
  return {
    id, dimX: t.dimX, dimY: t.dimY,
    ...(t.trueMi !== undefined ? { trueMi: t.trueMi as number } : {}),
    family: (t.family as string | undefined) ?? 'plugin',
    description: (t.description as string | undefined) ?? '',
    sample: (n, rng, options) => sample.call(t, n, rng, options),
  };
}

/**
 * Content addressing. A job's hash is sha256 of the canonical JSON of
 * { code: CODE_VERSION, package: <mi-harness version>, job: <spec> }, so resume, caching,
 * sharding and merging are one mechanism: same spec and same code → same file name.
 *
 * Bump CODE_VERSION whenever a change would alter a cell's result (training loop, a bound,
 * a sampler, initialisation, an engine's numerics, level statistics): old cells then stop
 * matching and are re-run instead of being mixed with new ones.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Job } from './grid.js';

export const CODE_VERSION = 1;

const require = createRequire(import.meta.url);
/** mi-harness's package version (dist/harness/sweep → package root). */
export const PACKAGE_VERSION: string = (() => {
  try { return (require('../../../package.json') as { version: string }).version; } catch { return '0.0.0'; }
})();

/**
 * JSON with object keys sorted at every depth; undefined-valued keys dropped (as JSON.stringify
 * does). Non-finite numbers are rejected: they would silently become null and collide.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
}

export function jobHash(job: Job, version: { code: number; package: string } = { code: CODE_VERSION, package: PACKAGE_VERSION }): string {
  return createHash('sha256').update(canonicalJson({ code: version.code, package: version.package, job })).digest('hex');
}

export const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * Content addressing. A job's hash is sha256 of the canonical JSON of
 * { code: CODE_VERSION, job: <spec> }, so resume, caching, sharding and merging are one
 * mechanism: same spec and same numerics → same file name.
 *
 * CODE_VERSION is the numerics version. Bump it when, and only when, a change alters a cell's
 * numbers (training loop, a bound, a sampler, initialisation, an engine's arithmetic, level
 * statistics): old cells then stop matching and are re-run instead of being mixed with new
 * ones. The package version is provenance only (each cell records it), so a release re-runs
 * nothing. test/fingerprint.test.ts guards the rule: it trains small fixed cells and compares
 * a digest of their numbers with NUMERICS_FINGERPRINT below; a change that moves them without
 * a CODE_VERSION bump fails the suite.
 *
 * Stores written before this scheme (v0.1.0: the hash also covered the package version) are
 * moved to their new addresses by `harness readdress DIR` (./readdress.ts); legacyJobHash is
 * that old address.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Job } from './grid.js';

export const CODE_VERSION = 1;

/**
 * Digests of the numbers of small fixed cells (every engine and kernel build, the published
 * stores' shapes) and of every bound on a fixed matrix, under CODE_VERSION; computed by
 * test/fingerprint.test.ts. When that test fails, either the change was not meant to move the
 * numbers (make it bit-identical) or it was (bump CODE_VERSION and pin the digests it prints).
 */
export const NUMERICS_FINGERPRINT: Readonly<Record<string, string>> = {
  'bounds': 'a4a6fdf475f0104b4ab2a6d6ad89db23',
  'wasm-simd/separable/mice/paper-shape': 'a4e17d60b7dd87b2a7a6e14f42332769',
  'wasm-simd/separable/mice-sn-all/paper-shape': '2f81cd81bf389251fc962a5e8d5b679d',
  'wasm-simd/joint/smile/paper-shape': 'cf9de2c3a77bb6505c138faae4cef58f',
  'wasm-simd/separable/infonce/n256': 'b4e1365b4520f3b3520e9fdff8c89ef8',
  'wasm-relaxed/separable/mice/paper-shape': 'bba7452a1ad1fcf26c9dca3b44333aa1',
  'wasm-relaxed/separable/mice-sn-all/paper-shape': '7333d08dc7424727c3a6f1f1e8c81b1e',
  'wasm-relaxed/joint/smile/paper-shape': '7f7607d11c3b4c35036aa7ed9821b8eb',
  'wasm-relaxed/separable/infonce/n256': '3627499562f6d998cd51a9aa2bbf6d01',
  'tfjs-cpu/separable/nwj/tiny': '013538e85d69eb51c9241081406c436f',
};

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

export function jobHash(job: Job, code: number = CODE_VERSION): string {
  return createHash('sha256').update(canonicalJson({ code, job })).digest('hex');
}

/** The address a job had in v0.1.0 stores (the package version was hashed too). */
export function legacyJobHash(job: Job, code: number, packageVersion: string): string {
  return createHash('sha256').update(canonicalJson({ code, package: packageVersion, job })).digest('hex');
}

export const HASH_RE = /^[0-9a-f]{64}$/;

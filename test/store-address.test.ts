/**
 * Cell addresses survive releases: a cell is addressed by its spec and the numerics version
 * only, so cells written by another mi-harness release are reused, and a v0.1.0 store (whose
 * addresses hashed the package version) is moved once by `harness readdress`, never re-run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { legacyJobHash } from '../harness/sweep/hash.js';
import { decodeCellFile, encodeCompact } from '../harness/sweep/compact.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
// 2 cells: the smoke preset's 2 estimators × 1 seed.
const GRID = ['sweep', '--preset', 'smoke', '--seeds', '1', '--no-gpu', '--workers', '1', '--json'];

const cli = (args: string[]) => {
  const env = { ...process.env };
  for (const k of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'MI_HARNESS_SHARD_COUNT', 'MI_HARNESS_FAULT']) delete env[k];
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
};
const started = (stdout: string) => stdout.split('\n').filter((l) => l.includes('"type":"start"')).length;
const cells = (dir: string) => readdirSync(join(dir, 'cells')).filter((n) => n.endsWith('.json') || n.endsWith('.json.br')).sort();
/** A store's cells by hash, whether compact (`.json.br`, as the sweep writes them) or plain (`.json`). */
const hashes = (dir: string) => cells(dir).map((n) => n.replace(/\.json(\.br)?$/, ''));
const readCell = (path: string) => JSON.parse(decodeCellFile(readFileSync(path), path));

let tmp: string, store: string, names: string[];

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mi-address-'));
  store = join(tmp, 'store');
  const r = cli([...GRID, '--out', store]);
  assert.equal(r.status, 0, r.stderr);
  names = cells(store);
  assert.equal(names.length, 2);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('cells written by another release (package version bump) are reused: no cell re-runs', () => {
  for (const n of names) {
    const p = join(store, 'cells', n);
    const cell = readCell(p);
    cell.packageVersion = '0.0.1-older-release';
    writeFileSync(p, encodeCompact(cell));
  }
  const r = cli([...GRID, '--out', store]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(started(r.stdout), 0, 'a package-version change re-runs nothing');
  assert.deepEqual(cells(store), names);
});

test('harness readdress moves a v0.1.0 store to the current addresses without re-running', () => {
  // v0.1.0 wrote plain cells (`<legacy hash>.json`).
  const current = hashes(store);
  const before = new Map<string, unknown>();
  for (const n of names) {
    const p = join(store, 'cells', n);
    const cell = readCell(p);
    before.set(cell.hash, structuredClone(cell));
    const old = legacyJobHash(cell.spec, cell.codeVersion, '0.1.0');
    cell.hash = old;
    cell.packageVersion = '0.1.0';
    writeFileSync(join(store, 'cells', `${old}.json`), JSON.stringify(cell) + '\n');
    rmSync(p);
  }
  assert.notDeepEqual(hashes(store), current);
  // Before re-addressing, a sweep says which command fixes the store.
  const dry = cli([...GRID, '--out', store, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  const r = cli(['readdress', store]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 moved, 0 already current/);
  assert.deepEqual(hashes(store), current, 'every cell back at its current address');
  for (const h of current) {
    const now = readCell(join(store, 'cells', `${h}.json`));
    const was = before.get(h) as Record<string, unknown>;
    assert.deepEqual({ ...now, packageVersion: undefined }, { ...was, packageVersion: undefined }, 'only the address changed');
  }
  const again = cli(['readdress', store]);
  assert.match(again.stdout, /0 moved, 2 already current/);
  const sweep = cli([...GRID, '--out', store]);
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.equal(started(sweep.stdout), 0, 're-addressed cells are not re-run');
  // …and compacting the re-addressed (plain) store afterwards re-runs nothing either.
  const compact = cli(['compact', store]);
  assert.equal(compact.status, 0, compact.stderr);
  assert.match(compact.stdout, /2 compacted, 0 already compact, 0 left alone/);
  assert.deepEqual(cells(store), names);
  assert.equal(started(cli([...GRID, '--out', store]).stdout), 0, 'compacted cells are not re-run');
});

test('harness readdress: a missing directory is bad input (exit 2, one line)', () => {
  const r = cli(['readdress', join(tmp, 'nope')]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /readdress: .*nope: no such directory/);
});

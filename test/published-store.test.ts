/**
 * The published stores hold every cell of their presets: `npx harness sweep --preset P` on a fresh
 * clone re-runs nothing. A change that moves a published cell's address (a spec field that is no
 * longer absent at its default, a numerics version bump, a preset edit) fails here, before a
 * sweep would quietly spend hours re-running it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { planJobs } from '../harness/sweep/sweep.js';
import { preset, PRESET_STORES, type PresetName } from '../harness/sweep/presets.js';
import { CellStore } from '../harness/sweep/store.js';
import { twinHash } from '../harness/sweep/gpuLane.js';
import { ROOT } from './cli-helpers.js';

const PUBLISHED: PresetName[] = ['paper', 'paper-joint', 'consistency', 'gan', 'bmi', 'quick', 'gan-v1', 'field', 'bmi-field'];

test('every published preset is complete in its committed store: a sweep re-runs 0 cells', () => {
  for (const name of PUBLISHED) {
    const store = new CellStore(join(ROOT, PRESET_STORES[name]));
    const jobs = planJobs(preset(name), null);
    const pending = jobs.filter((p) => {
      if (store.check(p.hash).state === 'ok') return false;
      const twin = twinHash(p.job);
      return !(twin && store.check(twin).state === 'ok');
    });
    assert.equal(pending.length, 0, `${name}: ${pending.length} of ${jobs.length} jobs not in ${PRESET_STORES[name]} (e.g. ${pending[0]?.hash})`);
  }
});

/**
 * The repository's size budget (issue 21): every tracked file together ≤ 20 MB (10⁶ bytes), so a
 * clone stays small and a lent GPU machine's 64 MiB copy of the working tree has room. Sums the
 * sizes of the files git tracks (the index; a new cell counts once it is added). Skipped outside a
 * git checkout (an unpacked tarball has no index).
 */
test('the tracked tree is within its 20 MB budget', (t) => {
  const ls = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (ls.status !== 0) { t.skip('not a git checkout'); return; }
  const bytes = new Map<string, number>();
  let total = 0;
  for (const f of ls.stdout.split('\0').filter(Boolean)) {
    let size = 0;
    // lstat: git stores a link (a field cell shared with the paper store) as its target's path.
    try { size = lstatSync(join(ROOT, f)).size; } catch { continue; } // deleted in the work tree, not yet from the index
    total += size;
    const top = f.startsWith('results/') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0];
    bytes.set(top, (bytes.get(top) ?? 0) + size);
  }
  const largest = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)} MB`).join(', ');
  assert.ok(total <= 20e6, `tracked files: ${(total / 1e6).toFixed(2)} MB > 20 MB (largest: ${largest})`);
});

/**
 * A published store may hold a cell as a link to another store's file (the field store linked
 * the cells it shares with the paper preset until it was packed; `harness pack` folds a link's
 * cell in by content). A dangling or misnamed link would read as a missing cell and the sweep
 * would quietly re-run it; a link leaving results/ would not survive a clone.
 */
test('linked cells in the published stores resolve to a cell of the same address inside results/', () => {
  const results = join(ROOT, 'results');
  for (const store of new Set(Object.values(PRESET_STORES))) {
    const cells = join(ROOT, store, 'cells');
    let names: string[];
    try { names = readdirSync(cells); } catch { continue; }
    for (const n of names) {
      const p = join(cells, n);
      if (!lstatSync(p).isSymbolicLink()) continue;
      const target = readlinkSync(p);
      assert.ok(!isAbsolute(target), `${store}/cells/${n}: absolute link ${target}`);
      const abs = resolve(dirname(p), target);
      assert.ok(!relative(results, abs).startsWith('..'), `${store}/cells/${n}: links outside results/ (${target})`);
      assert.equal(basename(abs), n, `${store}/cells/${n}: links to another address (${target})`);
      assert.ok(statSync(abs).isFile(), `${store}/cells/${n}: dangling link ${target}`);
    }
  }
});

/**
 * A published store's summary.txt and LEADERBOARD.md are rebuilt from its cells (`harness
 * report`, the end of a sweep or merge); one left behind when cells were added says less than
 * the store holds, as one written by a sweep of an older build once did. Both files state how
 * many cells they read: it must be the count of cells in the store (loose files and packed). (Counting, not
 * rebuilding: the full reports take minutes.)
 */
test('every published store\'s summary.txt and LEADERBOARD.md count every cell the store holds', () => {
  const stores = readdirSync(join(ROOT, 'results'), { withFileTypes: true })
    .filter((e) => e.isDirectory()).map((e) => `results/${e.name}`).concat('results')
    .filter((s) => { try { return statSync(join(ROOT, s, 'cells')).isDirectory(); } catch { return false; } });
  assert.ok(stores.includes('results/field') && stores.includes('results'), `stores found: ${stores.join(', ')}`);
  for (const s of stores) {
    const held = new CellStore(join(ROOT, s)).cellHashes().length; // loose files and packed cells
    const summary = readFileSync(join(ROOT, s, 'summary.txt'), 'utf8');
    assert.equal(Number(/· (\d+) cells ·/.exec(summary)?.[1]), held, `${s}/summary.txt: its header counts another number of cells than the store's ${held} (the end of a sweep or a merge into it writes it; a sweep of a complete preset re-runs nothing)`);
    const board = readFileSync(join(ROOT, s, 'LEADERBOARD.md'), 'utf8');
    assert.equal(Number(/from (\d+) result file\(s\)/.exec(board)?.[1]), held, `${s}/LEADERBOARD.md: built from another number of cells than the store's ${held} (re-run \`harness report ${s}\`)`);
  }
});

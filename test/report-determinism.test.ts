/**
 * The same cell store must always give byte-identical reports: two runs on one store, and a
 * copy of the store written in a different file order, produce the same bytes in every file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../harness/report.js';
import { fakeGan, fixtureCells, PAPER_LIKE, writeStore } from './report-fixtures.js';
import { UsageError } from '../src/errors.js';

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of ['LEADERBOARD.md', 'summary.csv', 'cells.csv', 'pairwise.csv']) out.set(f, await readFile(join(dir, f), 'utf8'));
  for (const f of (await readdir(join(dir, 'plots'))).sort()) out.set(`plots/${f}`, await readFile(join(dir, 'plots', f), 'utf8'));
  return out;
}

test('report is byte-identical across two runs, and across a store written in another order', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-report-'));
  try {
    const cells = [
      ...fixtureCells({ estimators: PAPER_LIKE.slice(1), seeds: [1, 2, 3, 4, 5], critics: ['separable', 'joint'], stepsPerLevel: 60 }),
      ...fixtureCells({ estimators: PAPER_LIKE.slice(3), seeds: [1, 2, 3], batchSizes: [16, 256], stepsPerLevel: 60 }),
      ...fixtureCells({ estimators: PAPER_LIKE.slice(3), seeds: [1, 2, 3], batchRhos: [0.3, 'random'], stepsPerLevel: 60 }),
    ];
    const gans = [1, 2, 3].flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]);
    const a = join(root, 'a'), b = join(root, 'b');
    await writeStore(a, cells, gans);
    await writeStore(b, [...cells].reverse(), [...gans].reverse());
    const opts = { resamples: 300, warn: () => {} };
    const r1 = await writeReport(a, opts);
    const s1 = await snapshot(a);
    const r2 = await writeReport(a, opts);
    const s2 = await snapshot(a);
    assert.deepEqual(r1, r2);
    assert.ok(r1.plots.length >= 8, `plots: ${r1.plots.join(', ')}`);
    for (const [f, text] of s1) assert.equal(s2.get(f), text, `${f} differs between runs`);
    // The other store has other file names (cells.csv lists them), but the same statistics.
    await writeReport(b, opts);
    const s3 = await snapshot(b);
    for (const f of ['summary.csv', 'pairwise.csv']) assert.equal(s3.get(f), s1.get(f), `${f} depends on file order`);
    for (const [f, text] of s1) if (f.startsWith('plots/')) assert.equal(s3.get(f), text, `${f} depends on file order`);
    // Nothing time-dependent leaks into the leaderboard (the fixtures' provenance has startedAt).
    const md = s1.get('LEADERBOARD.md')!;
    assert.doesNotMatch(md, /\d{4}-\d{2}-\d{2}T\d{2}:/);
    assert.match(md, /Fixture CPU/);
    assert.match(md, /## Consistency as n grows/);
    assert.match(md, /## GAN with MI regularisation/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a corrupt cell file is skipped with a one-line warning naming it; a missing directory is a UsageError', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-report-'));
  try {
    await writeStore(root, fixtureCells({ estimators: PAPER_LIKE.slice(3), seeds: [1, 2], stepsPerLevel: 40 }));
    await writeFile(join(root, 'cells', 'zz-broken.json'), '{"spec": {"estimator": "mice"');
    await writeFile(join(root, 'cells', 'zz-wrong.json'), '{"spec": {"estimator": "mice"}, "levels": 3}');
    const warnings: string[] = [];
    const r = await writeReport(root, { resamples: 200, plots: false, warn: (m) => warnings.push(m) });
    assert.equal(r.cells, 4);
    assert.deepEqual(r.skipped.map((s) => s.file), ['zz-broken.json', 'zz-wrong.json']);
    assert.equal(warnings.length, 2);
    assert.ok(warnings.every((w) => !w.includes('\n')));
    assert.match(warnings[0], /zz-broken\.json/);
    assert.match(await readFile(join(root, 'LEADERBOARD.md'), 'utf8'), /zz-broken\.json/);
    await assert.rejects(writeReport(join(root, 'nope')), (e) => e instanceof UsageError && /nope/.test(e.message));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

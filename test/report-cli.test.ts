/**
 * The built CLI: `harness compare` flags an injected regression (exit 4) and passes identical
 * inputs (exit 0); `harness report` exits 2 naming a missing directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureCells, PAPER_LIKE, writeStore, type FakeEstimator } from './report-fixtures.js';
import { writeReport } from '../harness/report.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'harness', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const BASE = PAPER_LIKE.slice(1, 5);

test('harness compare: identical runs exit 0; an injected MSE regression exits 4 and is named', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-compare-'));
  try {
    const oldDir = join(root, 'old'), sameDir = join(root, 'same'), badDir = join(root, 'bad');
    await writeStore(oldDir, fixtureCells({ estimators: BASE, seeds: SEEDS, stepsPerLevel: 60 }));
    await writeStore(sameDir, fixtureCells({ estimators: BASE, seeds: SEEDS, stepsPerLevel: 60 }));
    // Regression: MICE's noise triples at every level (MSE up ~9× in the variance part).
    const worse: FakeEstimator[] = BASE.map((e) => (e.estimator === 'mice' ? { ...e, sd: (mi: number, n: number) => 3 * e.sd(mi, n) } : e));
    await writeStore(badDir, fixtureCells({ estimators: worse, seeds: SEEDS, stepsPerLevel: 60 }));

    const same = run('compare', oldDir, sameDir);
    assert.equal(same.status, 0, same.stderr + same.stdout);
    assert.match(same.stdout, /0 regression\(s\)/);

    const bad = run('compare', oldDir, badDir);
    assert.equal(bad.status, 4, bad.stderr + bad.stdout);
    assert.match(bad.stdout, /REGRESSION\s+mice · separable · gaussian/);
    assert.doesNotMatch(bad.stdout, /REGRESSION\s+(infonce|smile)/);

    // The reverse direction is an improvement, not a regression.
    const better = run('compare', badDir, oldDir);
    assert.equal(better.status, 0, better.stderr + better.stdout);
    assert.match(better.stdout, /IMPROVEMENT\s+mice/);

    // summary.csv inputs (what a committed leaderboard holds) give the same verdicts.
    await writeReport(oldDir, { plots: false, warn: () => {} });
    await writeReport(badDir, { plots: false, warn: () => {} });
    const csv = run('compare', join(oldDir, 'summary.csv'), join(badDir, 'summary.csv'));
    assert.equal(csv.status, 4, csv.stderr + csv.stdout);
    assert.equal(run('compare', join(oldDir, 'summary.csv'), oldDir).status, 0);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('harness report / compare: a missing directory exits 2 with one line naming it', () => {
  const r = run('report', '/nonexistent/results-dir');
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /\/nonexistent\/results-dir/);
  const c = run('compare', '/nonexistent/a', '/nonexistent/b');
  assert.equal(c.status, 2);
  assert.match(c.stderr, /\/nonexistent\/a/);
});

test("the headline lists the paper's protocol first, before other protocols' contexts", async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-headline-'));
  try {
    // n = 16 sorts before n = 64 by context key; the paper's protocol (n = 64, 4 000 steps) must still lead.
    await writeStore(root, [
      ...fixtureCells({ estimators: BASE, seeds: [0, 1], stepsPerLevel: 60, batchSizes: [16] }),
      ...fixtureCells({ estimators: BASE, seeds: [0, 1], stepsPerLevel: 4000 }),
    ]);
    await writeReport(root, { resamples: 50, warn: () => {}, plots: false });
    const md = (await import('node:fs')).readFileSync(join(root, 'LEADERBOARD.md'), 'utf8');
    const headline = md.slice(md.indexOf('## Headline'));
    const rows = headline.split('\n').filter((l) => l.startsWith('| separable'));
    assert.match(rows[0], /n=64 · L=4000/, rows.join('\n'));
    assert.ok(rows.some((r) => /n=16/.test(r)));
  } finally { await rm(root, { recursive: true, force: true }); }
});

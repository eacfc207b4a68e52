/**
 * The nightly logic as a script (issue 11, item 3): scripts/nightly.sh on the smoke preset, in a
 * throw-away git repository with a bare "origin". A fresh run against the previous run's
 * leaderboard passes (exit 0); a baseline whose MSEs are injected 1000× lower makes today's run
 * a regression: exit 4, and the new report is still committed and pushed, without the cells.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runProcess, type Run } from './cli-helpers.js';

const SCRIPT = join(ROOT, 'scripts', 'nightly.sh');
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'nightly test', GIT_AUTHOR_EMAIL: 'nightly@test', GIT_COMMITTER_NAME: 'nightly test', GIT_COMMITTER_EMAIL: 'nightly@test',
  GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
};

let tmp: string, repo: string, origin: string;
const nightly = (args: string[], cwd = repo): Promise<Run> => runProcess('bash', [SCRIPT, ...args], { cwd, env: GIT_ENV });
const git = (args: string[], cwd = repo) => execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' });
const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mi-nightly-'));
  origin = join(tmp, 'origin.git');
  repo = join(tmp, 'repo');
  git(['init', '-q', '--bare', '-b', 'main', origin], tmp);
  git(['clone', '-q', origin, repo], tmp);
  writeFileSync(join(repo, 'README'), 'nightly test repository\n');
  git(['add', 'README']);
  git(['commit', '-q', '-m', 'init']);
  git(['push', '-q', 'origin', 'HEAD:main']);
});
after(() => { rmSync(tmp, { recursive: true, force: true }); });

test('nightly.sh: first run has no baseline; a fresh run against its leaderboard passes (exit 0) and commits the report only', async () => {
  const first = await nightly(['--preset', 'smoke', '--store', 'results/smoke', '--commit']);
  assert.equal(first.code, 0, show(first));
  assert.match(first.stdout, /no baseline/);
  assert.match(first.stdout, /committed \d+ report file\(s\)/);
  const committed = git(['show', '--name-only', '--format=%s', 'HEAD']).trim().split('\n');
  assert.match(committed[0], /^nightly: smoke leaderboard at [0-9a-f]+$/);
  for (const f of ['LEADERBOARD.md', 'summary.csv', 'cells.csv', 'pairwise.csv', 'summary.txt']) assert.ok(committed.includes(`results/smoke/${f}`), `${f} committed`);
  assert.ok(committed.some((f) => f.startsWith('results/smoke/plots/')), 'plots committed');
  assert.ok(!committed.some((f) => /\/(cells|failures)\//.test(f)), 'the cell store is never committed');

  // Identical input: the same grid run afresh (another store, so every cell is recomputed),
  // compared with the committed leaderboard.
  const stepSummary = join(tmp, 'step-summary.md');
  const again = await nightly(['--preset', 'smoke', '--store', 'results/smoke-again', '--baseline', 'results/smoke/summary.csv', '--step-summary', stepSummary]);
  assert.equal(again.code, 0, show(again));
  assert.match(again.stdout, /compare: [1-9]\d* common row\(s\): 0 regression\(s\), 0 improvement\(s\), 0 shift\(s\)/);
  assert.match(again.stdout, /nightly: no regression/);
  assert.match(readFileSync(stepSummary, 'utf8'), /### harness compare \(smoke\)\n```\ncompare: /);

  // Re-running on the same store takes its own summary.csv as the baseline (what CI does).
  const rerun = await nightly(['--preset', 'smoke', '--store', 'results/smoke']);
  assert.equal(rerun.code, 0, show(rerun));
  assert.match(rerun.stdout, /baseline: the store's summary\.csv before this run/);
});

test('nightly.sh: an injected regression exits 4, after committing and pushing the new report', async () => {
  // The baseline claims nwj's MSE was 1000× lower at every level: today's run is then a regression.
  const good = readFileSync(join(repo, 'results/smoke/summary.csv'), 'utf8').split('\n');
  const h = good[0].split(',');
  const [est, stat, mean, lo, hi] = ['estimator', 'statistic', 'mean', 'ci_low', 'ci_high'].map((c) => h.indexOf(c));
  let injected = 0;
  const bad = good.map((line, i) => {
    const f = line.split(',');
    if (i === 0 || f[est] !== 'nwj' || f[stat] !== 'mse') return line;
    for (const k of [mean, lo, hi]) f[k] = String(Number(f[k]) / 1000);
    injected++;
    return f.join(',');
  });
  assert.ok(injected >= 2, 'nwj MSE rows found');
  const baseline = join(tmp, 'better-baseline.csv');
  writeFileSync(baseline, bad.join('\n'));

  const before = git(['rev-parse', 'HEAD']).trim();
  const r = await nightly(['--preset', 'smoke', '--store', 'results/regressed', '--baseline', baseline, '--push']);
  assert.equal(r.code, 4, show(r));
  assert.match(r.stdout, /REGRESSION\s+nwj · separable · gaussian/);
  assert.doesNotMatch(r.stdout, /REGRESSION\s+mice/);
  assert.match(r.stderr, /nightly: REGRESSION/);
  // Committed and pushed anyway: the new numbers are what the code now does.
  const head = git(['rev-parse', 'HEAD']).trim();
  assert.notEqual(head, before);
  assert.equal(git(['rev-parse', 'main'], origin).trim(), head, 'pushed to origin');
  assert.ok(git(['show', '--name-only', '--format=', 'HEAD']).includes('results/regressed/LEADERBOARD.md'));
  assert.ok(existsSync(join(repo, 'results/regressed/cells')), 'the cells stay on disk, uncommitted');
});

test('nightly.sh: bad arguments exit 2 with one line and touch nothing', async () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  for (const args of [['--bogus'], ['--preset'], ['--baseline', join(tmp, 'no-such.csv')], ['--commit', '--store', join(tmp, 'x')]]) {
    const r = await nightly(args, empty);
    assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line\n${r.stderr}`);
    assert.match(r.stderr, /^nightly: /);
  }
  const r = await nightly(['--preset', 'no-such-preset', '--store', join(empty, 'store')], empty);
  assert.equal(r.code, 2, show(r));
  assert.match(r.stderr, /preset/);
  assert.ok(!existsSync(join(empty, 'store', 'cells')), 'no store created');
});

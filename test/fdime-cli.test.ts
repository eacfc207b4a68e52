/**
 * `harness run --estimator fdime` and `--negatives` through the built CLI: one short run per f on
 * each critic (negatives by derangement, f-DIME's default, and all pairs), another estimator with
 * `--negatives derangement`, bad input as one line and exit 2, and the sweep's variant route
 * (`fdime:f=gan`, `nwj:neg=derangement`) in a dry run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TINY = ['--task', 'gaussian', '--mi', '2,4', '--steps-per-level', '6', '--hidden', '16', '--embed', '8', '--dim', '4', '--batch-size', '8', '--engine', 'wasm'];

interface RunJson { estimator: string; critic: string; boundOptions: { fdimeF?: string }; negatives?: string; steps: number; levels: { mean: number; nonFinite: number }[] }

for (const f of ['kl', 'gan', 'hd']) {
  for (const critic of ['separable', 'joint']) {
    test(`harness run --estimator fdime --fdime-f ${f} --critic ${critic}: trains, negatives by derangement by default`, () => {
      const r = harness(['run', ...TINY, '--estimator', 'fdime', '--fdime-f', f, '--critic', critic, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as RunJson;
      assert.equal(j.estimator, 'fdime');
      assert.equal(j.critic, critic);
      assert.deepEqual(j.boundOptions, { fdimeF: f });
      assert.equal(j.negatives, 'derangement');
      assert.equal(j.steps, 12);
      for (const l of j.levels) { assert.ok(Number.isFinite(l.mean)); assert.equal(l.nonFinite, 0); }
    });
  }
}

test('--negatives all gives f-DIME all n(n − 1) pairs (another trajectory); default f is kl; the table names the variant', () => {
  const der = JSON.parse(harness(['run', ...TINY, '--estimator', 'fdime', '--critic', 'joint', '--json']).stdout) as RunJson;
  const all = harness(['run', ...TINY, '--estimator', 'fdime', '--critic', 'joint', '--negatives', 'all', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const j = JSON.parse(all.stdout) as RunJson;
  assert.equal(j.negatives, undefined);
  assert.deepEqual(der.boundOptions, { fdimeF: 'kl' });
  assert.notDeepEqual(j.levels, der.levels);
  const table = harness(['run', ...TINY, '--estimator', 'fdime', '--fdime-f', 'hd', '--negatives', 'all']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout.split('\n')[0], /^fdime\(f=hd, all-pairs\) · separable critic/);
});

test('--negatives derangement on another estimator (nwj, both critics); unchanged output without it', () => {
  for (const critic of ['joint', 'separable']) {
    const r = harness(['run', ...TINY, '--estimator', 'nwj', '--critic', critic, '--negatives', 'derangement', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as RunJson;
    assert.equal(j.negatives, 'derangement');
    const plain = JSON.parse(harness(['run', ...TINY, '--estimator', 'nwj', '--critic', critic, '--json']).stdout) as RunJson;
    assert.equal(plain.negatives, undefined);
    assert.notDeepEqual(plain.levels, j.levels);
  }
  const t = harness(['run', ...TINY, '--estimator', 'nwj']);
  assert.match(t.stdout.split('\n')[0], /^nwj · separable critic/);
});

test('bad input: one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--estimator', 'fdime', '--fdime-f', 'js'], /^harness: --fdime-f: unknown value 'js' \(expected one of: kl, gan, hd\)$/],
    [['--estimator', 'nwj', '--negatives', 'some'], /^harness: --negatives: unknown value 'some'/],
    [['--estimator', 'infonce', '--negatives', 'derangement'], /^harness: --negatives derangement: estimator 'infonce' cannot use it: .*every y_j.*; use --negatives all$/],
    [['--estimator', 'alpha-infonce', '--negatives', 'derangement'], /^harness: --negatives derangement: estimator 'alpha-infonce' cannot use it/],
    [['--estimator', 'flatnce', '--negatives', 'derangement'], /^harness: --negatives derangement: estimator 'flatnce' cannot use it/],
    [['--estimator', 'nwj', '--fdime-f', 'kl'], /^harness: --fdime-f: only for --estimator fdime/],
  ];
  for (const [args, pattern] of cases) {
    const r = harness(['run', ...TINY, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], pattern);
    assert.equal(r.stdout, '');
  }
});

test('sweep: variants fdime:f=gan, fdime:f=hd:neg=all, nwj:neg=derangement plan the cells; infonce:neg=derangement is refused in one line', () => {
  const out = mkdtempSync(join(tmpdir(), 'mi-fdime-sweep-'));
  const r = harness(['sweep', '--preset', 'smoke', '--estimators', 'fdime:f=gan,fdime:f=hd:neg=all,nwj:neg=derangement,nwj', '--critics', 'joint', '--seeds', '1', '--out', out, '--dry-run', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const jobs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; hash: string; label: string; spec: { estimator: string; boundOptions: object; negatives?: string } }).filter((e) => e.type === 'job');
  const by = new Map(jobs.map((j) => [j.label.split(' ')[0], j.spec]));
  assert.deepEqual([...by.keys()].sort(), ['fdime:f=gan', 'fdime:f=hd:neg=all', 'nwj', 'nwj:neg=derangement']);
  assert.equal(by.get('fdime:f=gan')!.negatives, 'derangement');
  assert.equal('negatives' in by.get('fdime:f=hd:neg=all')!, false);
  assert.equal(by.get('nwj:neg=derangement')!.negatives, 'derangement');
  // Absent at its default: the plain nwj cell's spec has no negatives key (its address is unchanged).
  assert.equal('negatives' in by.get('nwj')!, false);
  assert.equal(new Set(jobs.map((j) => j.hash)).size, 4);
  const bad = harness(['sweep', '--preset', 'smoke', '--estimators', 'infonce:neg=derangement', '--out', out, '--dry-run']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^harness: --estimators: 'infonce:neg=derangement': estimator 'infonce' cannot use it/);
});

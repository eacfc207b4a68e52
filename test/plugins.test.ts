/**
 * Plugins (`--plugin FILE`, workers/plugins.ts; `harness check-plugin`, src/plugins/check.ts):
 *  - a plugin re-implementing a built-in bound (examples/plugins/my-infonce.mjs, InfoNCE) trains
 *    to exactly the built-in's numbers, in `run` and in a `sweep` with 2 workers;
 *  - the plugin file's sha256 is in its cells' specs (and only theirs): editing the plugin re-runs
 *    its cells and nothing else;
 *  - check-plugin passes every built-in bound and the examples, and flags a wrong gradient;
 *  - bad plugin files (missing, syntax error, wrong shape, name collision) exit 2 with one line,
 *    on every command that takes --plugin.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCellFile } from '../harness/sweep/compact.js';
import { ESTIMATORS, type BoundOptions } from '../src/types.js';
import { getBound } from '../src/bounds/index.js';
import { checkBound, checkTask } from '../src/plugins/check.js';
import { bmiSuite } from '../src/tasks/bmi/suite.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MY_INFONCE = join(ROOT, 'examples/plugins/my-infonce.mjs');
const CHANNEL = join(ROOT, 'examples/plugins/gaussian-channel.mjs');

function harness(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MI_HARNESS_NO_NATIVE: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const strip = (s: string) => { const o = JSON.parse(s); for (const k of ['msPerStep', 'wallMs', 'estimator', 'plugins']) delete o[k]; return o; };

const SMALL = ['--critic', 'separable', '--task', 'gaussian', '--mi', '2,4', '--steps-per-level', '60', '--hidden', '16', '--embed', '8', '--dim', '4', '--batch-size', '16', '--seed', '5'];

describe('a plugin re-implementing InfoNCE trains to the built-in numbers', () => {
  test('harness run: identical levels and trajectory (both critics, a staircase task and a BMI task)', () => {
    const common = ['--steps-per-level', '60', '--hidden', '16', '--embed', '8', '--batch-size', '16', '--seed', '5'];
    const variants = [
      SMALL,
      [...SMALL, '--critic', 'joint'],
      ['--critic', 'separable', '--task', 'bmi:bimodal', ...common],
      ['--critic', 'joint', '--task', 'bmi:swissroll-2x1', '--sample-size', '400', '--eval-every', '20', ...common],
    ];
    for (const use of variants) {
      const a = harness(['run', '--estimator', 'infonce', ...use, '--json']);
      const b = harness(['run', '--plugin', MY_INFONCE, '--estimator', 'my-infonce', ...use, '--json']);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.deepEqual(strip(b.stdout), strip(a.stdout), `run ${use.join(' ')}`);
      assert.deepEqual(JSON.parse(b.stdout).plugins, [sha256(MY_INFONCE)]);
      assert.equal(JSON.parse(a.stdout).plugins, undefined);
    }
  });

  test('harness sweep --workers 2: identical cells; only the plugin cells carry the plugin hash; editing it re-runs them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-plugin-sweep-'));
    const plugin = join(dir, 'my-infonce.mjs');
    copyFileSync(MY_INFONCE, plugin);
    const out = join(dir, 'store');
    const args = ['sweep', '--preset', 'smoke', '--estimators', 'infonce,my-infonce', '--critics', 'separable,joint', '--seeds', '2', '--workers', '2', '--no-gpu', '--json', '--out', out];
    const r = harness([...args, '--plugin', plugin]);
    assert.equal(r.code, 0, r.stderr);
    const cells = readdirSync(join(out, 'cells')).map((f) => JSON.parse(decodeCellFile(readFileSync(join(out, 'cells', f)), f)));
    assert.equal(cells.length, 8);
    const key = (c: { spec: { critic: string; seed: number } }) => `${c.spec.critic}/${c.spec.seed}`;
    const builtin = new Map(cells.filter((c) => c.spec.estimator === 'infonce').map((c) => [key(c), c]));
    for (const c of cells.filter((c) => c.spec.estimator === 'my-infonce')) {
      assert.deepEqual(c.spec.plugins, [sha256(plugin)]);
      const b = builtin.get(key(c));
      assert.ok(b, key(c));
      assert.equal(b.spec.plugins, undefined);
      assert.deepEqual(c.levels, b.levels, key(c));
      assert.deepEqual(c.trajectory, b.trajectory, key(c));
    }
    // The built-in cells are addressed exactly as in a sweep without any plugin.
    const dry = harness(['sweep', '--preset', 'smoke', '--estimators', 'infonce', '--critics', 'separable,joint', '--seeds', '2', '--dry-run', '--json']);
    const hashes = dry.stdout.trim().split('\n').map((l) => JSON.parse(l).hash as string).sort();
    assert.deepEqual([...builtin.values()].map((c) => c.hash).sort(), hashes);
    // Editing the plugin re-runs its 4 cells, and only those.
    appendFileSync(plugin, '\n// edited\n');
    const again = harness([...args, '--plugin', plugin]);
    assert.equal(again.code, 0, again.stderr);
    const plan = again.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'plan');
    assert.deepEqual([plan.cached, plan.pending], [4, 4]);
    assert.equal(readdirSync(join(out, 'cells')).length, 12);
    // The report reads plugin cells with and without the plugin loaded.
    for (const extra of [[], ['--plugin', plugin]]) {
      const rep = harness(['report', out, '--no-plots', '--resamples', '200', ...extra]);
      assert.equal(rep.code, 0, rep.stderr);
      assert.match(readFileSync(join(out, 'LEADERBOARD.md'), 'utf8'), /my-infonce/);
    }
  });
});

test('a plugin task runs in a 2-worker sweep: its cells take the task\'s dimensions and true MI and carry the plugin hash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-plugin-task-'));
  const out = join(dir, 'store');
  const r = harness(['sweep', '--preset', 'smoke', '--plugin', CHANNEL, '--tasks', `example:gaussian-channel-3x2,gaussian`, '--estimators', 'infonce', '--seeds', '2', '--workers', '2', '--no-gpu', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const cells = readdirSync(join(out, 'cells')).map((f) => JSON.parse(decodeCellFile(readFileSync(join(out, 'cells', f)), f)));
  const mine = cells.filter((c) => c.spec.task === 'example:gaussian-channel-3x2');
  assert.equal(mine.length, 2);
  for (const c of mine) {
    assert.deepEqual([c.spec.dim, c.spec.dimY, c.spec.plugins], [3, 2, [sha256(CHANNEL)]]);
    assert.equal(c.spec.mi.length, 1);
    assert.ok(Math.abs(c.spec.mi[0] - 0.5 * Math.log(2.25 * 3 - 0.25)) < 1e-15);
  }
  for (const c of cells.filter((c) => c.spec.task === 'gaussian')) assert.equal(c.spec.plugins, undefined);
});

describe('check-plugin', () => {
  test('every built-in bound passes the checks check-plugin runs', () => {
    const options: Partial<Record<string, BoundOptions>> = { mice: { miceBlockPartition: false } };
    for (const name of ESTIMATORS) {
      // MICE with its partition gradient blocked is, by design, not the gradient of its objective
      // (Algorithm 1); every other reading is.
      const results = checkBound(getBound(name), options[name] ?? {});
      for (const r of results) assert.ok(r.ok, `${name}: ${r.check} — ${r.detail}`);
      assert.equal(results.length, 4, name);
    }
  });

  test('every BMI task passes the task checks', () => {
    for (const t of bmiSuite().slice(0, 12)) for (const r of checkTask(t)) assert.ok(r.ok, `${t.id}: ${r.check} — ${r.detail}`);
  });

  test('the examples pass (exit 0); a wrong gradient is flagged by name (exit 5)', () => {
    const ok = harness(['check-plugin', MY_INFONCE, CHANNEL]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /9 of 9 checks passed/);
    const dir = mkdtempSync(join(tmpdir(), 'mi-plugin-bad-'));
    const bad = join(dir, 'half-grad.mjs');
    writeFileSync(bad, `
      export default { bounds: [{ name: 'half-grad', lowerBound: true, evaluate(s, n) {
        // NWJ's value, but a gradient half of what it should be on the diagonal.
        let diag = 0, marg = 0; const grad = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          if (i === j) { diag += s[i * n + j] / n; grad[i * n + j] = 0.5 / n; }
          else { const e = Math.exp(s[i * n + j] - 1) / (n * (n - 1)); marg += e; grad[i * n + j] = -e; }
        }
        return { estimate: diag - marg, objective: diag - marg, grad };
      } }] };`);
    const r = harness(['check-plugin', bad]);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL\s+bound half-grad: gradient/);
    assert.match(r.stdout, /3 of 4 checks passed; failing: bound half-grad/);
    const rnd = join(dir, 'random-task.mjs');
    writeFileSync(rnd, `export default { tasks: [{ id: 'noisy', dimX: 1, dimY: 1, trueMi: 0,
      sample(n) { const x = new Float64Array(n), y = new Float64Array(n); for (let i = 0; i < n; i++) { x[i] = Math.random(); y[i] = Math.random(); } return { x, y }; } }] };`);
    const t = harness(['check-plugin', rnd]);
    assert.equal(t.code, 5, t.stdout + t.stderr);
    assert.match(t.stdout, /FAIL\s+task noisy: deterministic/);
    assert.match(t.stdout, /FAIL\s+task noisy: own stream only: sampling never calls Math\.random/);
  });
});

describe('bad plugin files: one line, exit 2, on every command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-plugin-input-'));
  const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  const cases: [string, string, RegExp][] = [
    ['missing', join(dir, 'nope.mjs'), /cannot read .*nope\.mjs.*ENOENT/],
    ['syntax error', file('syntax.mjs', 'export default { bounds: [ {'), /syntax\.mjs' does not load: SyntaxError/],
    ['no default export', file('nodefault.mjs', 'export const bounds = [];'), /default export must be an object/],
    ['bound without evaluate', file('shape.mjs', "export default { bounds: [{ name: 'x', lowerBound: true }] };"), /bounds\[0\]\.evaluate must be a function/],
    ['task with bad dims', file('dims.mjs', "export default { tasks: [{ id: 't', dimX: 0, dimY: 1, sample() {} }] };"), /tasks\[0\]\.dimX must be an integer >= 1/],
    ['bound name collision', file('nwj.mjs', "export default { bounds: [{ name: 'nwj', lowerBound: true, evaluate() {} }] };"), /bound 'nwj' collides with a built-in estimator/],
    ['task id collision', file('task.mjs', "export default { tasks: [{ id: 'bmi:binormal', dimX: 1, dimY: 1, trueMi: 1, sample() {} }] };"), /task 'bmi:binormal' collides with a built-in task/],
    ['throws at import', file('throws.mjs', "throw new Error('boom');\nexport default {};"), /throws\.mjs' does not load: boom/],
  ];
  for (const [what, path, pattern] of cases) {
    test(what, () => {
      const store = join(dir, `store-${what.replace(/\W/g, '-')}`);
      const out = join(dir, 'run.json');
      for (const args of [
        ['run', '--plugin', path, '--estimator', 'nwj', ...SMALL, '--out', out],
        ['sweep', '--preset', 'smoke', '--plugin', path, '--out', store],
        ['report', store, '--plugin', path],
        ['check-plugin', path],
        ['tasks', '--plugin', path],
      ]) {
        const r = harness(args);
        assert.equal(r.code, 2, `${args[0]}: exit ${r.code}: ${r.stderr}`);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `${args[0]}: one line: ${r.stderr}`);
        assert.match(lines[0], /^harness: --plugin: /);
        assert.match(lines[0], pattern);
        assert.equal(existsSync(store), false, `${args[0]}: nothing written`);
        assert.equal(existsSync(out), false);
      }
    });
  }
});

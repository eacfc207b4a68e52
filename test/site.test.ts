/**
 * `harness site`: the same store gives a byte-identical site (every file, two fresh builds and a
 * rebuild over an earlier one); the charts are the report's own Vega-Lite specs; the page's data
 * and the drill-down files say what the store holds; bad --out / DIR exit 2 with one line; the
 * field table (issue 22) is on the page when the store or a companion store (`--with`) holds the
 * field suites' cells, and is then the field store's LEADERBOARD.md table (field.csv equal).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSite } from '../harness/site.js';
import { loadStore } from '../harness/report.js';
import { aggregate } from '../src/stats/aggregate.js';
import { buildPlots } from '../src/report/plots.js';
import { reproduction } from '../src/stats/reproduction.js';
import type { SiteCell, SiteData } from '../src/report/siteData.js';
import { UsageError } from '../src/errors.js';
import { fakeGan, fixtureCells, PAPER_LIKE, writeStore, type FakeEstimator } from './report-fixtures.js';
import { writeReport } from '../harness/report.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));

async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p); else out.set(relative(dir, p).split(sep).join('/'), await readFile(p));
    }
  };
  await walk(dir);
  return out;
}

function pageData(html: string): SiteData {
  const m = /<script type="application\/json" id="site-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'index.html inlines the site data');
  return JSON.parse(m[1]) as SiteData;
}

async function store(root: string): Promise<string> {
  const dir = join(root, 'store');
  const cells = [
    ...fixtureCells({ estimators: PAPER_LIKE, seeds: [1, 2, 3], critics: ['separable', 'joint'], tasks: ['gaussian', 'cubic'], stepsPerLevel: 40 }),
    ...fixtureCells({ estimators: PAPER_LIKE.slice(3), seeds: [1, 2], batchRhos: [0.3], stepsPerLevel: 40 }),
  ];
  await writeStore(dir, cells, [1, 2].flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]));
  return dir;
}

test('the same store gives a byte-identical site, fresh or rebuilt over an earlier build', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-site-'));
  try {
    const dir = await store(root);
    const opts = { resamples: 200, warn: () => {} };
    const a = join(root, 'a'), b = join(root, 'b');
    const ra = await writeSite(dir, a, opts);
    const rb = await writeSite(dir, b, opts);
    const sa = await snapshot(a), sb = await snapshot(b);
    assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort());
    for (const [f, bytes] of sa) assert.ok(bytes.equals(sb.get(f)!), `${f} differs between two builds of the same store`);
    assert.deepEqual(ra.files, rb.files);
    // A rebuild over an earlier build of a bigger store drops what this build does not write.
    await writeFile(join(b, 'cells', 'stale-cell.json'), '{}');
    await mkdir(join(b, 'plots', 'old'), { recursive: true });
    await writeFile(join(b, 'plots', 'old', 'x.svg'), '<svg/>');
    await writeSite(dir, b, opts);
    const sc = await snapshot(b);
    assert.deepEqual([...sc.keys()].sort(), [...sa.keys()].sort());
    for (const [f, bytes] of sa) assert.ok(bytes.equals(sc.get(f)!), `${f} differs after a rebuild`);
    // Nothing in the pages depends on the clock.
    const html = sa.get('index.html')!.toString('utf8');
    assert.doesNotMatch(html.replace(/"startedAt":"[^"]*"/g, ''), /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the site holds the report\'s Vega-Lite specs, one row per group and level, and one drill-down file per cell', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-site-'));
  try {
    const dir = await store(root);
    const out = join(root, 'site');
    const r = await writeSite(dir, out, { resamples: 200, warn: () => {}, svg: false });
    const summary = aggregate((await loadStore(dir, () => {})).records, { resamples: 200 });
    const plots = buildPlots(summary);
    assert.equal(r.plots, plots.length);
    for (const p of plots) {
      const json = JSON.parse(await readFile(join(out, 'plots', p.name.replace(/\.svg$/, '.json')), 'utf8'));
      assert.deepEqual(json, JSON.parse(JSON.stringify(p.spec)), `${p.name}: the page's spec is the report's`);
    }
    const data = pageData(await readFile(join(out, 'index.html'), 'utf8'));
    assert.equal(data.contexts.length, summary.contexts.length);
    assert.equal(data.rows.length, summary.groups.reduce((a, g) => a + g.levels.length, 0));
    assert.equal(data.source.cells, 5 * 3 * 4 + 2 * 2);
    assert.deepEqual(data.gan.map((g) => g.label).sort(), ['mice', 'vanilla']);
    // Row values are the aggregate's, to six significant digits.
    const g0 = summary.groups[0];
    assert.equal(data.rows[0].mse[0], Number(g0.levels[0].mse.estimate.toPrecision(6)));
    // The claims table is REPRODUCTION.md's: the same function on the same summary and figures.
    const rep = reproduction(summary, plots, { resamples: 200 });
    assert.ok(data.claims && data.claims.rows.length === rep.rows.length && rep.rows.length > 0);
    assert.deepEqual(data.claims.rows.map((r) => [r.id, r.verdict, r.valueText]), rep.rows.map((r) => [r.id, r.verdict, r.valueText]));
    // Every cell listed has its drill-down file, and it carries the cell's trajectory and levels.
    const ids = data.groups.flatMap((g) => g.cells);
    assert.equal(ids.length, data.source.cells);
    const cellFiles = (await readdir(join(out, 'cells'))).sort();
    assert.deepEqual(cellFiles, ids.map((id) => `${id}.json`).sort());
    const cell = JSON.parse(await readFile(join(out, 'cells', `${ids[0]}.json`), 'utf8')) as SiteCell;
    assert.equal(cell.levels.length, 5);
    assert.equal(cell.trajectory.step.length, cell.trajectory.estimate.length);
    assert.ok(cell.provenance.cpu === 'Fixture CPU');
    // The assets the pages load are there: scripts, styles, kernels, vega.
    for (const f of ['site.js', 'playground.js', 'playground-worker.js', 'site.css', 'kernels-relaxed.wasm', 'kernels-simd.wasm', 'vega.min.js', 'vega-lite.min.js']) {
      assert.ok(r.files.includes(`assets/${f}`), `assets/${f}`);
    }
    // Page weight stays small (README states it): the first load of index.html with its scripts.
    assert.ok(r.indexBytes < 1.2 * 1024 * 1024, `index first load ${r.indexBytes} bytes`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('harness site: a non-empty --out that is not a site, --out inside the store, or a missing DIR exit 2 with one line', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-site-'));
  try {
    const dir = await store(root);
    const other = join(root, 'mine');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');
    await assert.rejects(writeSite(dir, other, { warn: () => {} }), (e) => e instanceof UsageError && /not empty/.test(e.message));
    assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'keep me');
    for (const args of [['site', dir, '--out', other], ['site', dir, '--out', root], ['site', join(root, 'nope'), '--out', join(root, 'x')], ['site', dir, '--out', join(root, 'y'), '--resamples', 'ten']]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^harness: /);
    }
    assert.equal(await readFile(join(other, 'notes.txt'), 'utf8'), 'keep me');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the static server serves the site on 127.0.0.1 with the right types and nothing outside it', async () => {
  const { serveStatic } = await import('../harness/serve.js');
  const { request } = await import('node:http');
  const root = await mkdtemp(join(tmpdir(), 'mi-serve-'));
  try {
    await mkdir(join(root, 'site', 'assets'), { recursive: true });
    await writeFile(join(root, 'site', 'index.html'), '<p>hi</p>');
    await writeFile(join(root, 'site', 'assets', 'k.wasm'), Buffer.from([0, 97, 115, 109]));
    await writeFile(join(root, 'secret.txt'), 'no');
    const srv = await serveStatic(join(root, 'site'));
    try {
      assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      // Raw paths (no client-side normalisation), as a hostile client would send them.
      const get = (path: string) => new Promise<{ status: number; type: string; body: string }>((ok, fail) => {
        const req = request({ host: '127.0.0.1', port: srv.port, path }, (res) => {
          let body = '';
          res.on('data', (c) => { body += c; });
          res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        });
        req.on('error', fail);
        req.end();
      });
      const index = await get('/');
      assert.equal(index.status, 200);
      assert.match(index.type, /^text\/html/);
      assert.equal((await get('/assets/k.wasm')).type, 'application/wasm');
      assert.equal((await get('/nope.html')).status, 404);
      for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt']) {
        const r = await get(p);
        assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
        assert.notEqual(r.body, 'no');
      }
    } finally {
      await srv.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

const GOOD: FakeEstimator = { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.05, sd: () => 0.1 };
const MID: FakeEstimator = { estimator: 'nwj', bias: (mi) => -0.1 * mi, sd: () => 0.3 };
const UPPER: FakeEstimator = { estimator: 'club', bias: (mi) => 0.2 * mi, sd: () => 0.2 };
const DIVERGES: FakeEstimator = { estimator: 'dv', bias: () => 0, sd: () => 0.1, divergeAt: () => 10 };

/** A field store (paper staircases, f-DIME's asinh, a mixture) and a BMI store, as the field and bmi presets write them. */
async function fieldStores(root: string): Promise<{ field: string; bmi: string }> {
  const field = join(root, 'field'), bmi = join(root, 'bmi');
  await writeStore(field, [
    ...fixtureCells({ estimators: [GOOD, MID, UPPER, DIVERGES], seeds: [0, 1, 2], tasks: ['gaussian', 'asinh'], stepsPerLevel: 40 }),
    ...fixtureCells({ estimators: [GOOD, MID, UPPER, DIVERGES], seeds: [0, 1, 2], tasks: ['mix:x'], mi: [0.4106], stepsPerLevel: 40 }),
  ]);
  const held = fixtureCells({ estimators: [GOOD], seeds: [0, 1], tasks: ['bmi:binormal'], mi: [0.41], stepsPerLevel: 40 })
    .map((c) => ({ ...c, spec: { ...c.spec, finiteSample: { size: 100, testShare: 0.5, evalEvery: 10 } }, heldOut: { estimate: 0.4, final: 0.39, evals: [], steps: 40, trainSize: 50, testSize: 50 } }));
  await writeStore(bmi, held);
  return { field, bmi };
}

test('--with: a companion field store puts its field table on the page (the field store\'s own LEADERBOARD table); without one, field is null', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-site-'));
  try {
    const dir = await store(root);
    const { field, bmi } = await fieldStores(root);
    const opts = { resamples: 200, warn: () => {}, svg: false };
    const out = join(root, 'site');
    const r = await writeSite(dir, out, { ...opts, with: [field, bmi] });
    const html = await readFile(join(out, 'index.html'), 'utf8');
    const data = pageData(html);
    assert.deepEqual(data, JSON.parse(JSON.stringify(r.data)));
    const f = data.field;
    assert.ok(f, 'the page has the field table');
    assert.deepEqual(f.suites, ['paper staircases', 'f-DIME staircases', 'mixtures', 'BMI']);
    // The site's own store (the paper fixture: nwj, smile, infonce, mice on gaussian and cubic)
    // does not join: its rows are the companions' estimators only.
    assert.deepEqual(f.rows.map((x) => x.label).sort(), ['club · separable', 'dv · separable', 'nwj · separable', 'smile(τ=1) · separable']);
    assert.deepEqual(f.coverage.map((c) => [c.suite, c.tasks, c.seeds, c.estimators]), [
      ['paper staircases', ['gaussian'], [0, 1, 2], 4], ['f-DIME staircases', ['asinh'], [0, 1, 2], 4],
      ['mixtures', ['mix:x'], [0, 1, 2], 4], ['BMI', ['bmi:binormal'], [0, 1], 1],
    ]);
    assert.ok(f.coverage.every((c) => c.note.length > 0), 'each suite says what it holds');
    const byLabel = new Map(f.rows.map((x) => [x.label, x]));
    const good = byLabel.get('smile(τ=1) · separable')!, dv = byLabel.get('dv · separable')!;
    assert.equal(byLabel.get('club · separable')!.kind, 'upper');
    assert.equal(byLabel.get('nwj · separable')!.kind, 'lower');
    assert.equal(good.kind, 'estimate', 'SMILE clips, so it bounds nothing');
    assert.deepEqual(f.commonSuites, ['paper staircases', 'f-DIME staircases', 'mixtures']);
    assert.equal(f.rows[0].label, 'smile(τ=1) · separable', 'ordered by mean rank');
    assert.equal(good.suites[0]!.rank, 1);
    assert.equal(good.suites[0]!.of, 4);
    assert.equal(good.suites[3]!.of, 1, 'BMI: one estimator ran it');
    assert.equal(byLabel.get('nwj · separable')!.suites[3], null, 'nwj did not run BMI');
    // A diverged estimator: an infinite IQM (JSON has no ∞), last in every suite it ran.
    assert.equal(dv.suites[1]!.iqm[0], 'Infinity');
    assert.equal(dv.suites[1]!.rank, 4);
    assert.equal(f.rows.at(-1)!.label, 'dv · separable');
    assert.equal(f.costSuite, 'f-DIME staircases');
    assert.ok(f.rows.every((x) => x.costClock === 'wall' && typeof x.cost === 'number'), 'fixture cells carry wall time only');
    // The same numbers as the field store's own report with the BMI store beside it.
    await writeReport(field, { plots: false, resamples: 200, with: [bmi], warn: () => {} });
    assert.equal(await readFile(join(out, 'field.csv'), 'utf8'), await readFile(join(field, 'field.csv'), 'utf8'));
    assert.ok(r.files.includes('field.csv'));
    assert.match(html, /<a href="index.html#field">Field table<\/a>/);
    assert.match(html, /<section id="field">/);
    assert.match(await readFile(join(out, 'playground.html'), 'utf8'), /index.html#field/);
    // Byte-identical: a second build with the same companions.
    const again = join(root, 'again');
    await writeSite(dir, again, { ...opts, with: [field, bmi] });
    const sa = await snapshot(out), sb = await snapshot(again);
    assert.deepEqual([...sa.keys()].sort(), [...sb.keys()].sort());
    for (const [k, bytes] of sa) assert.ok(bytes.equals(sb.get(k)!), `${k} differs between two builds`);

    // A companion without field cells (BMI alone) and no companion: no field table anywhere.
    for (const w of [[bmi], []]) {
      const o2 = join(root, `plain-${w.length}`);
      const r2 = await writeSite(dir, o2, { ...opts, with: w });
      const html2 = await readFile(join(o2, 'index.html'), 'utf8');
      assert.equal(pageData(html2).field, null);
      assert.equal(r2.data.field, null);
      assert.ok(!r2.files.includes('field.csv'));
      assert.doesNotMatch(html2, /#field|id="field"/);
    }
    // The field store as the site's own store calls for the table itself, and its records join.
    const own = await writeSite(field, join(root, 'own'), { ...opts, with: [bmi] });
    assert.deepEqual(own.data.field, f);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('harness site --with: a missing companion store exits 2 with one line naming --with; --out may not hold a companion', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mi-site-'));
  try {
    const dir = await store(root);
    const { field } = await fieldStores(root);
    const r = spawnSync(process.execPath, [CLI, 'site', dir, '--out', join(root, 'x'), '--with', field, '--with', join(root, 'nope')], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^harness: .*--with.*nope/);
    await assert.rejects(writeSite(dir, join(root, 'field'), { warn: () => {}, with: [field] }), (e) => e instanceof UsageError && e.message.includes(`would hold the cell store ${field}`));
    const ok = spawnSync(process.execPath, [CLI, 'site', dir, '--out', join(root, 'y'), '--with', field, '--resamples', '200', '--no-svg'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /field table of 4 estimator\(s\) on 3 suite\(s\)/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * `harness site`: the same store gives a byte-identical site (every file, two fresh builds and a
 * rebuild over an earlier one); the charts are the report's own Vega-Lite specs; the page's data
 * and the drill-down files say what the store holds; bad --out / DIR exit 2 with one line.
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
import { fakeGan, fixtureCells, PAPER_LIKE, writeStore } from './report-fixtures.js';

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

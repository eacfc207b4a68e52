/**
 * The results site and the playground in a real browser: Debian's Chromium, headless, driven by
 * playwright-core through executablePath (nothing is downloaded). The site is built from a
 * synthetic store by `harness site` and served on 127.0.0.1 (WebAssembly, module workers and
 * fetch need an http origin). Checks: the site loads and draws every chart with no console
 * error; filters change the table; sorting orders it; a drill-down opens with its trajectory,
 * level table and provenance; the playground's data-estimate equals `harness run`'s last-level
 * mean for the same spec within 1e-4 relative (wasm), and on WebGPU where Chromium gives an adapter
 * (SwiftShader, --enable-unsafe-webgpu); a bad URL parameter is named on the page; the field table
 * (from a companion store, `--with`) renders with its suites, bound types and sorting.
 * Screenshots go to $MI_SCREENSHOTS (default: a folder under the OS temp dir).
 *
 * Run with `npm run test:browser` (not part of `npm test`); .ci/run installs chromium first.
 * Where no chromium is on PATH (or in $CHROMIUM), every test skips with a loud message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeSite } from '../harness/site.js';
import { serveStatic, type StaticServer } from '../harness/serve.js';
import type { SiteData } from '../src/report/siteData.js';
import { fixtureCells, PAPER_LIKE, writeStore, type FakeEstimator } from '../test/report-fixtures.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const SHOTS = process.env.MI_SCREENSHOTS ?? join(tmpdir(), 'mi-harness-browser-screenshots');

/** Chromium: $CHROMIUM, else the first of chromium / chromium-browser on PATH. */
function findChromium(): string | null {
  const candidates = process.env.CHROMIUM ? [process.env.CHROMIUM] : (process.env.PATH ?? '').split(delimiter).filter(Boolean)
    .flatMap((d) => ['chromium', 'chromium-browser'].map((n) => join(d, n)));
  for (const c of candidates) {
    try { accessSync(c, constants.X_OK); return c; } catch { /* next */ }
  }
  return null;
}

const executablePath = findChromium();
const skip = executablePath ? false : 'chromium NOT FOUND (install Debian\'s chromium, or set CHROMIUM): the browser tests did not run';
if (!executablePath) {
  process.stderr.write(`\n${'!'.repeat(78)}\n!! ${skip}\n${'!'.repeat(78)}\n\n`);
}

let root: string;
let server: StaticServer;
let browser: Browser;
let data: SiteData;

before(async () => {
  if (!executablePath) return;
  root = await mkdtemp(join(tmpdir(), 'mi-browser-'));
  const store = join(root, 'store');
  await writeStore(store, fixtureCells({ estimators: PAPER_LIKE, seeds: [1, 2, 3], critics: ['separable', 'joint'], tasks: ['gaussian', 'cubic'], stepsPerLevel: 40 }));
  // A companion field store (issue 22's field table): a lower bound, an upper bound, one that diverges.
  const field = join(root, 'field');
  const fieldEstimators: FakeEstimator[] = [
    { estimator: 'nwj', bias: (mi) => -0.1 * mi, sd: () => 0.3 },
    { estimator: 'club', bias: (mi) => 0.2 * mi, sd: () => 0.2 },
    { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.05, sd: () => 0.1 },
    { estimator: 'dv', bias: () => 0, sd: () => 0.1, divergeAt: () => 10 },
  ];
  await writeStore(field, [
    ...fixtureCells({ estimators: fieldEstimators, seeds: [0, 1, 2], tasks: ['gaussian', 'asinh', 'half-cube'], stepsPerLevel: 40 }),
    ...fixtureCells({ estimators: fieldEstimators, seeds: [0, 1, 2], tasks: ['mix:x'], mi: [0.4106], stepsPerLevel: 40 }),
  ]);
  const site = await writeSite(store, join(root, 'site'), { resamples: 200, warn: () => {}, svg: false, with: [field] });
  data = site.data;
  server = await serveStatic(join(root, 'site'));
  browser = await chromium.launch({
    executablePath,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A page that records console errors, uncaught exceptions and failed requests. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(server.url + path);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, errors };
}

const visibleRows = (page: Page) => page.$$eval('#table tbody tr', (trs) => trs.map((tr) => Number(tr.getAttribute('data-row'))));

test('the site loads, draws every chart and the headline, with no console error', { skip }, async () => {
  const { page, errors } = await open('index.html');
  assert.equal((await visibleRows(page)).length, data.rows.length);
  assert.ok(await page.$('#headline-table'));
  const cards = await page.$$('.chart-card');
  assert.equal(cards.length, data.plots.length);
  for (const c of cards) {
    await c.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.getAttribute('data-drawn') === '1' || /could not/.test(el.textContent ?? ''), c, { timeout: 30_000 });
    assert.equal(await c.getAttribute('data-drawn'), '1', `chart ${await c.getAttribute('data-plot')} drew`);
    assert.ok(await c.$('canvas'), 'a Vega view is mounted');
  }
  await page.screenshot({ path: join(SHOTS, 'site-charts.png') });
  // Interactive: hovering a point of the ranking shows its values; the wheel zooms the axis.
  const ranking = (await page.$('.chart-card[data-plot="ranking"]'))!;
  const canvas = (await ranking.$('canvas'))!;
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  let tip: string | null = null;
  for (let y = box.y + 2; y < box.y + box.height && !tip; y += 4) {
    for (let x = box.x + 2; x < box.x + box.width && !tip; x += 8) {
      await page.mouse.move(x, y);
      tip = await ranking.$eval('.plot', (p) => p.getAttribute('title'));
    }
  }
  assert.match(tip ?? '', /^est: .+\nmean: /, 'a tooltip names the estimator and its value');
  const before = await canvas.screenshot();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(300);
  assert.ok(!before.equals(await canvas.screenshot()), 'the wheel zooms the chart');
  await page.mouse.wheel(0, -1e6);
  await page.screenshot({ path: join(SHOTS, 'site-index.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('filters change the table and the URL; a column click sorts it', { skip }, async () => {
  const { page, errors } = await open('index.html');
  const critic = (i: number) => data.contexts[data.groups[data.rows[i].g].ctx].critic;
  await page.click('#filters fieldset[data-facet="critic"] input[value="joint"]');
  const rows = await visibleRows(page);
  assert.equal(rows.length, data.rows.filter((_, i) => critic(i) === 'separable').length);
  assert.ok(rows.length > 0 && rows.length < data.rows.length);
  assert.ok(rows.every((i) => critic(i) === 'separable'));
  assert.match(page.url(), /\?critic=separable/);
  assert.match(await page.textContent('#count') ?? '', new RegExp(`^${rows.length} of ${data.rows.length} rows`));
  // Charts follow the filter: no chart drawn only from joint contexts is shown.
  const shown = await page.$$eval('.chart-card:not([hidden])', (cs) => cs.map((c) => c.getAttribute('data-plot')));
  for (const name of shown) {
    const p = data.plots.find((x) => x.name === name)!;
    assert.ok(p.contexts.length === 0 || p.contexts.some((c) => data.contexts[c].critic === 'separable'), `${name} is shown`);
  }
  // A second facet narrows further; the filter survives a reload through the URL.
  await page.click('#filters fieldset[data-facet="estimator"] input[value="nwj"]');
  const rows2 = await visibleRows(page);
  assert.ok(rows2.length < rows.length && rows2.every((i) => data.groups[data.rows[i].g].label !== 'nwj'));
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.deepEqual(await visibleRows(page), rows2);
  // Sorting by MSE: ascending, then descending, missing values last both times.
  const mse = (i: number) => data.rows[i].mse[0];
  await page.click('#table th[data-key="mse"]');
  const asc = await visibleRows(page);
  const key = (i: number) => mse(i) ?? Infinity;
  for (let k = 1; k < asc.length; k++) assert.ok(key(asc[k - 1]) <= key(asc[k]), `ascending at ${k}`);
  assert.equal(await page.getAttribute('#table th[data-key="mse"]', 'aria-sort'), 'ascending');
  await page.click('#table th[data-key="mse"]');
  const desc = (await visibleRows(page)).filter((i) => mse(i) !== null);
  for (let k = 1; k < desc.length; k++) assert.ok(mse(desc[k - 1])! >= mse(desc[k])!, `descending at ${k}`);
  await page.screenshot({ path: join(SHOTS, 'site-filtered.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a drill-down opens: group → cell with its trajectory, level table and provenance; and from its URL', { skip }, async () => {
  const { page, errors } = await open('index.html');
  const first = data.rows[0];
  const group = data.groups[first.g];
  await page.click('#table tbody tr[data-row="0"]');
  await page.waitForSelector('#drill[data-view="group"]:not([hidden])');
  assert.equal(await page.$$eval('#drill tr[data-cell]', (r) => r.length), group.cells.length);
  await page.click(`#drill tr[data-cell="${group.cells[0]}"] td`);
  await page.waitForSelector('#cell-plot[data-drawn="1"]', { timeout: 30_000 });
  assert.match(page.url(), new RegExp(`#cell=${group.cells[0]}$`));
  assert.equal(await page.$$eval('#cell-levels tbody tr', (r) => r.length), data.contexts[group.ctx].trueMi.length);
  assert.match(await page.textContent('#cell-provenance') ?? '', /Fixture CPU/);
  assert.match(await page.textContent('#drill h2') ?? '', new RegExp(`${group.label.replace(/[()]/g, '\\$&')}.*seed ${group.seeds[0]}`));
  await page.screenshot({ path: join(SHOTS, 'site-drilldown.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#drill', 'hidden'), '');
  // The drill-down's URL opens it directly.
  const other = data.groups[data.groups.length - 1].cells[0];
  await page.goto(`${server.url}index.html#cell=${other}`);
  await page.waitForSelector('#cell-plot[data-drawn="1"]', { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the reproduction claims table shows every claim with its verdict; a figure link opens the chart', { skip }, async () => {
  const { page, errors } = await open('index.html#reproduction');
  const claims = data.claims;
  if (!claims || claims.rows.length === 0) {
    assert.match(await page.textContent('#claims') ?? '', /no reproduction claims/);
  } else {
    const ids = await page.$$eval('#claims-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-claim')));
    assert.deepEqual(ids, claims.rows.map((r) => r.id));
    const verdicts = await page.$$eval('#claims-table tbody tr td[class^="verdict-"]', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(verdicts, claims.rows.map((r) => r.verdict));
    await page.screenshot({ path: join(SHOTS, 'site-claims.png') });
    const withFigure = claims.rows.find((r) => r.figures.length > 0);
    if (withFigure) {
      await page.click(`#claims-table tr[data-claim="${withFigure.id}"] a[href^="#plot="]`);
      await page.waitForSelector('#drill-plot[data-drawn="1"]', { timeout: 30_000 });
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the field table renders: its suites as columns, bound types marked, sorting by a suite, linked from the nav', { skip }, async () => {
  const f = data.field!;
  assert.ok(f, 'the fixture site has a field table');
  const { page, errors } = await open('index.html#field');
  assert.ok(await page.$('header.top nav a[href="index.html#field"]'));
  const heads = await page.$$eval('#field-tbl thead th', (ths) => ths.map((th) => th.textContent));
  for (const su of f.suites) assert.ok(heads.includes(su), `column ${su}`);
  const labels = await page.$$eval('#field-tbl tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent));
  assert.deepEqual(labels, f.rows.map((r) => r.label));
  const kinds = await page.$$eval('#field-tbl tbody tr .kind', (ks) => ks.map((k) => k.textContent));
  assert.deepEqual(kinds, f.rows.map((r) => ({ lower: 'lower bound', upper: 'upper bound', estimate: 'estimate' })[r.kind]));
  assert.ok(kinds.includes('upper bound') && kinds.includes('lower bound'));
  // The diverged estimator reads ∞; every suite's first is bold.
  const dv = f.rows.findIndex((r) => r.estimator === 'dv');
  assert.match(await page.textContent(`#field-tbl tbody tr[data-field-row="${dv}"]`) ?? '', /∞/);
  assert.equal(await page.$$eval('#field-tbl td.best', (tds) => tds.length), f.suites.length);
  await page.locator('#field').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'site-field.png') });
  // Sort by the mixtures' column: ascending IQM, ∞ last.
  const k = f.suites.indexOf('mixtures');
  await page.click(`#field-tbl thead th:nth-child(${4 + k})`);
  const order = await page.$$eval('#field-tbl tbody tr', (trs) => trs.map((tr) => Number(tr.getAttribute('data-field-row'))));
  const key = (i: number) => { const v = f.rows[i].suites[k]?.iqm[0]; return v === 'Infinity' ? Infinity : v ?? Infinity; };
  for (let j = 1; j < order.length; j++) assert.ok(key(order[j - 1]) <= key(order[j]), `ascending at ${j}`);
  assert.match(await page.textContent('#field-coverage') ?? '', /mixtures: \d+ estimator\(s\)/);
  assert.deepEqual(errors, []);
  await page.close();
});

const PLAYGROUND_SPECS: Record<string, string>[] = [
  { estimator: 'smile', tau: '1', critic: 'separable', task: 'gaussian', mi: '2,4', steps: '60', seed: '3' },
  { estimator: 'infonce', critic: 'joint', task: 'cubic', mi: '1,3', steps: '16', seed: '1' },
  { estimator: 'mice', critic: 'separable', task: 'gaussian', mi: '2,6', steps: '40', seed: '0' },
  // A BMI task: its true MI is fixed (one level), so neither the page nor harness run takes --mi.
  { estimator: 'infonce', critic: 'separable', task: 'bmi:binormal', steps: '40', seed: '2' },
  // The variational critic and FLO's auxiliary network (docs/estimators.md), on the same wasm engine.
  { estimator: 'club', critic: 'variational', task: 'gaussian', mi: '2,4', steps: '40', seed: '1' },
  { estimator: 'flo', critic: 'separable', task: 'cubic', mi: '1,2', steps: '30', seed: '4' },
];

for (const p of PLAYGROUND_SPECS) {
  test(`playground = harness run for the same spec: ${Object.values(p).join(' ')}`, { skip, timeout: 600_000 }, async (t) => {
    const q = new URLSearchParams({ ...p, autorun: '1' });
    const { page, errors } = await open(`playground.html?${q}`);
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { state: 'attached', timeout: 300_000 });
    assert.equal(await page.getAttribute('#result', 'data-state'), 'done', await page.textContent('#status') ?? '');
    const estimate = Number(await page.getAttribute('#result', 'data-estimate'));
    const msPerStep = Number(await page.getAttribute('#result', 'data-ms-per-step'));
    assert.ok(msPerStep > 0 && Number.isFinite(msPerStep), `data-ms-per-step ${msPerStep}`);
    await page.screenshot({ path: join(SHOTS, `playground-${p.estimator}-${p.critic}.png`) });
    const flags = ['--estimator', p.estimator, ...(p.tau ? ['--tau', p.tau] : []), '--critic', p.critic, '--task', p.task, ...(p.mi ? ['--mi', p.mi] : []),
      '--steps-per-level', p.steps, '--seed', p.seed, '--engine', 'wasm', '--json'];
    const r = spawnSync(process.execPath, [CLI, 'run', ...flags], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const levels = (JSON.parse(r.stdout) as { levels: { mean: number | null }[] }).levels;
    const expected = levels[levels.length - 1].mean ?? NaN;
    if (Number.isNaN(expected)) assert.ok(Number.isNaN(estimate), `harness run: non-finite; playground: ${estimate}`);
    else assert.ok(Math.abs(estimate - expected) <= 1e-4 * Math.abs(expected), `playground ${estimate} vs harness run ${expected}`);
    t.diagnostic(`last-level mean: playground ${estimate}, harness run ${expected}; ${msPerStep.toFixed(2)} ms/step in the browser`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('playground: URL parameters set every control; a bad one is named on the page and nothing trains', { skip }, async () => {
  const { page } = await open('playground.html?estimator=nwj&critic=joint&task=cubic&mi=1,2,3&steps=7&seed=9');
  for (const [id, v] of Object.entries({ estimator: 'nwj', critic: 'joint', task: 'cubic', mi: '1,2,3', steps: '7', seed: '9' })) {
    assert.equal(await page.inputValue(`#${id}`), v, id);
  }
  assert.equal(await page.isDisabled('#tau'), true, 'τ only applies to SMILE');
  await page.goto(`${server.url}playground.html?estimator=smile&tau=-1&autorun=1`);
  await page.waitForSelector('#result[data-state="error"]', { state: 'attached' });
  assert.match(await page.textContent('#status') ?? '', /--tau/);
  assert.equal(await page.getAttribute('#result', 'data-estimate'), null);
  await page.close();
});

/**
 * The playground's WebGPU engine: Chromium with --enable-unsafe-webgpu on its SwiftShader
 * adapter, against `harness run --engine webgpu` (Dawn in Node on the SwiftShader Vulkan driver)
 * and `--engine wasm`. Tolerance 1e-3 of 1 + |I|: two Dawn builds compile the WGSL separately
 * (Chromium's and the npm package's), so bit equality is not promised; over 20 steps the
 * engines agree to ~1e-6 (test/webgpu-engine.test.ts).
 */
test('playground on WebGPU (SwiftShader in Chromium) = harness run --engine webgpu and wasm, to float32 training drift', { skip, timeout: 600_000 }, async (t) => {
  const gpuBrowser = await chromium.launch({
    executablePath: executablePath!,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await gpuBrowser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const p = { estimator: 'nwj', critic: 'separable', task: 'gaussian', mi: '2,4', steps: '10', seed: '5', engine: 'webgpu' };
    await page.goto(`${server.url}playground.html?${new URLSearchParams({ ...p, autorun: '1' })}`);
    await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { state: 'attached', timeout: 300_000 });
    const status = await page.textContent('#status') ?? '';
    if (await page.getAttribute('#result', 'data-state') === 'error' && /no usable WebGPU adapter/.test(status)) {
      t.skip(`SKIPPED: this Chromium gives no WebGPU adapter headless (${status})`);
      return;
    }
    assert.equal(await page.getAttribute('#result', 'data-state'), 'done', status);
    assert.equal(await page.inputValue('#engine'), 'webgpu');
    const estimate = Number(await page.getAttribute('#result', 'data-estimate'));
    await page.screenshot({ path: join(SHOTS, 'playground-webgpu.png') });
    const { softwareIcd } = await import('../test/webgpu-env.js');
    const icd = softwareIcd();
    const flags = ['--estimator', p.estimator, '--critic', p.critic, '--task', p.task, '--mi', p.mi, '--steps-per-level', p.steps, '--seed', p.seed, '--json'];
    for (const engine of icd ? ['webgpu', 'wasm'] : ['wasm']) {
      const r = spawnSync(process.execPath, [CLI, 'run', ...flags, '--engine', engine], { encoding: 'utf8', env: { ...process.env, ...(icd ? { VK_ICD_FILENAMES: icd } : {}) } });
      assert.equal(r.status, 0, r.stderr);
      const levels = (JSON.parse(r.stdout) as { levels: { mean: number | null }[] }).levels;
      const expected = levels[levels.length - 1].mean!;
      assert.ok(Math.abs(estimate - expected) <= 1e-3 * (1 + Math.abs(expected)), `playground (webgpu) ${estimate} vs harness run --engine ${engine} ${expected}`);
      t.diagnostic(`last-level mean: playground on WebGPU ${estimate}, harness run --engine ${engine} ${expected}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await gpuBrowser.close();
  }
});

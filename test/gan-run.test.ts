/**
 * runGanCell end to end on short runs: same spec → same result (the run is a pure function of
 * its spec on a backend: every random number comes from seeded streams), different seeds →
 * different runs, and `harness gan` prints the contract's JSON keys and rejects bad flags with
 * exit code 2 naming the flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGanCell } from '../src/gan/run.js';
import { ganSpec } from '../src/gan/config.js';
import { GRID_SETUP, gridSpec } from '../src/gan/setup.js';
import type { GanResult } from '../src/types.js';

const short = (variant: 'vanilla' | 'mine' | 'mice', seed: number) =>
  ganSpec(variant, seed, { steps: 15, beta: 0.5, backend: 'wasm', batchSize: 16 });
const untimed = (r: GanResult) => ({ ...r, wallMs: 0, msPerStep: 0 });

for (const variant of ['vanilla', 'mine', 'mice'] as const) {
  test(`${variant}: same seed → identical result (short run)`, async () => {
    const a = await runGanCell(short(variant, 3));
    const b = await runGanCell(short(variant, 3));
    assert.deepEqual(untimed(a), untimed(b));
    assert.equal(a.engine, 'tfjs');
    assert.equal(a.backend, 'tfjs-wasm');
    assert.equal(a.samples.length, 1000);
    assert.ok(a.modes >= 0 && a.modes <= 25 && a.highQuality >= 0 && a.highQuality <= 1);
    if (variant === 'vanilla') assert.equal(a.miEstimate, undefined);
    else assert.ok(Number.isFinite(a.miEstimate));
    const c = await runGanCell(short(variant, 4));
    assert.notDeepEqual(c.samples, a.samples);
  });
}

const cli = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const harness = (...args: string[]) => spawnSync(process.execPath, [cli, 'gan', ...args], { encoding: 'utf8' });

test('harness gan --json prints variant, seed, modes, highQuality, backend; --out writes an SVG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gan-cli-'));
  try {
    const out = join(dir, 'scatter.svg');
    const r = harness('--setup', 'v1', '--variant', 'mice', '--seed', '2', '--steps', '5', '--batch-size', '8', '--backend', 'wasm', '--json', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    for (const k of ['variant', 'seed', 'modes', 'highQuality', 'backend']) assert.ok(k in j, k);
    assert.equal(j.variant, 'mice');
    assert.equal(j.seed, 2);
    assert.equal(j.backend, 'tfjs-wasm');
    assert.ok(existsSync(out));
    const svg = readFileSync(out, 'utf8');
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<circle /g) ?? []).length >= 2 * 25, true);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('harness gan: bad flags → exit 2 with a message naming the flag', () => {
  const cases: [string[], string][] = [
    [[], '--variant'],
    [['--variant', 'wgan'], '--variant'],
    [['--variant', 'mice', '--steps', '0'], '--steps'],
    [['--variant', 'mice', '--steps', 'ten'], '--steps'],
    [['--variant', 'mine', '--beta', '-1'], '--beta'],
    [['--variant', 'vanilla', '--beta', '1'], '--beta'],
    [['--variant', 'mice', '--seed', '1.5'], '--seed'],
    [['--variant', 'mice', '--backend', 'gpu'], '--backend'],
    [['--variant', 'mice', '--batch-size', '1'], '--batch-size'],
    [['--variant', 'mine', '--mice-block-partition'], '--mice-block-partition'],
    [['--variant', 'mice', '--setup', 'v2'], '--setup'],
    [['--variant', 'mice', '--code', 'ordinal'], '--code'],
    [['--variant', 'mice', '--engine', 'gpu'], '--engine'],
    [['--variant', 'mice', '--setup', 'v1', '--code', 'categorical'], '--code'],
    [['--variant', 'smile', '--setup', 'v1'], '--variant'],
    [['--variant', 'mine', '--mice-form', 'nwj'], '--mice-form'],
    [['--variant', 'mice', '--tau', '1'], '--tau'],
    [['--variant', 'mice', '--ema-decay', '1'], '--ema-decay'],
    [['--variant', 'mice', '--lr', '0'], '--lr'],
    [['--variant', 'mice', '--schedule', 'step'], '--schedule'],
  ];
  for (const [args, flag] of cases) {
    const r = harness(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(flag), `${args.join(' ')}: ${r.stderr}`);
  }
});

test("harness gan (grid setup, the default): --json keeps variant, seed, modes, highQuality and adds beta, code, engine", () => {
  const r = harness('--variant', 'mice', '--seed', '1', '--steps', '30', '--code', 'categorical', '--beta', '0.3', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ['variant', 'seed', 'modes', 'highQuality', 'beta', 'code', 'engine', 'backend', 'setup', 'reverseKl', 'miEstimate']) assert.ok(k in j, k);
  assert.equal(j.variant, 'mice');
  assert.equal(j.seed, 1);
  assert.equal(j.beta, 0.3);
  assert.equal(j.code, 'categorical');
  assert.equal(j.engine, 'wasm');
  assert.equal(j.setup, 'grid');
  assert.equal(j.miceBlockPartition, false);
  assert.equal(j.miceForm, 'dv');
  const v = JSON.parse(harness('--variant', 'vanilla', '--steps', '10', '--engine', 'tfjs', '--backend', 'cpu', '--json').stdout);
  assert.equal(v.code, 'continuous');
  assert.equal(v.beta, 0);
  assert.equal(v.engine, 'tfjs');
  assert.equal(v.backend, 'tfjs-cpu');
});

for (const engine of ['wasm', 'tfjs'] as const) {
  test(`grid setup on ${engine}: same spec → identical result; another seed → another run`, async () => {
    const spec = (seed: number) => gridSpec('mice', seed, { steps: 20, beta: 0.5, code: 'categorical', engine, ...(engine === 'tfjs' ? { backend: 'cpu' as const } : {}) });
    const a = await runGanCell(spec(3));
    const b = await runGanCell(spec(3));
    assert.deepEqual(untimed(a), untimed(b));
    assert.equal(a.engine, engine);
    assert.equal(a.samples.length, 1000);
    assert.equal(a.perMode!.length, 25);
    assert.equal(a.perMode!.reduce((s, c) => s + c, 0), Math.round(a.highQuality * 2500));
    assert.deepEqual(a.curve!.step.at(-1), 20);
    assert.ok(Number.isFinite(a.miEstimate));
    const c = await runGanCell(spec(4));
    assert.notDeepEqual(c.samples, a.samples);
  });
}

test('grid specs: fields at their defaults are absent (stable cell hashes); v1 rejects grid-only fields', async () => {
  assert.deepEqual(gridSpec('vanilla', 2), { kind: 'gan', variant: 'vanilla', seed: 2, setup: 'grid', steps: GRID_SETUP.steps, beta: 0, backend: 'auto' });
  const m = gridSpec('mice', 0, { beta: 1, code: 'continuous', engine: 'auto', miceForm: 'dv', miceBlockPartition: false, tau: 2, lr: GRID_SETUP.lrG });
  assert.deepEqual(Object.keys(m).sort(), ['backend', 'beta', 'kind', 'seed', 'setup', 'steps', 'variant']);
  assert.equal(gridSpec('smile', 0, { tau: 1 }).tau, undefined);
  assert.equal(gridSpec('smile', 0, { tau: 2 }).tau, 2);
  await assert.rejects(runGanCell({ ...ganSpec('mice', 0, { steps: 2 }), code: 'categorical' }), /needs setup 'grid'/);
});

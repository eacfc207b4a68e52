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
    const r = harness('--variant', 'mice', '--seed', '2', '--steps', '5', '--batch-size', '8', '--backend', 'wasm', '--json', '--out', out);
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
  ];
  for (const [args, flag] of cases) {
    const r = harness(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(flag), `${args.join(' ')}: ${r.stderr}`);
  }
});

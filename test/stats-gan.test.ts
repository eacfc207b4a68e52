/**
 * The GAN statistics (src/stats/gan.ts) on constructed records: arms are (setup, steps, variant
 * with its MICE reading, code, β); each regularised arm is paired by seed with the vanilla GAN
 * of the same code; the three metrics get their direction (reverse KL: lower is better); Holm runs
 * over every test; labels stay short when nothing varies (the v1 store's `vanilla`, `mine`, `mice`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecord } from '../src/stats/records.js';
import { ganArm, ganSummary } from '../src/stats/gan.js';
import { holm } from '../src/stats/wilcoxon.js';
import type { GanRecord } from '../src/stats/records.js';

function rec(spec: Record<string, unknown>, seed: number, modes: number, hq: number, perMode?: number[]): GanRecord {
  const raw = { spec: { kind: 'gan', steps: 6000, backend: 'auto', setup: 'grid', ...spec, seed }, seed, variant: spec.variant, engine: 'wasm', backend: 'wasm-simd', modes, highQuality: hq, samples: [[0, 0]], ...(perMode ? { perMode } : {}) };
  const r = parseRecord(JSON.parse(JSON.stringify(raw)), `${JSON.stringify(spec)}-${seed}.json`);
  assert.equal(r.kind, 'gan');
  return r as GanRecord;
}

const flat = (k: number) => Array.from({ length: 25 }, (_, i) => (i < k ? 100 : 0));

test('GAN arms: grouping, labels, paired tests against vanilla of the same code, Holm over all tests', () => {
  const records: GanRecord[] = [];
  for (let s = 0; s < 10; s++) {
    for (const code of ['continuous', 'categorical'] as const) {
      records.push(rec({ variant: 'vanilla', beta: 0, code }, s, 5 + (s % 3), 0.8, flat(5)));
      // MICE at β = 1 captures more modes at every seed; at β = 0.1 the same as vanilla.
      records.push(rec({ variant: 'mice', beta: 1, code }, s, 20 + (s % 4), 0.75, flat(20)));
      records.push(rec({ variant: 'mice', beta: 0.1, code }, s, 5 + (s % 3), 0.8, flat(5)));
      records.push(rec({ variant: 'mice', beta: 1, code, miceBlockPartition: true }, s, 0, 0, Array(25).fill(0)));
    }
  }
  const s = ganSummary(records, 200);
  assert.equal(s.groups.length, 8);
  const labels = s.groups.map((g) => g.label);
  assert.ok(labels.includes('mice [β=1, categorical]'), labels.join(' | '));
  assert.ok(labels.includes('mice(blocked) [β=1, continuous]'), labels.join(' | '));
  assert.ok(labels.includes('vanilla [continuous]'));
  const mice1 = ganArm(s, { variantLabel: 'mice', beta: 1, code: 'categorical' })!;
  assert.equal(mice1.records.length, 10);
  assert.ok(Math.abs(mice1.modes.estimate - 21.3) < 1e-12);
  assert.ok(Math.abs(mice1.reverseKl.estimate - Math.log(25 / 20)) < 1e-12);
  assert.equal(mice1.allModes, 0);
  const blocked = ganArm(s, { variantLabel: 'mice(blocked)', code: 'categorical' })!;
  assert.ok(Number.isNaN(blocked.reverseKl.estimate)); // no high-quality sample at all
  // 3 regularised arms × 2 codes × 3 metrics, minus the blocked arm's reverse KL (no finite pairs): 16 tests.
  assert.equal(s.tests.length, 16);
  assert.ok(s.tests.every((t) => t.familySize === 16));
  assert.deepEqual(s.tests.map((t) => t.pHolm), holm(s.tests.map((t) => t.test.p)));
  const t = s.tests.find((x) => x.metric === 'modes' && x.a === 'mice [β=1, categorical]')!;
  assert.equal(t.b, 'vanilla [categorical]');
  assert.equal(t.test.n, 10);
  assert.equal(t.better, 'mice [β=1, categorical]');
  assert.ok(t.meanDiff > 14);
  // Reverse KL: MICE's is lower, and lower is better.
  const rk = s.tests.find((x) => x.metric === 'reverseKl' && x.a === 'mice [β=1, categorical]')!;
  assert.ok(rk.meanDiff < 0);
  assert.equal(rk.better, 'mice [β=1, categorical]');
  // High quality: vanilla is better than MICE at β = 1 (0.8 vs 0.75 at every seed).
  assert.equal(s.tests.find((x) => x.metric === 'highQuality' && x.a === 'mice [β=1, categorical]')!.better, 'vanilla [categorical]');
  // Identical results at every seed: no evidence either way.
  const same = s.tests.find((x) => x.metric === 'modes' && x.a === 'mice [β=0.1, categorical]')!;
  assert.equal(same.better, null);
});

test('a v1 store keeps the short labels and reads without per-mode counts', () => {
  const records: GanRecord[] = [];
  for (let s = 0; s < 5; s++) for (const variant of ['vanilla', 'mine', 'mice']) {
    const raw = { spec: { kind: 'gan', variant, seed: s, steps: 5000, beta: variant === 'vanilla' ? 0 : 0.1, backend: 'auto' }, variant, seed: s, engine: 'tfjs', backend: 'tfjs-wasm', modes: 5, highQuality: 0.3, samples: [] };
    records.push(parseRecord(raw, `${variant}-${s}.json`) as GanRecord);
  }
  const s = ganSummary(records, 100);
  assert.deepEqual(s.groups.map((g) => g.label), ['vanilla', 'mine', 'mice']);
  assert.ok(s.groups.every((g) => g.setup === 'v1' && g.code === 'continuous' && Number.isNaN(g.reverseKl.estimate)));
  assert.equal(s.tests.length, 4); // mine and mice vs vanilla, modes and high quality
});

test('REPRODUCTION C11 pairs each MICE arm with the vanilla GAN of the same code', async () => {
  const { aggregate } = await import('../src/stats/aggregate.js');
  const { reproduction } = await import('../src/stats/reproduction.js');
  const records: GanRecord[] = [];
  for (let s = 0; s < 10; s++) {
    records.push(rec({ variant: 'vanilla', beta: 0, code: 'categorical' }, s, 25, 0.9, flat(25)));
    records.push(rec({ variant: 'vanilla', beta: 0, code: 'continuous' }, s, 3 + (s % 2), 0.85, flat(3)));
    records.push(rec({ variant: 'mice', beta: 1, code: 'continuous' }, s, 25, 0.8, flat(25)));
  }
  const rows = reproduction(aggregate(records, { resamples: 200 }), [], { resamples: 200 }).rows.filter((r) => r.id === 'C11');
  assert.equal(rows.length, 1);
  assert.match(rows[0].valueText, /vanilla \[continuous\]/);
  assert.equal(rows[0].verdict, 'holds');
});

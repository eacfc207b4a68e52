/**
 * The compact cell store (harness/sweep/compact.ts, docs/sweep.md "The cell store"): a compact
 * cell gives the statistics exactly the numbers its plain form gives; `harness compact` converts
 * a store in place (idempotent, safe to interrupt) and the report reads the same before and
 * after, byte for byte; `harness merge` mixes plain and compact stores; and a converted store
 * re-runs nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compactCell, COMPACT_CELL_FORMAT, decodeCellFile, drawValue } from '../harness/sweep/compact.js';
import { CELL_FORMAT, CellStore, type CellFile } from '../harness/sweep/store.js';
import { CODE_VERSION, jobHash, PACKAGE_VERSION } from '../harness/sweep/hash.js';
import { renderSummary } from '../harness/sweep/summary.js';
import { planJobs } from '../harness/sweep/sweep.js';
import { preset } from '../harness/sweep/presets.js';
import { writeReport } from '../harness/report.js';
import { parseRecord, type CellRecord, type GanRecord } from '../src/stats/records.js';
import type { CellSpec, Job } from '../src/types.js';
import { fakeCell, fakeGan, fixtureCells, PAPER_LIKE } from './report-fixtures.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const cli = (...args: string[]) => {
  const env = { ...process.env };
  for (const k of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'MI_HARNESS_SHARD_COUNT', 'MI_HARNESS_FAULT']) delete env[k];
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
};

/** A result as the sweep stored it before the compact format: a plain `mi-harness/cell@1` file. */
function sweepCell(result: object & { spec: object }): CellFile {
  const spec = result.spec as Job;
  return {
    ...result, format: CELL_FORMAT, hash: jobHash(spec), codeVersion: CODE_VERSION, packageVersion: PACKAGE_VERSION, spec,
    provenance: { engine: 'wasm', backend: 'wasm-simd', lane: 'cpu', wallMs: 1234.5, startedAt: '2026-12-01T00:00:00.000Z' },
  } as unknown as CellFile;
}

const CELLS = [
  ...fixtureCells({ estimators: PAPER_LIKE, seeds: [1, 2, 3], critics: ['separable', 'joint'], tasks: ['gaussian', 'cubic'], stepsPerLevel: 300 }),
  ...fixtureCells({ estimators: PAPER_LIKE.slice(3), seeds: [1, 2], batchSizes: [16, 256], stepsPerLevel: 300 }),
].map(sweepCell);
const GANS = [1, 2, 3].flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]).map(sweepCell);

function writePlainStore(dir: string, cells: readonly CellFile[]): void {
  mkdirSync(join(dir, 'cells'), { recursive: true });
  for (const c of cells) writeFileSync(join(dir, 'cells', `${c.hash}.json`), JSON.stringify(c) + '\n');
}

/** The report's text files and the sweep's summary: what must read the same before and after. */
async function report(dir: string): Promise<Map<string, string>> {
  await writeReport(dir, { resamples: 200, warn: () => {} });
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) if (/\.(md|csv)$/.test(f)) out.set(f, readFileSync(join(dir, f), 'utf8'));
  const store = new CellStore(dir);
  out.set('summary.txt', renderSummary(store.readAll().cells, []));
  out.set('plots/', readdirSync(join(dir, 'plots')).sort().join('\n'));
  return out;
}

const digest = (dir: string) => Object.fromEntries(readdirSync(join(dir, 'cells')).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, 'cells', n))).digest('hex')]));

let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'mi-compact-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a compact cell: no step array, drawn values rounded, and exactly the statistics of the plain cell', () => {
  for (const cell of CELLS.slice(0, 12)) {
    const { cell: c, keptWhole } = compactCell(cell);
    assert.deepEqual(keptWhole, []);
    assert.equal(c.format, COMPACT_CELL_FORMAT);
    const full = (cell as unknown as { trajectory: unknown }).trajectory as { step: number[]; estimate: number[]; ema: number[] };
    const tr = c.trajectory as { step?: number[]; estimate: (number | null)[]; ema: (number | null)[]; readings: unknown };
    assert.equal(tr.step, undefined, 'each stride-th step and the last: derivable');
    for (const [drawn, exact] of [[tr.estimate, full.estimate], [tr.ema, full.ema]] as const) {
      assert.equal(drawn.length, exact.length);
      drawn.forEach((v, i) => {
        const x = exact[i];
        if (!Number.isFinite(x)) { assert.equal(v, null); return; }
        assert.ok(Math.abs(v! - x) <= (Math.abs(x) < 100 ? 0.005 + 1e-12 : 5e-4 * Math.abs(x)), `${v} draws ${x}`);
      });
    }
    const a = parseRecord(JSON.parse(JSON.stringify(cell)), 'x.json') as CellRecord;
    const b = parseRecord(c, 'x.json') as CellRecord;
    assert.deepEqual(b.levels, a.levels, 'level statistics and the trajectory readings, bit for bit');
    assert.equal(b.maxEstimate, a.maxEstimate);
    assert.deepEqual(b.trajectory.step, a.trajectory.step);
    assert.deepEqual({ ...b, trajectory: null }, { ...a, trajectory: null });
  }
  // A GAN run: samples at 0.01, its metrics as they were.
  const g = compactCell(GANS[0]).cell;
  const ga = parseRecord(JSON.parse(JSON.stringify(GANS[0])), 'g.json') as GanRecord, gb = parseRecord(g, 'g.json') as GanRecord;
  assert.deepEqual({ ...gb, samples: gb.samples.length }, { ...ga, samples: ga.samples.length });
  gb.samples.forEach(([x, y], i) => assert.ok(Math.abs(x - ga.samples[i][0]) <= 0.005 + 1e-12 && Math.abs(y - ga.samples[i][1]) <= 0.005 + 1e-12));
  // Idempotent: a compact cell stays as it is.
  const once = compactCell(CELLS[0]).cell;
  assert.deepEqual(compactCell(once).cell, once);
});

test('the readings are what keeps the statistics exact: the drawn trajectory alone would move them', () => {
  // An EMA 0.003 nats above the truth all through the window: above, at full precision; at the
  // truth exactly once drawn (0.01 nats).
  const base = CELLS.find((c) => (c.spec as CellSpec).critic === 'separable')!;
  const spec = base.spec as CellSpec;
  const tr = structuredClone((base as unknown as { trajectory: unknown }).trajectory) as { step: number[]; estimate: number[]; ema: number[] };
  const levels = (base as { levels: { trueMi: number; window: [number, number] }[] }).levels;
  tr.step.forEach((t, i) => {
    const k = Math.min(levels.length - 1, Math.floor(t / spec.stepsPerLevel));
    if (t >= levels[k].window[0]) tr.ema[i] = levels[k].trueMi + 0.003;
  });
  const cell = { ...base, trajectory: tr } as CellFile;
  const exact = parseRecord(JSON.parse(JSON.stringify(cell)), 'x.json') as CellRecord;
  assert.ok(exact.levels.every((l) => l.emaViolations === 1));
  const c = compactCell(cell).cell as { trajectory: Record<string, unknown> };
  const { readings: _r, ...drawnOnly } = c.trajectory;
  const fromDrawn = parseRecord({ ...c, trajectory: drawnOnly }, 'x.json') as CellRecord;
  assert.ok(fromDrawn.levels.every((l) => l.emaViolations === 0), 'drawn values sit on the truth');
  assert.deepEqual((parseRecord(c, 'x.json') as CellRecord).levels.map((l) => l.emaViolations), exact.levels.map((l) => l.emaViolations));
  assert.equal(drawValue(2.003), 2);
});

test('a step array that is not each stride-th step is kept', () => {
  const cell = structuredClone(CELLS[0]) as CellFile & { trajectory: { step: number[] } };
  cell.trajectory.step[3] += 1;
  const c = compactCell(cell).cell as { trajectory: { step?: number[] } };
  assert.deepEqual(c.trajectory.step, cell.trajectory.step);
});

test('harness compact converts a store in place; the report reads the same, byte for byte', async () => {
  const dir = join(tmp, 'store');
  writePlainStore(dir, [...CELLS, ...GANS]);
  // Not sweep cells, or not trustworthy: left alone.
  writeFileSync(join(dir, 'cells', 'hand-made.json'), JSON.stringify(fixtureCells({ estimators: PAPER_LIKE.slice(1, 2), seeds: [9] })[0]));
  const bad = 'f'.repeat(64);
  writeFileSync(join(dir, 'cells', `${bad}.json`), '{"format": "mi-harness/cell@1", "spec": ');
  const plainReport = await report(dir);
  const plainSvgs = new Map(readdirSync(join(dir, 'plots')).map((f) => [f, readFileSync(join(dir, 'plots', f), 'utf8')]));
  const cellBytes = () => readdirSync(join(dir, 'cells')).filter((f) => !f.startsWith('hand') && !f.startsWith('ffff')).reduce((a, f) => a + readFileSync(join(dir, 'cells', f)).length, 0);
  const plainSize = cellBytes();

  const r = cli('compact', dir);
  assert.equal(r.status, 0, r.stderr);
  const n = CELLS.length + GANS.length;
  assert.match(r.stdout, new RegExp(`: ${n} compacted, 0 already compact, 2 left alone; cell files [\\d.]+ MB → [\\d.]+ MB`));
  assert.match(r.stderr, /hand-made\.json: not a sweep cell's name; left alone/);
  assert.match(r.stderr, new RegExp(`${bad}\\.json: corrupt .*; left alone`));
  const names = readdirSync(join(dir, 'cells')).sort();
  assert.deepEqual(names, [...[...CELLS, ...GANS].map((c) => `${c.hash}.json.br`), `${bad}.json`, 'hand-made.json'].sort());
  assert.ok(cellBytes() * 4 < plainSize, `at least 4× smaller: ${plainSize} → ${cellBytes()} bytes`);

  const compactReport = await report(dir);
  assert.deepEqual([...compactReport.keys()], [...plainReport.keys()]);
  for (const [f, text] of plainReport) assert.equal(compactReport.get(f), text, `${f} reads the same`);
  // Figures that draw no trajectory or sample are the same bytes; the others draw the rounded values.
  for (const [f, svg] of plainSvgs) if (!/^(trajectory|rho-trajectory|gan-samples)/.test(f)) assert.equal(readFileSync(join(dir, 'plots', f), 'utf8'), svg, f);

  // Idempotent.
  const converted = digest(dir);
  const again = cli('compact', dir);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`: 0 compacted, ${n} already compact, 2 left alone`));
  assert.deepEqual(digest(dir), converted);

  // Interrupted: one cell still plain only, another in both forms (compact written, plain not yet
  // removed). Both read once, as before; the next run finishes the job.
  const [c1, c2] = [CELLS[4], CELLS[5]];
  rmSync(join(dir, 'cells', `${c1.hash}.json.br`));
  writeFileSync(join(dir, 'cells', `${c1.hash}.json`), JSON.stringify(c1) + '\n');
  writeFileSync(join(dir, 'cells', `${c2.hash}.json`), JSON.stringify(c2) + '\n');
  const midway = await report(dir);
  for (const [f, text] of plainReport) assert.equal(midway.get(f), text, `${f}, half converted`);
  const finish = cli('compact', dir);
  assert.equal(finish.status, 0, finish.stderr);
  assert.match(finish.stdout, new RegExp(`: 1 compacted, ${n - 1} already compact, 2 left alone`));
  assert.deepEqual(digest(dir), converted, 'the same store as an uninterrupted conversion');

  // A missing directory is bad input.
  const missing = cli('compact', join(tmp, 'nope'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^harness: compact: .*nope: no such directory\n$/);
});

test('harness merge mixes plain and compact stores into one compact store that reads the same', async () => {
  const ref = join(tmp, 'merge-ref'), plain = join(tmp, 'merge-plain'), compact = join(tmp, 'merge-compact'), out = join(tmp, 'merged');
  const all = [...CELLS, ...GANS];
  writePlainStore(ref, all);
  const want = await report(ref);
  writePlainStore(plain, all.filter((_, i) => i % 2 === 0));
  writePlainStore(compact, all.filter((_, i) => i % 2 === 1));
  assert.equal(cli('compact', compact).status, 0);
  const m = cli('merge', plain, compact, '--out', out);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(readdirSync(join(out, 'cells')).sort(), all.map((c) => `${c.hash}.json.br`).sort(), 'every cell, compact');
  // The compact source's files are copied byte for byte.
  for (const f of readdirSync(join(compact, 'cells'))) assert.deepEqual(readFileSync(join(out, 'cells', f)), readFileSync(join(compact, 'cells', f)));
  const got = await report(out);
  for (const [f, text] of want) assert.equal(got.get(f), text, `${f} of the merged store`);
});

test('a converted store re-runs nothing: the sweep finds every cell of its grid cached', () => {
  const dir = join(tmp, 'smoke');
  // The smoke preset's grid, every cell finished in the old (plain) format.
  const jobs = planJobs(preset('smoke'), null);
  const fe = PAPER_LIKE.find((e) => e.estimator === 'nwj')!;
  writePlainStore(dir, jobs.map(({ job }) => sweepCell({ ...fakeCell(fe, job as CellSpec), spec: job })));
  const plan = (args: string[]) => {
    const r = cli('sweep', '--preset', 'smoke', '--no-gpu', '--json', '--out', dir, ...args);
    assert.equal(r.status, 0, r.stderr);
    const ev = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; cached?: number; pending?: number; total?: number });
    return { plan: ev.find((e) => e.type === 'plan')!, started: ev.filter((e) => e.type === 'start').length };
  };
  const plainPlan = plan([]);
  assert.deepEqual([plainPlan.plan.cached, plainPlan.plan.pending, plainPlan.started], [jobs.length, 0, 0]);
  assert.equal(cli('compact', dir).status, 0);
  assert.ok(readdirSync(join(dir, 'cells')).every((f) => f.endsWith('.json.br')));
  const after = plan([]);
  assert.deepEqual([after.plan.total, after.plan.cached, after.plan.pending, after.started], [jobs.length, jobs.length, 0, 0]);
  // A cell the sweep writes itself is compact too, and removes a plain file of the same address.
  const fresh = join(tmp, 'smoke-fresh');
  cpSync(dir, fresh, { recursive: true });
  const victim = jobs[0].hash;
  rmSync(join(fresh, 'cells', `${victim}.json.br`));
  writeFileSync(join(fresh, 'cells', `${victim}.json`), '{"truncated":');
  const r = cli('sweep', '--preset', 'smoke', '--no-gpu', '--json', '--out', fresh);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(fresh, 'cells', `${victim}.json.br`)) && !existsSync(join(fresh, 'cells', `${victim}.json`)));
  const stored = JSON.parse(decodeCellFile(readFileSync(join(fresh, 'cells', `${victim}.json.br`)), 'x.json.br')) as { format: string };
  assert.equal(stored.format, COMPACT_CELL_FORMAT);
});

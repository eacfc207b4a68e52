/**
 * The hybrid pool on a software adapter (./webgpu-env.ts): a WebGPU lane that trains K cells
 * per batch beside CPU lanes, against unbatched runs of the same jobs.
 *
 *  - every job is written exactly once: batchable ones under their WebGPU twin's address
 *    (harness/sweep/gpuLane.ts), the rest (finite-sample protocol, explicit --engine wasm)
 *    under their own, by a CPU lane;
 *  - each WebGPU cell equals the cell an unbatched WebGPU run (K = 1) writes, and each CPU cell
 *    the cell a plain CPU-only pool writes, bit for bit (everything but timing provenance);
 *  - a second sweep over the store re-runs nothing; so does a sweep on a machine with no GPU;
 *  - --engine webgpu where no adapter can be had is one line and exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testGpu } from './webgpu-env.js';
import { cli } from './cli-helpers.js';
import { buildCellSpec } from '../harness/spec.js';
import { jobHash } from '../harness/sweep/hash.js';
import { runPool, type PendingJob, type SweepEvent } from '../harness/sweep/pool.js';
import { runSweep } from '../harness/sweep/sweep.js';
import { gpuBatchable, gpuTwin, type WebGpuLane } from '../harness/sweep/gpuLane.js';
import { CellStore, type CellFile } from '../harness/sweep/store.js';
import { machineProvenance } from '../harness/sweep/provenance.js';
import type { CellSpec } from '../src/types.js';
import type { Grid } from '../harness/sweep/grid.js';

const gpu = await testGpu('webgpu-sweep');
const skip = gpu.skip ? `SKIPPED: ${gpu.skip}` : false;

const pending = (job: CellSpec): PendingJob => ({ job, hash: jobHash(job) });
const small = { mi: [2, 4], stepsPerLevel: 6, batchSize: 8, dim: 2, hidden: 8, embed: 4 };

function jobs(): PendingJob[] {
  const out: PendingJob[] = [];
  for (const estimator of ['nwj', 'infonce', 'mice'] as const) {
    for (const critic of ['separable', 'joint'] as const) {
      for (const seed of [0, 1]) out.push(pending(buildCellSpec({ ...small, estimator, critic, seed, spectralNorm: estimator === 'mice' })));
    }
  }
  // What the WebGPU lane cannot take: BMI's finite-sample protocol, and a cell pinned to wasm.
  out.push(pending({ ...buildCellSpec({ ...small, estimator: 'nwj', seed: 3 }), finiteSample: { size: 64, testShare: 0.5, evalEvery: 4 } }));
  out.push(pending(buildCellSpec({ ...small, estimator: 'js', seed: 4, engine: 'wasm' })));
  return out;
}

/** A cell's numbers and spec: everything but when, where and how long (wall time, ms per step, provenance). */
function numbers(c: CellFile): unknown {
  const { provenance: _p, wallMs: _w, msPerStep: _m, gpu: _g, ...rest } = c as CellFile & { wallMs?: number; msPerStep?: number; gpu?: unknown };
  return JSON.parse(JSON.stringify(rest));
}

async function pool(dir: string, js: PendingJob[], workers: number, webgpu: WebGpuLane | null, events: SweepEvent[] = []) {
  const store = new CellStore(dir);
  store.ensure();
  const out = await runPool({
    jobs: js, store, workers, retries: 0, timeoutMs: 0, heapMb: 1024, cuda: false, webgpu,
    machine: machineProvenance(), onEvent: (e) => events.push(e),
  });
  return { store, out };
}

test('hybrid pool: every job once, WebGPU cells = unbatched WebGPU cells, CPU cells = a CPU-only pool, resume runs nothing', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'mi-hybrid-'));
  try {
    const all = jobs();
    const lane: WebGpuLane = { batch: 4, allowSoftware: true, adapter: gpu.handle!.info.description };
    const events: SweepEvent[] = [];
    const hybrid = await pool(join(root, 'hybrid'), all, 2, lane, events);
    assert.deepEqual(hybrid.out.lanes, ['gpu', 'cpu']);
    assert.equal(hybrid.out.done, all.length);
    assert.deepEqual(hybrid.out.failed, []);
    const batchable = all.filter((p) => gpuBatchable(p.job));
    const rest = all.filter((p) => !gpuBatchable(p.job));
    assert.equal(batchable.length, 12);
    assert.equal(rest.length, 2);
    const stored = new Set(hybrid.store.cellHashes());
    assert.equal(stored.size, all.length, 'one file per job');

    // The WebGPU lane's cells: at the twin's address, engine webgpu, K recorded; against K = 1.
    const singles = await pool(join(root, 'singles'), batchable.map((p) => gpuTwin(p.job as CellSpec)), 1, { ...lane, batch: 1 });
    const sizes = new Set<number>();
    for (const p of batchable) {
      const twin = gpuTwin(p.job as CellSpec);
      assert.ok(stored.has(twin.hash) && !stored.has(p.hash), 'a batchable job lives at its WebGPU address only');
      const a = hybrid.store.check(twin.hash), b = singles.store.check(twin.hash);
      assert.ok(a.state === 'ok' && b.state === 'ok');
      if (a.state !== 'ok' || b.state !== 'ok') continue;
      assert.equal(a.cell.provenance.engine, 'webgpu');
      assert.equal(a.cell.provenance.lane, 'gpu');
      assert.equal(a.cell.provenance.gpu?.adapter, gpu.handle!.info.description);
      sizes.add(a.cell.provenance.gpu!.batch);
      assert.equal(b.cell.provenance.gpu?.batch, 1);
      assert.deepEqual(numbers(a.cell), numbers(b.cell), `batched = unbatched for ${twin.hash.slice(0, 12)}`);
    }
    assert.ok(Math.max(...sizes) > 1, `cells were batched (sizes ${[...sizes]})`);

    // The CPU lanes' cells: at their own address, the wasm engine, as a pool without a GPU lane writes them.
    const cpu = await pool(join(root, 'cpu'), rest, 1, null);
    for (const p of rest) {
      const a = hybrid.store.check(p.hash), b = cpu.store.check(p.hash);
      assert.ok(a.state === 'ok' && b.state === 'ok');
      if (a.state !== 'ok' || b.state !== 'ok') continue;
      assert.equal(a.cell.provenance.lane, 'cpu');
      assert.equal(a.cell.provenance.engine, 'wasm');
      assert.deepEqual(numbers(a.cell), numbers(b.cell));
    }
    const gpuStarts = events.filter((e) => e.type === 'start' && e.lane === 'gpu').length;
    assert.equal(gpuStarts, batchable.length);

    // Resume: with the GPU lane allowed, and as a machine without a GPU (--no-gpu) sees it.
    for (const off of [false, true]) {
      const ev: SweepEvent[] = [];
      const code = await runSweep({
        grid: {} as Grid, out: join(root, 'hybrid'), shard: null, workers: 2, retries: 0, timeoutMs: 0, heapMb: 1024,
        cuda: false, webgpu: { batch: 4, allowSoftware: true, off }, onEvent: (e) => ev.push(e), print: null,
      }, all);
      assert.equal(code, 0);
      const plan = ev.find((e): e is Extract<SweepEvent, { type: 'plan' }> => e.type === 'plan')!;
      assert.deepEqual([plan.cached, plan.pending], [all.length, 0], `resume (no-gpu: ${off})`);
    }
  } finally { rmSync(root, { recursive: true, force: true }); }
});

test('--engine webgpu without an adapter: one line, exit 2, nothing written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mi-nogpu-'));
  try {
    const args = ['--estimators', 'nwj', '--critics', 'separable', '--tasks', 'gaussian', '--seeds', '1', '--mi', '2', '--steps-per-level', '4', '--engine', 'webgpu'];
    const env = { VK_ICD_FILENAMES: join(root, 'no-such-icd.json') };
    const sweep = await cli(['sweep', ...args, '--out', join(root, 'store')], { env });
    assert.equal(sweep.code, 2, sweep.stderr);
    assert.equal(sweep.stderr.trim().split('\n').length, 1, sweep.stderr);
    assert.match(sweep.stderr, /--engine webgpu: not available on this machine/);
    const run = await cli(['run', '--estimator', 'nwj', '--mi', '2', '--steps-per-level', '4', '--engine', 'webgpu'], { env });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /--engine webgpu/);
  } finally { rmSync(root, { recursive: true, force: true }); }
});

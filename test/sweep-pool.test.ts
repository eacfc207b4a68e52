/** The pool in-process: the GPU lane (injected "CUDA available"), event order, provenance; progress output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCellSpec } from '../harness/spec.js';
import { jobHash } from '../harness/sweep/hash.js';
import { runPool, type SweepEvent, type PendingJob } from '../harness/sweep/pool.js';
import { CellStore } from '../harness/sweep/store.js';
import { machineProvenance } from '../harness/sweep/provenance.js';
import { Progress } from '../harness/sweep/progress.js';

const tiny = (critic: 'joint' | 'separable', seed: number): PendingJob => {
  const job = buildCellSpec({ estimator: 'nwj', critic, seed, mi: [2], stepsPerLevel: 4, batchSize: 8, dim: 2, hidden: 8, embed: 4 });
  return { job, hash: jobHash(job) };
};

test('with CUDA available (injected), one GPU lane takes joint cells first, CPU lanes separable ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-pool-'));
  try {
    const store = new CellStore(dir);
    store.ensure();
    const jobs = [tiny('separable', 0), tiny('separable', 1), tiny('joint', 2), tiny('joint', 3)];
    const events: SweepEvent[] = [];
    const out = await runPool({
      jobs, store, workers: 2, retries: 0, timeoutMs: 0, heapMb: 1024, cuda: true,
      machine: machineProvenance(), onEvent: (e) => events.push(e),
    });
    assert.deepEqual(out.lanes, ['gpu', 'cpu']);
    assert.equal(out.done, 4);
    assert.deepEqual(out.failed, []);
    const starts = events.filter((e): e is Extract<SweepEvent, { type: 'start' }> => e.type === 'start');
    const firstOn = (lane: string) => jobs.find((j) => j.hash === starts.find((s) => s.lane === lane)!.hash)!.job;
    assert.equal((firstOn('gpu') as { critic: string }).critic, 'joint');
    assert.equal((firstOn('cpu') as { critic: string }).critic, 'separable');
    for (const j of jobs) {
      const r = store.check(j.hash);
      assert.equal(r.state, 'ok');
      if (r.state !== 'ok') continue;
      const lane = starts.find((s) => s.hash === j.hash)!.lane;
      assert.equal(r.cell.provenance.lane, lane);
      assert.notEqual(r.cell.provenance.engine, 'auto');
      assert.deepEqual(r.cell.spec, j.job, 'the stored spec is the hashed job, not the lane-pinned one');
      assert.match(r.cell.provenance.versions.node, /^\d+\./);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('progress: plain lines, JSON events, ETA from finished cells', () => {
  const lines: string[] = [], outs: string[] = [];
  let now = 0;
  const sink = { out: (s: string) => { outs.push(s); }, err: (s: string) => { lines.push(s); }, now: () => now };
  const p = new Progress('plain', sink);
  p.event({ type: 'plan', total: 5, cached: 1, pending: 4, corrupt: 0, shard: '1/2', out: 'r' });
  p.event({ type: 'lanes', lanes: ['cpu', 'cpu'] });
  p.event({ type: 'start', hash: 'a', label: 'A', attempt: 1, lane: 'cpu' });
  p.event({ type: 'start', hash: 'b', label: 'B', attempt: 1, lane: 'cpu' });
  now = 10_000;
  p.event({ type: 'done', hash: 'a', label: 'A', attempt: 1, wallMs: 10_000, engine: 'wasm', backend: 'x' });
  p.event({ type: 'failed', hash: 'b', label: 'B', attempts: 1, error: 'boom' });
  p.event({ type: 'summary', total: 5, cached: 1, done: 1, failed: 1, exitCode: 3, summaryFile: null });
  assert.match(lines[0], /5 jobs in shard 1\/2: 1 already in r, 4 to run/);
  assert.match(lines[1], /2 CPU workers/);
  assert.match(lines[2], /^\[1\/4\] done A \(10s, wasm\/x\) · 0 failed · 1 running · ETA 30s/);
  assert.match(lines[3], /^FAILED B after 1 attempt\(s\): boom/);
  assert.deepEqual(outs, []);
  const j = new Progress('json', sink);
  j.event({ type: 'lanes', lanes: ['gpu'] });
  assert.deepEqual(outs, ['{"type":"lanes","lanes":["gpu"]}\n']);
});

test('progress on a TTY: one redrawn line with done / failed / running / ETA, cleared at the end', () => {
  const err: string[] = [];
  let now = 0;
  const p = new Progress('tty', { out: () => assert.fail('nothing on stdout'), err: (s) => { err.push(s); }, now: () => now });
  p.event({ type: 'plan', total: 2, cached: 0, pending: 2, corrupt: 0, shard: null, out: 'r' });
  p.event({ type: 'lanes', lanes: ['cpu'] });
  p.event({ type: 'start', hash: 'a', label: 'A', attempt: 1, lane: 'cpu' });
  now = 4000;
  p.event({ type: 'done', hash: 'a', label: 'A', attempt: 1, wallMs: 4000, engine: 'wasm', backend: 'x' });
  const bar = err.at(-1)!;
  assert.match(bar, /^\r\x1b\[K█{12}░{12} 1\/2 done · 0 failed · 0 running · ETA 4s$/);
  p.event({ type: 'retry', hash: 'b', label: 'B', attempt: 1, error: 'boom' });
  assert.ok(err.some((s) => s === 'attempt 1 of B failed: boom; retrying\n'), 'messages print above the bar');
  p.event({ type: 'summary', total: 2, cached: 0, done: 1, failed: 0, exitCode: 0, summaryFile: null });
  assert.equal(err.at(-1), '\r\x1b[K', 'the bar is cleared before the summary table');
});

/**
 * Cells record CPU time beside wall time (provenance.cpuMs, workers/cpu.ts): the CPU time of the
 * worker thread that ran the cell, so two workers running side by side do not count each other,
 * as process.cpuUsage() would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { threadCpuMs } from '../workers/cpu.js';
import { decodeCellFile } from '../harness/sweep/compact.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const CPU_MODULE = new URL('../workers/cpu.js', import.meta.url).href;

test('threadCpuMs counts the calling thread only', { skip: threadCpuMs() === null ? 'no per-thread CPU clock here' : false }, async () => {
  const mine0 = threadCpuMs()!, process0 = process.cpuUsage();
  // Another thread burns 300 ms of its own CPU time (by its own clock, whatever the load).
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(CPU_MODULE)}).then(({ threadCpuMs }) => {
      const t0 = threadCpuMs();
      let x = 0;
      while (threadCpuMs() - t0 < 300) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
      parentPort.postMessage({ spent: threadCpuMs() - t0, x });
    });`, { eval: true });
  const { spent } = await new Promise<{ spent: number }>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  await worker.terminate();
  const mine = threadCpuMs()! - mine0;
  const p = process.cpuUsage(process0), processMs = (p.user + p.system) / 1000;
  assert.ok(spent >= 300, `the worker's own clock: ${spent} ms`);
  assert.ok(processMs >= 0.9 * spent, `the process saw the worker's time: ${processMs} ms`);
  assert.ok(mine < spent / 2, `this thread waited; its own clock moved ${mine} ms, not the worker's ${spent}`);
});

test('a sweep records each cell\'s CPU time in its provenance, within its wall time', { skip: threadCpuMs() === null ? 'no per-thread CPU clock here' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-cpu-'));
  try {
    const r = spawnSync(process.execPath, [CLI, 'sweep', '--preset', 'smoke', '--workers', '2', '--no-gpu', '--json', '--out', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const cells = readdirSync(join(dir, 'cells')).map((f) => JSON.parse(decodeCellFile(readFileSync(join(dir, 'cells', f)), f)) as { spec: unknown; provenance: { cpuMs: number | null; wallMs: number } });
    assert.equal(cells.length, 4);
    for (const c of cells) {
      const { cpuMs, wallMs } = c.provenance;
      assert.equal(typeof cpuMs, 'number', JSON.stringify(c.provenance));
      // One thread cannot run longer than the wall clock it ran in (+ a clock tick).
      assert.ok(cpuMs! > 0 && cpuMs! <= wallMs + 15, `cpuMs ${cpuMs}, wallMs ${wallMs}`);
      assert.equal((c.spec as Record<string, unknown>).cpuMs, undefined, 'provenance, not the spec: addresses do not move');
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/**
 * `harness sweep` / `harness merge` end to end: the built CLI as a child process, smoke preset
 * (tiny cells), temp stores. One uninterrupted reference run; every other scenario must end
 * with exactly its cells and byte-identical summary.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCellFile, encodeCompact } from '../harness/sweep/compact.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
// 8 cells: 2 estimators × 4 seeds, 40 steps each.
const GRID = ['sweep', '--preset', 'smoke', '--seeds', '4', '--no-gpu'];
const HASH_JSON = /^[0-9a-f]{64}\.json$/;
// The sweep writes compact cells (harness/sweep/compact.ts).
const CELL_FILE = /^[0-9a-f]{64}\.json\.br$/;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
type Ev = { type: string; hash?: string; attempt?: number; attempts?: number; error?: string; cached?: number; [k: string]: unknown };

function cli(args: string[], opts: { env?: Record<string, string>; onLine?: (line: string, kill: () => void) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const k of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'MI_HARNESS_SHARD_COUNT', 'MI_HARNESS_FAULT']) delete env[k];
    Object.assign(env, opts.env);
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', pending = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d; pending += d;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i); pending = pending.slice(i + 1);
        opts.onLine?.(line, () => child.kill('SIGKILL'));
      }
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What went wrong in a run, for assertion messages: stderr plus any failure events. */
const why = (r: Run): string => `${r.stderr}\n${r.stdout.split('\n').filter((l) => /"type":"(failed|retry)"/.test(l)).join('\n')}`;
const events = (r: Run): Ev[] => r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Ev);
const cellNames = (dir: string) => readdirSync(join(dir, 'cells')).filter((n) => CELL_FILE.test(n)).sort();
const readCell = (path: string) => JSON.parse(decodeCellFile(readFileSync(path), path)) as Record<string, unknown>;
const summary = (dir: string) => readFileSync(join(dir, 'summary.txt'), 'utf8');

/** Sorted listing of every file under dir with a digest of its bytes. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return ['<absent>'];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { out.push(`${p}/`); walk(p); }
      else out.push(`${p} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}

let tmp: string;
let ref: string;
let refCells: string[];
let refSummary: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mi-sweep-'));
  ref = join(tmp, 'ref');
  const r = await cli([...GRID, '--out', ref, '--workers', '2']);
  assert.equal(r.code, 0, why(r));
  refCells = cellNames(ref);
  refSummary = summary(ref);
  assert.equal(refCells.length, 8);
  assert.match(refSummary, /8 cells · 0 failed/);
  assert.ok(r.stdout.includes(refSummary), 'the summary is printed too');
});

after(() => { rmSync(tmp, { recursive: true, force: true }); });

test('rerun of a finished sweep runs nothing and prints the same summary', async () => {
  const r = await cli([...GRID, '--out', ref, '--json']);
  assert.equal(r.code, 0, why(r));
  const ev = events(r);
  assert.equal(ev.find((e) => e.type === 'plan')?.cached, 8);
  assert.equal(ev.filter((e) => e.type === 'start').length, 0);
  assert.equal(summary(ref), refSummary);
});

test('SIGKILL mid-run, then the same command: no lost or duplicated cells, same summary', async () => {
  const dir = join(tmp, 'killed');
  const args = [...GRID, '--out', dir, '--workers', '1', '--json'];
  let killed = false;
  const first = await cli(args, {
    env: { MI_HARNESS_FAULT: '*:slow' }, // ≥ 300 ms a cell, so the kill lands mid-run
    onLine: (line, kill) => { if (!killed && line.includes('"type":"done"')) { killed = true; kill(); } },
  });
  assert.equal(first.signal, 'SIGKILL');
  const survived = cellNames(dir);
  assert.ok(survived.length >= 1 && survived.length < 8, `cells after the kill: ${survived.length}`);
  assert.ok(!existsSync(join(dir, 'summary.txt')), 'killed before the end');
  const second = await cli(args);
  assert.equal(second.code, 0, why(second));
  const ev = events(second);
  assert.equal(ev.find((e) => e.type === 'plan')?.cached, survived.length);
  const started = ev.filter((e) => e.type === 'start').map((e) => `${e.hash}.json.br`);
  assert.equal(started.length, 8 - survived.length, 'each missing cell ran once');
  assert.equal(new Set(started).size, started.length);
  for (const s of started) assert.ok(!survived.includes(s), 'a finished cell is never re-run');
  assert.deepEqual(cellNames(dir), refCells);
  assert.equal(summary(dir), refSummary);
});

test('shards 1/3, 2/3, 3/3 then merge = one unsharded run', async () => {
  const parts: string[][] = [];
  for (const i of [1, 2, 3]) {
    const dir = join(tmp, `shard${i}`);
    // One shard through the environment (Kubernetes Indexed Job), the others through --shard.
    const r = i === 2
      ? await cli([...GRID, '--out', dir, '--workers', '1'], { env: { JOB_COMPLETION_INDEX: '1', MI_HARNESS_SHARD_COUNT: '3' } })
      : await cli([...GRID, '--out', dir, '--workers', '1', '--shard', `${i}/3`]);
    assert.equal(r.code, 0, why(r));
    parts.push(cellNames(dir));
  }
  assert.deepEqual(parts.flat().sort(), refCells, 'the shards partition the grid');
  assert.ok(parts.every((p) => p.length >= 2 && p.length <= 3));
  const merged = join(tmp, 'merged');
  const m = await cli(['merge', join(tmp, 'shard1'), join(tmp, 'shard2'), join(tmp, 'shard3'), '--out', merged]);
  assert.equal(m.code, 0, why(m));
  assert.deepEqual(cellNames(merged), refCells);
  assert.equal(summary(merged), refSummary);
  assert.equal(m.stdout, refSummary);
  // A corrupt file in a source is reported on one line and left out; a sweep on the merged
  // store then runs exactly that cell.
  const bent = join(tmp, 'shard1-bent');
  cpSync(join(tmp, 'shard1'), bent, { recursive: true });
  const victim = parts[0][0];
  writeFileSync(join(bent, 'cells', victim), '{"format":');
  const merged2 = join(tmp, 'merged2');
  const m2 = await cli(['merge', bent, join(tmp, 'shard2'), join(tmp, 'shard3'), '--out', merged2]);
  assert.equal(m2.code, 0, why(m2));
  assert.equal(m2.stderr.split('\n').filter((l) => l.includes(victim)).length, 1);
  assert.deepEqual(cellNames(merged2), refCells.filter((n) => n !== victim));
  const fill = await cli([...GRID, '--out', merged2, '--json']);
  assert.deepEqual(events(fill).filter((e) => e.type === 'start').map((e) => `${e.hash}.json.br`), [victim]);
  assert.equal(summary(merged2), refSummary);
  // Merging again (and merging the reference in) changes nothing.
  const again = await cli(['merge', ref, join(tmp, 'shard1'), '--out', merged]);
  assert.equal(again.code, 0, why(again));
  assert.deepEqual(cellNames(merged), refCells);
  assert.equal(summary(merged), refSummary);
});

test('an injected throwing and a hanging cell end failed after their retries; the rest finish; exit 3; a clean rerun completes', async () => {
  const dir = join(tmp, 'faults');
  const [bad, hung] = [refCells[0].slice(0, 16), refCells[5].slice(0, 16)];
  const args = [...GRID, '--out', dir, '--workers', '2', '--retries', '1', '--timeout', '3s', '--json'];
  const r = await cli(args, { env: { MI_HARNESS_FAULT: `${bad}:throw,${hung}:hang` } });
  assert.equal(r.code, 3, why(r));
  const ev = events(r);
  const failed = ev.filter((e) => e.type === 'failed');
  assert.deepEqual(failed.map((e) => e.hash!.slice(0, 16)).sort(), [bad, hung].sort());
  for (const f of failed) assert.equal(f.attempts, 2, 'one try + one retry');
  assert.match(failed.find((e) => e.hash!.startsWith(bad))!.error!, /injected fault/);
  assert.match(failed.find((e) => e.hash!.startsWith(hung))!.error!, /timed out after 3s/);
  assert.equal(ev.filter((e) => e.type === 'retry').length, 2);
  assert.equal(ev.filter((e) => e.type === 'done').length, 6);
  assert.deepEqual(cellNames(dir), refCells.filter((n) => !n.startsWith(bad) && !n.startsWith(hung)));
  const failures = readdirSync(join(dir, 'failures')).filter((n) => HASH_JSON.test(n)).sort();
  assert.deepEqual(failures.map((n) => n.slice(0, 16)).sort(), [bad, hung].sort());
  const rec = JSON.parse(readFileSync(join(dir, 'failures', failures[0]), 'utf8')) as { attempts: unknown[] };
  assert.equal(rec.attempts.length, 2);
  assert.match(summary(dir), /6 cells · 2 failed/);
  assert.equal(ev.at(-1)?.type, 'summary');
  assert.equal(ev.at(-1)?.exitCode, 3);

  const clean = await cli(args);
  assert.equal(clean.code, 0, why(clean));
  assert.equal(events(clean).filter((e) => e.type === 'start').length, 2, 'only the failed cells run again');
  assert.deepEqual(readdirSync(join(dir, 'failures')).filter((n) => HASH_JSON.test(n)), [], 'failure records cleared');
  assert.deepEqual(cellNames(dir), refCells);
  assert.equal(summary(dir), refSummary);
});

test('a worker that runs out of memory fails its cell, not the sweep; a flaky cell succeeds on retry', async () => {
  const dir = join(tmp, 'oom');
  const [oom, flaky] = [refCells[2].slice(0, 16), refCells[3].slice(0, 16)];
  const r = await cli([...GRID, '--out', dir, '--workers', '2', '--retries', '1', '--worker-heap-mb', '256', '--json'],
    { env: { MI_HARNESS_FAULT: `${oom}:oom,${flaky}:flaky` } });
  assert.equal(r.code, 3, why(r));
  const ev = events(r);
  const failed = ev.filter((e) => e.type === 'failed');
  assert.deepEqual(failed.map((e) => e.hash!.slice(0, 16)), [oom]);
  assert.match(failed[0].error!, /memory/i);
  assert.ok(ev.some((e) => e.type === 'retry' && e.hash!.startsWith(flaky)));
  assert.ok(ev.some((e) => e.type === 'done' && e.hash!.startsWith(flaky) && e.attempt === 2));
  assert.equal(cellNames(dir).length, 7);
});

test('truncated, garbage and edited cell files are detected, reported and re-run', async () => {
  const dir = join(tmp, 'corrupt');
  cpSync(ref, dir, { recursive: true });
  const [a, b, c] = [refCells[1], refCells[4], refCells[6]];
  const pa = join(dir, 'cells', a);
  const bytes = readFileSync(pa);
  writeFileSync(pa, bytes.subarray(0, bytes.length >> 1));
  writeFileSync(join(dir, 'cells', b), '\u0000\u0000garbage');
  const pc = join(dir, 'cells', c);
  const edited = readCell(pc) as { spec: { seed: number } };
  edited.spec.seed += 100;
  writeFileSync(pc, encodeCompact(edited));
  const r = await cli([...GRID, '--out', dir, '--json']);
  assert.equal(r.code, 0, why(r));
  const ev = events(r);
  const hashes = (type: string) => ev.filter((e) => e.type === type).map((e) => `${e.hash}.json.br`).sort();
  assert.deepEqual(hashes('corrupt'), [a, b, c].sort());
  assert.deepEqual(hashes('start'), [a, b, c].sort());
  for (const e of ev.filter((x) => x.type === 'corrupt')) assert.ok(typeof e.reason === 'string' && !String(e.reason).includes('\n'));
  assert.deepEqual(cellNames(dir), refCells);
  assert.equal(summary(dir), refSummary);
  // Human mode: one line per corrupt file.
  writeFileSync(pa, '{');
  const human = await cli([...GRID, '--out', dir]);
  assert.equal(human.code, 0, why(human));
  assert.equal(human.stderr.split('\n').filter((l) => l.includes(a) && /corrupt/.test(l)).length, 1);
});

test('bad flags or config: one-line error, exit 2, the cell store untouched', async () => {
  const dir = join(tmp, 'bad');
  cpSync(ref, dir, { recursive: true });
  const cfg = join(tmp, 'bad.yaml');
  writeFileSync(cfg, 'estimators: [nwj, mice, foo]\n');
  const cfg2 = join(tmp, 'bad2.json');
  writeFileSync(cfg2, '{"critics": ["separable"], "seedz": 3}');
  const fresh = join(tmp, 'never-created');
  // Flag parsers are unit-tested in sweep-grid.test.ts; these cover each path to exit 2.
  const cases: [string[], RegExp][] = [
    [[...GRID, '--out', dir, '--estimators', 'nwj,foo'], /--estimators: unknown estimator 'foo'/],
    [[...GRID, '--out', dir, '--config', cfg], /config: estimators\[2\]: unknown estimator 'foo'/],
    [[...GRID, '--out', dir, '--config', cfg2], /config: unknown key 'seedz'/],
    [[...GRID, '--out', dir, '--seeds', '0'], /--seeds/],
    [[...GRID, '--out', dir, '--shard', '4/3'], /--shard/],
    [[...GRID, '--out', dir, '--estimators', 'smile:tau=-1'], /tau/],
    [[...GRID, '--out', dir, '--frobnicate'], /unknown option/],
    [[...GRID, '--out', fresh, '--critics', 'bilinear'], /--critics/],
    [['merge', join(tmp, 'nope'), '--out', dir], /not a directory/],
  ];
  const before = [snapshot(dir), snapshot(fresh)];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.match(lines[0], re);
    assert.equal(r.stdout, '');
    assert.deepEqual([snapshot(dir), snapshot(fresh)], before, `store touched by: ${args.join(' ')}`);
  }
});

test('a diverging critic (non-finite estimates) is a result, not a failure', async () => {
  const dir = join(tmp, 'diverge');
  // lr 1000 blows the critic up within a few steps.
  const r = await cli(['sweep', '--preset', 'smoke', '--no-gpu', '--lr', '1000', '--out', dir, '--json']);
  assert.equal(r.code, 0, why(r));
  assert.equal(events(r).filter((e) => e.type === 'failed').length, 0);
  assert.equal(cellNames(dir).length, 4);
  const levels = cellNames(dir).flatMap((n) => (readCell(join(dir, 'cells', n)) as { levels: { mse: number | null; nonFinite: number }[] }).levels);
  assert.ok(levels.some((l) => l.mse === null || l.nonFinite > 0), 'some level recorded the divergence');
  const rows = summary(dir).split('\n').filter((l) => /^(nwj|mice) /.test(l));
  assert.ok(rows.some((l) => /\s0\s+[1-9]\d*\s+\d+:/.test(l)), `a 'diverged' count > 0 and no failed: ${rows.join(' | ')}`);
});

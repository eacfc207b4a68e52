/**
 * Scale-out on a real scheduler (issue 11, item 1): start a single-node Slurm (munged, slurmctld,
 * slurmd from Debian), submit docs/slurm.sbatch as a 3-task job array over the smoke preset into
 * ONE shared store, wait for it, and check: every cell present exactly once (each computed by
 * exactly one task), no temporary or partial file, the three tasks ran at the same time (their
 * logged start–end intervals intersect), and `harness merge` gives the report of an unsharded run
 * of the same grid. Run by `npm run test:slurm` (not part of `npm test`); .ci/run installs
 * slurm-wlm and munge first. Skips, loudly, only where Slurm is not installed or we are not root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cellNames, readCellFile, cli, comparableReport, events, listFiles, plannedHashes, ROOT, runProcess, tempFiles, why } from '../test/cli-helpers.js';
import { slurmUnavailable, startLocalSlurm, type LocalSlurm } from './local-slurm.js';

const TASKS = 3;
const GRID = ['sweep', '--preset', 'smoke', '--no-gpu'];
/** Generous: the three tasks take seconds on an idle machine, but CI may share its cores. */
const ARRAY_TIMEOUT_MS = 20 * 60_000;

const skipReason = slurmUnavailable();
if (skipReason) {
  // Never silent: a banner on stderr as well as the runner's "skipped" line.
  process.stderr.write(`\n${'!'.repeat(78)}\n!! SLURM INTEGRATION TEST SKIPPED: ${skipReason}\n${'!'.repeat(78)}\n\n`);
}

let slurm: LocalSlurm | null = null;
let keep = false;

before(async () => {
  if (skipReason) return;
  slurm = await startLocalSlurm();
});

after(async () => {
  if (!slurm) return;
  spawnSync('scancel', ['--user', 'root'], { env: { ...process.env, ...slurm.env } });
  await slurm.stop();
  if (keep) process.stderr.write(`slurm test: kept ${slurm.dir} for inspection (daemons stopped)\n`);
  else rmSync(slurm.dir, { recursive: true, force: true });
});

interface TaskLog { id: number; start: number; end: number; exit: number; startText: string; endText: string; events: ReturnType<typeof events> }

/** One array task's output file: its start/end lines (from docs/slurm.sbatch) and sweep events. */
function parseTaskLog(text: string, file: string): TaskLog {
  const s = /^mi-harness: array task (\d+) of (\d+) \(job \S+\) on \S+: start (\S+)$/m.exec(text);
  const e = /^mi-harness: array task (\d+) of \d+ \(job \S+\) on \S+: end (\S+) exit (\d+)$/m.exec(text);
  assert.ok(s && e, `${file} lacks the start/end lines:\n${text.slice(-3000)}`);
  assert.equal(Number(s[2]), TASKS, `${file}: SLURM_ARRAY_TASK_COUNT`);
  return {
    id: Number(s[1]), start: Date.parse(s[3]), end: Date.parse(e[2]), exit: Number(e[3]), startText: s[3], endText: e[2],
    events: events(text),
  };
}

test(`docs/slurm.sbatch as a ${TASKS}-task job array over the smoke preset into one shared store`, { timeout: ARRAY_TIMEOUT_MS + 5 * 60_000 }, async (t) => {
  if (skipReason) { t.skip(`SKIPPED: ${skipReason}`); return; }
  const s = slurm!;
  keep = true; // until every assertion has passed
  const store = join(s.dir, 'store'), logs = join(s.dir, 'logs');
  mkdirSync(logs);
  const expected = await plannedHashes(GRID);
  t.diagnostic(`single-node Slurm on ${s.node} (${s.conf}); smoke grid: ${expected.length} cells`);

  // Submitted exactly as a user would, from the checkout; the environment parametrises it.
  const env = { ...s.env, MI_HARNESS_PRESET: 'smoke', MI_HARNESS_STORE: store, SBATCH_ARRAY_INX: `0-${TASKS - 1}` };
  const t0 = Date.now();
  const sub = await runProcess('sbatch', ['--parsable', '--cpus-per-task=1', '--mem=1G', `--output=${logs}/%x-%A_%a.out`,
    'docs/slurm.sbatch', '--json', '--no-gpu'], { cwd: ROOT, env });
  assert.equal(sub.code, 0, `sbatch: ${why(sub)}\n${s.logs()}`);
  const jobId = sub.stdout.trim().split(';')[0];
  // Wait for the array to leave the queue (polling squeue each second; sbatch --wait polls far
  // more slowly). A job squeue no longer knows has left it too.
  let waited = false;
  while (Date.now() - t0 < ARRAY_TIMEOUT_MS) {
    const q = await runProcess('squeue', ['-h', '-j', jobId, '-o', '%i %T'], { env });
    if ((q.code === 0 && q.stdout.trim() === '') || /Invalid job id/i.test(q.stderr)) { waited = true; break; }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const wallS = ((Date.now() - t0) / 1000).toFixed(1);
  const files = readdirSync(logs).sort();
  const logText = files.map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8').slice(-2000)}`).join('\n');
  assert.ok(waited, `the array job ${jobId} was still queued or running after ${wallS} s\n${logText}\n${s.logs()}`);
  t.diagnostic(`array job ${jobId} left the queue ${wallS} s after submission`);

  // The three tasks: each logged start and end, ran its own shard, exited 0.
  assert.equal(files.length, TASKS, `one output file per task: ${files.join(', ')}`);
  const tasks = files.map((f) => parseTaskLog(readFileSync(join(logs, f), 'utf8'), f)).sort((a, b) => a.id - b.id);
  assert.deepEqual(tasks.map((x) => x.id), [0, 1, 2]);
  for (const x of tasks) {
    assert.equal(x.exit, 0, `task ${x.id} exit code\n${logText}`);
    assert.equal(x.events.find((e) => e.type === 'plan')?.shard, `${x.id + 1}/${TASKS}`, `task ${x.id} ran shard ${x.id + 1}/${TASKS}`);
  }
  const origin = Math.min(...tasks.map((x) => x.start));
  for (const x of tasks) {
    t.diagnostic(`task ${x.id}: start ${x.startText}  end ${x.endText}  (+${((x.start - origin) / 1000).toFixed(3)} s → +${((x.end - origin) / 1000).toFixed(3)} s)`);
  }
  // Overlap: intervals on a line intersect pairwise iff they share a point, i.e. the latest start
  // comes before the earliest end.
  const lastStart = Math.max(...tasks.map((x) => x.start)), firstEnd = Math.min(...tasks.map((x) => x.end));
  t.diagnostic(`all ${TASKS} tasks running at once for ${((firstEnd - lastStart) / 1000).toFixed(3)} s (latest start → earliest end)`);
  assert.ok(lastStart < firstEnd, `the array tasks did not all overlap in time: latest start ${new Date(lastStart).toISOString()}, earliest end ${new Date(firstEnd).toISOString()}`);

  // Every cell exactly once: the store holds exactly the grid, and each cell was computed by
  // exactly one task.
  const done = tasks.flatMap((x) => x.events.filter((e) => e.type === 'done').map((e) => String(e.hash))).sort();
  assert.deepEqual(done, expected, 'each cell computed by exactly one array task');
  assert.deepEqual(cellNames(store), expected.map((h) => `${h}.json.br`));
  assert.deepEqual(tempFiles(store), [], `temporary files in the store: ${listFiles(store).join(', ')}`);
  assert.ok(!existsSync(join(store, 'failures')) || readdirSync(join(store, 'failures')).length === 0, 'no failure records');
  for (const f of listFiles(store).filter((f) => f.endsWith('.json') || f.endsWith('.json.br'))) readCellFile(join(store, f));

  // `harness merge` of the shared store = the report of an unsharded run of the same grid (byte
  // for byte but for the measured ms/step); so is the shared store's own report.
  const ref = join(s.dir, 'unsharded'), merged = join(s.dir, 'merged');
  const r = await cli([...GRID, '--out', ref, '--workers', '2']);
  assert.equal(r.code, 0, why(r));
  const m = await cli(['merge', store, '--out', merged]);
  assert.equal(m.code, 0, why(m));
  assert.deepEqual(cellNames(merged), cellNames(ref));
  const want = comparableReport(ref);
  for (const [name, dir] of [['merged', merged], ['shared store', store]] as const) {
    const got = comparableReport(dir);
    assert.deepEqual([...got.keys()], [...want.keys()], `${name}: report files`);
    for (const [f, text] of want) assert.equal(got.get(f), text, `${name}: ${f} differs from the unsharded run's`);
  }
  t.diagnostic(`harness merge: ${want.size} report files identical to the unsharded run's (ms/step aside)`);
  keep = false;
});

/**
 * Shards that share one store write its summary and report concurrently (issue 11, item 2):
 * every such write is atomic (harness/atomic-write.ts), so a reader never sees a torn file, and
 * the files left behind describe the whole store. Real processes throughout: two writers of one
 * file, then two `harness sweep` shards into one store at the same time.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellNames, cli, comparableReport, events, listFiles, plannedHashes, tempFiles, why } from './cli-helpers.js';

const ATOMIC = fileURLToPath(new URL('../harness/atomic-write.js', import.meta.url));
// 8 cells (2 estimators × 4 seeds, 40 steps each): 4 per shard.
const GRID = ['sweep', '--preset', 'smoke', '--seeds', '4', '--no-gpu'];

let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'mi-concurrent-')); });
after(() => { rmSync(tmp, { recursive: true, force: true }); });

test('atomicWrite: while two processes rewrite one file 150 times each, a reader only ever sees complete versions', async () => {
  const file = join(tmp, 'LEADERBOARD.md');
  // Each version is 256 KiB of one letter with a header and trailer naming it, large enough that
  // a non-atomic write is observed half-done (the reader polls as fast as it can).
  const writer = (letter: string) => spawn(process.execPath, ['--input-type=module', '-e', `
    const { atomicWrite } = await import(${JSON.stringify(ATOMIC)});
    for (let i = 0; i < 150; i++) {
      const tag = '${letter}' + i;
      await atomicWrite(${JSON.stringify(file)}, 'BEGIN ' + tag + '\\n' + '${letter}'.repeat(262144) + '\\nEND ' + tag + '\\n');
    }`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const done = (c: ReturnType<typeof writer>) => new Promise<number | null>((res) => c.on('close', res));
  const a = writer('a'), b = writer('b');
  const exits = Promise.all([done(a), done(b)]);
  let finished = false;
  void exits.then(() => { finished = true; });
  let reads = 0;
  const seen = new Set<string>();
  while (!finished) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOENT', 'only "not there yet" may fail');
      await new Promise((r) => setImmediate(r));
      continue;
    }
    reads++;
    const m = /^BEGIN ([ab])(\d+)\n/.exec(text);
    assert.ok(m, `a read began with ${JSON.stringify(text.slice(0, 20))}`);
    const [, letter, i] = m;
    assert.equal(text, `BEGIN ${letter}${i}\n${letter.repeat(262144)}\nEND ${letter}${i}\n`, `version ${letter}${i} was read torn`);
    seen.add(`${letter}${i}`);
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await exits, [0, 0]);
  assert.ok(reads >= 20, `the reader got ${reads} reads in`);
  assert.ok(seen.size >= 2, 'the reader saw the file change');
  assert.match(readFileSync(file, 'utf8'), /END [ab]149\n$/, 'the last complete write wins');
  assert.deepEqual(tempFiles(tmp), [], 'no temp file left behind');
});

test('two shards into one store at the same time: every cell once, no temp file, summary and report as an unsharded run', async () => {
  const ref = join(tmp, 'ref'), shared = join(tmp, 'shared');
  const expected = await plannedHashes(GRID);
  assert.equal(expected.length, 8);
  const r0 = await cli([...GRID, '--out', ref, '--workers', '2']);
  assert.equal(r0.code, 0, why(r0));

  // Poll the shared summary files while both shards run: every version read must be complete.
  let running = true, polls = 0;
  const checkSummary = (text: string) => {
    const m = /^mi-harness sweep summary · (\d+) cells · 0 failed/.exec(text);
    assert.ok(m, `summary.txt read as ${JSON.stringify(text.slice(0, 60))}`);
    const rows = text.split('\n').filter((l) => /^(nwj|mice) /.test(l));
    assert.equal(rows.length, 2, `summary.txt has every row:\n${text}`);
    assert.ok(text.endsWith('\n'));
  };
  const checkCsv = (text: string) => {
    const lines = text.trimEnd().split('\n');
    assert.ok(text.endsWith('\n') && lines.length >= 2, 'summary.csv has a header and rows');
    const cols = (l: string) => l.split(',').length;
    for (const l of lines) assert.equal(cols(l) >= cols(lines[0]), true, `summary.csv line cut short: ${l}`);
  };
  const poller = (async () => {
    while (running) {
      for (const [name, check] of [['summary.txt', checkSummary], ['summary.csv', checkCsv]] as const) {
        let text: string | null = null;
        try { text = readFileSync(join(shared, name), 'utf8'); } catch { /* not yet written */ }
        if (text !== null) { check(text); polls++; }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  const [s1, s2] = await Promise.all([
    cli([...GRID, '--out', shared, '--workers', '1', '--shard', '1/2', '--json']),
    cli([...GRID, '--out', shared, '--workers', '1', '--shard', '2/2', '--json']),
  ]);
  running = false;
  await poller;
  assert.equal(s1.code, 0, why(s1));
  assert.equal(s2.code, 0, why(s2));
  assert.ok(polls > 0, 'the poller read the summary files at least once');

  // Each cell computed by exactly one shard, and the store holds exactly the grid.
  const done = [...events(s1.stdout), ...events(s2.stdout)].filter((e) => e.type === 'done').map((e) => String(e.hash)).sort();
  assert.deepEqual(done, expected, 'each cell ran exactly once across the two shards');
  assert.deepEqual(cellNames(shared), expected.map((h) => `${h}.json.br`));
  assert.deepEqual(tempFiles(shared), [], `temp files left: ${listFiles(shared).join(', ')}`);
  // Whichever shard renamed last, its files describe all 8 cells: the unsharded run's report,
  // byte for byte but for the measured ms/step.
  const want = comparableReport(ref), got = comparableReport(shared);
  assert.deepEqual([...got.keys()], [...want.keys()]);
  for (const [name, text] of want) assert.equal(got.get(name), text, `${name} differs from the unsharded run's`);
});

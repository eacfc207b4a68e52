/**
 * Packed stores (harness/sweep/pack.ts, docs/sweep.md "Packs"): `harness pack` folds a store's
 * cells into one brotli pack; the store, the report, the sweep and a merge read a packed cell
 * exactly as its loose file (reports byte-identical, nothing re-runs); loose cells written after
 * a pack are read beside it and folded by the next pack; stale and corrupt files stay loose; a
 * linked cell is packed by content and only the link removed; a pack that cannot be read is bad
 * input (exit 2, one line) for the sweep, pack and merge, never a reason to re-run its cells.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { compactCell, encodeCompact } from '../harness/sweep/compact.js';
import { CELL_FORMAT, CellStore, PACK_RE, type CellFile } from '../harness/sweep/store.js';
import { CODE_VERSION, jobHash, PACKAGE_VERSION } from '../harness/sweep/hash.js';
import { renderSummary } from '../harness/sweep/summary.js';
import { planJobs } from '../harness/sweep/sweep.js';
import { preset } from '../harness/sweep/presets.js';
import { writeReport } from '../harness/report.js';
import type { CellSpec, Job } from '../src/types.js';
import { fakeCell, fakeGan, fixtureCells, PAPER_LIKE } from './report-fixtures.js';

const CLI = fileURLToPath(new URL('../harness/cli.js', import.meta.url));
const cli = (...args: string[]) => {
  const env = { ...process.env };
  for (const k of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX', 'MI_HARNESS_SHARD_COUNT', 'MI_HARNESS_FAULT']) delete env[k];
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
};

function sweepCell(result: object & { spec: object }, codeVersion = CODE_VERSION): CellFile {
  const spec = result.spec as Job;
  return {
    ...result, format: CELL_FORMAT, hash: jobHash(spec, codeVersion), codeVersion, packageVersion: PACKAGE_VERSION, spec,
    provenance: { engine: 'wasm', backend: 'wasm-simd', lane: 'cpu', wallMs: 1234.5, startedAt: '2026-12-01T00:00:00.000Z' },
  } as unknown as CellFile;
}

const CELLS = [
  ...fixtureCells({ estimators: PAPER_LIKE, seeds: [1, 2, 3], critics: ['separable', 'joint'], tasks: ['gaussian', 'cubic'], stepsPerLevel: 300 }),
  ...[1, 2].flatMap((s) => [fakeGan('vanilla', s), fakeGan('mice', s)]),
].map((c) => sweepCell(c));

/** A store as the sweep writes it: compact loose files (and, for `plain`, some plain ones). */
function writeStore(dir: string, cells: readonly CellFile[], plain: ReadonlySet<string> = new Set()): void {
  mkdirSync(join(dir, 'cells'), { recursive: true });
  for (const c of cells) {
    if (plain.has(c.hash)) writeFileSync(join(dir, 'cells', `${c.hash}.json`), JSON.stringify(c) + '\n');
    else writeFileSync(join(dir, 'cells', `${c.hash}.json.br`), encodeCompact(compactCell(c).cell));
  }
}

/** The report's text files and the sweep's summary: what must read the same packed and loose. */
async function report(dir: string): Promise<Map<string, string>> {
  await writeReport(dir, { resamples: 200, warn: () => {} });
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) if (/\.(md|csv)$/.test(f)) out.set(f, readFileSync(join(dir, f), 'utf8'));
  out.set('summary.txt', renderSummary(new CellStore(dir).readAll().cells, []));
  out.set('plots/', readdirSync(join(dir, 'plots')).sort().join('\n'));
  return out;
}

const cellFiles = (dir: string) => readdirSync(join(dir, 'cells')).sort();
const packs = (dir: string) => cellFiles(dir).filter((n) => PACK_RE.test(n));

let tmp: string;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'mi-pack-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

test('harness pack folds a store into one pack; every cell reads the same and the report is byte-identical', async () => {
  const loose = join(tmp, 'loose'), packed = join(tmp, 'packed');
  writeStore(loose, CELLS, new Set(CELLS.slice(0, 5).map((c) => c.hash)));
  cpSync(loose, packed, { recursive: true });
  const before = await report(loose);
  const r = cli('pack', packed);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${CELLS.length} cell\\(s\\) in cells/pack-[0-9a-f]{16}\\.jsonl\\.br \\(${CELLS.length} from loose files, 0 from packs\\)`));
  assert.deepEqual(cellFiles(packed), packs(packed), 'only the pack is left');
  assert.equal(packs(packed).length, 1);
  // The pack is the compact cells, one a line, sorted by hash, named by the SHA-256 of its text.
  const text = brotliDecompressSync(readFileSync(join(packed, 'cells', packs(packed)[0]))).toString('utf8');
  const lines = text.trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { hash: string }).hash), CELLS.map((c) => c.hash).sort());
  assert.equal(lines[0], JSON.stringify(compactCell(CELLS.find((c) => c.hash === [...CELLS.map((x) => x.hash)].sort()[0])!).cell));
  assert.equal(packs(packed)[0], `pack-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.jsonl.br`);

  const a = new CellStore(loose), b = new CellStore(packed);
  assert.deepEqual(b.cellHashes(), a.cellHashes());
  for (const h of a.cellHashes()) {
    const x = a.check(h), y = b.check(h);
    assert.equal(y.state, 'ok', h);
    if (x.state === 'ok' && y.state === 'ok') assert.deepEqual(compactCell(y.cell).cell, compactCell(x.cell).cell);
  }
  assert.deepEqual(await report(packed), before);

  // Again: nothing to do, the same pack; and a copy packs to the same bytes.
  const again = cli('pack', packed);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /0 from loose files, \d+ from packs/);
  const copy = join(tmp, 'loose-copy');
  cpSync(loose, copy, { recursive: true });
  assert.equal(cli('pack', copy).status, 0);
  assert.deepEqual(packs(copy), packs(packed));
  assert.ok(readFileSync(join(copy, 'cells', packs(copy)[0])).equals(readFileSync(join(packed, 'cells', packs(packed)[0]))));
  // compact leaves a packed store alone.
  const c = cli('compact', packed);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /0 compacted, 0 already compact, 0 left alone/);
});

test('cells written after a pack are read beside it, and the next pack folds them into one', async () => {
  const dir = join(tmp, 'grow'), all = join(tmp, 'grow-loose');
  const [first, rest] = [CELLS.slice(0, 20), CELLS.slice(20)];
  writeStore(dir, first);
  assert.equal(cli('pack', dir).status, 0);
  const firstPack = packs(dir)[0];
  writeStore(dir, rest);
  writeStore(all, CELLS);
  assert.deepEqual(new CellStore(dir).cellHashes(), new CellStore(all).cellHashes());
  assert.deepEqual(await report(dir), await report(all));
  const r = cli('pack', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`\\(${rest.length} from loose files, ${first.length} from packs\\)`));
  assert.equal(packs(dir).length, 1);
  assert.notEqual(packs(dir)[0], firstPack, 'the old pack is replaced');
  assert.deepEqual(cellFiles(dir), packs(dir));
  assert.deepEqual(await report(dir), await report(all));
});

test('stale and corrupt files stay loose; a linked cell is packed by content and only its link removed', () => {
  const dir = join(tmp, 'mixed'), other = join(tmp, 'other');
  const [linked, ...own] = CELLS.slice(0, 6);
  writeStore(other, [linked]);
  writeStore(dir, own);
  symlinkSync(join('..', '..', 'other', 'cells', `${linked.hash}.json.br`), join(dir, 'cells', `${linked.hash}.json.br`));
  const stale = sweepCell(fakeCell(PAPER_LIKE[0], { ...(CELLS[7].spec as CellSpec), seed: 99 }), CODE_VERSION + 1);
  writeFileSync(join(dir, 'cells', `${stale.hash}.json.br`), encodeCompact(compactCell(stale).cell));
  const broken = jobHash({ ...(CELLS[8].spec as Job), seed: 98 } as Job);
  writeFileSync(join(dir, 'cells', `${broken}.json`), '{"truncated":');
  const r = cli('pack', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /6 cell\(s\) in cells\/pack-[0-9a-f]{16}\.jsonl\.br \(6 from loose files, 0 from packs\), 2 file\(s\) left alone/);
  assert.match(r.stderr, /stale/);
  assert.match(r.stderr, /corrupt/);
  assert.deepEqual(cellFiles(dir).filter((n) => !PACK_RE.test(n)).sort(), [`${broken}.json`, `${stale.hash}.json.br`].sort());
  assert.ok(existsSync(join(other, 'cells', `${linked.hash}.json.br`)) && !lstatSync(join(other, 'cells', `${linked.hash}.json.br`)).isSymbolicLink(), 'the link target is untouched');
  const store = new CellStore(dir);
  assert.equal(store.check(linked.hash).state, 'ok');
  assert.equal(store.check(stale.hash).state, 'stale');
  assert.equal(store.check(broken).state, 'corrupt');
});

test('harness merge reads a packed store and writes compact files; a packed destination counts its cells as there', async () => {
  const src = join(tmp, 'merge-src'), out = join(tmp, 'merge-out'), loose = join(tmp, 'merge-loose');
  writeStore(src, CELLS);
  writeStore(loose, CELLS);
  assert.equal(cli('pack', src).status, 0);
  const m = cli('merge', src, '--out', out);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(cellFiles(out), CELLS.map((c) => `${c.hash}.json.br`).sort());
  for (const c of CELLS) assert.ok(readFileSync(join(out, 'cells', `${c.hash}.json.br`)).equals(readFileSync(join(loose, 'cells', `${c.hash}.json.br`))));
  const again = cli('merge', loose, '--out', src, '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(packs(src), cellFiles(src), 'nothing copied into the packed store: every cell is already there');
});

test('a packed store re-runs nothing; a pack that cannot be read is bad input, never a reason to re-run its cells', () => {
  const dir = join(tmp, 'smoke');
  const jobs = planJobs(preset('smoke'), null);
  const fe = PAPER_LIKE.find((e) => e.estimator === 'nwj')!;
  writeStore(dir, jobs.map(({ job }) => sweepCell({ ...fakeCell(fe, job as CellSpec), spec: job })));
  assert.equal(cli('pack', dir).status, 0);
  const plan = cli('sweep', '--preset', 'smoke', '--no-gpu', '--json', '--out', dir);
  assert.equal(plan.status, 0, plan.stderr);
  const ev = plan.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; cached?: number; pending?: number });
  const p = ev.find((e) => e.type === 'plan')!;
  assert.deepEqual([p.cached, p.pending, ev.filter((e) => e.type === 'start').length], [jobs.length, 0, 0]);
  assert.deepEqual(cellFiles(dir).filter((n) => !PACK_RE.test(n)), [], 'the sweep wrote no loose cell');

  const pack = join(dir, 'cells', packs(dir)[0]);
  truncateSync(pack, Math.floor(readFileSync(pack).length / 2));
  const oneLine = (r: ReturnType<typeof cli>, re: RegExp) => {
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], re);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  };
  oneLine(cli('sweep', '--preset', 'smoke', '--no-gpu', '--json', '--out', dir), /pack-[0-9a-f]{16}\.jsonl\.br: not a valid brotli stream/);
  oneLine(cli('pack', dir), /pack-[0-9a-f]{16}\.jsonl\.br: not a valid brotli stream/);
  oneLine(cli('merge', dir, '--out', join(tmp, 'merge-bad')), /pack-[0-9a-f]{16}\.jsonl\.br: not a valid brotli stream/);
  assert.ok(existsSync(pack), 'the damaged pack is left for the user to restore');
  assert.deepEqual(cellFiles(dir).filter((n) => !PACK_RE.test(n)), []);
  // The report warns, naming the pack, and reads the rest.
  const rep = cli('report', dir, '--no-plots');
  assert.match(rep.stderr, /skipping unreadable part of cell pack .*pack-[0-9a-f]{16}\.jsonl\.br: not a valid brotli stream/);
  assert.equal(cli('pack', join(tmp, 'nope')).status, 2);
});

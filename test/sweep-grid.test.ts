/** Sweep logic that needs no training: variants, grid, presets, config, hashing, shards, lanes, store checks, summary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { UsageError } from '../src/errors.js';
import { ESTIMATORS, type CellSpec, type GanSpec } from '../src/types.js';
import { buildCellSpec, validateCellSpec } from '../harness/spec.js';
import { parseVariant, variantLabel } from '../src/variant.js';
import { expandGrid, isGan, type Job } from '../harness/sweep/grid.js';
import { FIELD_NEW, FIELD_ZOO, MAIN_ESTIMATORS, PRESETS, PRESET_STORES, preset } from '../harness/sweep/presets.js';
import { loadConfig, parseConfig, applyConfig } from '../harness/sweep/config.js';
import { canonicalJson, jobHash, legacyJobHash, CODE_VERSION, PACKAGE_VERSION } from '../harness/sweep/hash.js';
import { createHash } from 'node:crypto';
import { resolveShard, shardSlice } from '../harness/sweep/shard.js';
import { planLanes, pickJob, type PendingJob } from '../harness/sweep/pool.js';
import { CELL_FORMAT, verifyCellText, type CellFile } from '../harness/sweep/store.js';
import { renderSummary } from '../harness/sweep/summary.js';
import { gridFromFlags, parseDuration, parseSeeds, runFlags } from '../harness/sweep/flags.js';
import { planJobs } from '../harness/sweep/sweep.js';

const usage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof UsageError && re.test(e.message));

test('buildCellSpec: paper defaults; spectral norm on for MICE only; validateCellSpec names the field', () => {
  const s = buildCellSpec({ estimator: 'nwj' });
  assert.deepEqual(
    { mi: s.mi, L: s.stepsPerLevel, n: s.batchSize, d: s.dim, h: s.hidden, e: s.embed, lr: s.lr, sn: s.spectralNorm, rho: s.batchRho, b: s.boundOptions },
    { mi: [2, 4, 6, 8, 10], L: 4000, n: 64, d: 20, h: 256, e: 32, lr: 5e-4, sn: false, rho: 0, b: {} },
  );
  assert.equal(buildCellSpec({ estimator: 'mice' }).spectralNorm, true);
  assert.equal(validateCellSpec(s), s);
  usage(() => validateCellSpec({ ...s, batchSize: 1 }), /^batchSize:/);
  usage(() => validateCellSpec({ ...s, batchRho: 1 }), /^batchRho:/);
  usage(() => validateCellSpec({ ...s, mi: [2, -1] }), /^mi\[1\]:/);
  usage(() => validateCellSpec({ ...s, critic: 'bilinear' as never }), /^critic:/);
  usage(() => validateCellSpec({ ...s, boundOptions: { tau: 0 } }), /^boundOptions\.tau:/);
  usage(() => validateCellSpec({ ...s, boundOptions: { bogus: 1 } as never }), /^boundOptions\.bogus:/);
});

test('variants: SMILE τ=1 and τ=∞, MICE forms, sn override; label round-trips', () => {
  assert.deepEqual(parseVariant('smile:tau=1'), { estimator: 'smile', boundOptions: { tau: 1 }, spectralNorm: false });
  assert.deepEqual(parseVariant('smile:tau=inf'), { estimator: 'smile', boundOptions: {}, spectralNorm: false });
  assert.deepEqual(parseVariant('smile').boundOptions, { tau: 1 });
  assert.deepEqual(parseVariant('mice:form=nwj'), { estimator: 'mice', boundOptions: { miceForm: 'nwj', miceBlockPartition: true }, spectralNorm: true });
  assert.equal(parseVariant('mice:sn=off:block=off').spectralNorm, false);
  assert.equal(parseVariant('nwj:sn=on').spectralNorm, true);
  assert.deepEqual(parseVariant('mice:block=off:sn=all'), { estimator: 'mice', boundOptions: { miceForm: 'dv', miceBlockPartition: false }, spectralNorm: true, spectralNormLayers: 'all' });
  assert.deepEqual(parseVariant('mice:sn=last'), parseVariant('mice'));
  assert.equal(variantLabel(parseVariant('mice:sn=all:block=off')), 'mice:block=off:sn=all');
  assert.equal(variantLabel(parseVariant('nwj:sn=all')), 'nwj:sn=all');
  usage(() => parseVariant('mice:sn=some'), /sn must be on, last, all or off/);
  const snAll = buildCellSpec({ ...parseVariant('mice:sn=all') });
  assert.equal(snAll.spectralNormLayers, 'all');
  assert.equal(buildCellSpec(parseVariant('mice')).spectralNormLayers, undefined, 'absent at the default, so the address is unchanged');
  usage(() => validateCellSpec({ ...snAll, spectralNorm: false }), /^spectralNormLayers: all layers need spectralNorm/);
  assert.equal(variantLabel(parseVariant('smile:tau=inf')), 'smile:tau=inf');
  assert.equal(variantLabel(parseVariant('mice:block=off:form=nwj')), 'mice:form=nwj:block=off');
  usage(() => parseVariant('foo'), /unknown estimator 'foo'/);
  usage(() => parseVariant('nwj:tau=1'), /unknown option 'tau=1' for nwj/);
  usage(() => parseVariant('smile:tau=0'), /tau must be/);
  usage(() => parseVariant('smile:tau=1:tau=2'), /given twice/);
  const option = fc.oneof(
    fc.constantFrom(...ESTIMATORS).map((e) => e as string),
    fc.tuple(fc.constantFrom('1', '2.5', 'inf', '0.1'), fc.constantFrom('on', 'off')).map(([t, sn]) => `smile:tau=${t}:sn=${sn}`),
    fc.tuple(fc.constantFrom('dv', 'nwj'), fc.constantFrom('on', 'off'), fc.constantFrom('on', 'off', 'all')).map(([f, b, sn]) => `mice:form=${f}:block=${b}:sn=${sn}`),
    fc.constantFrom('0', '0.3', '1').map((a) => `alpha-infonce:alpha=${a}`),
    fc.constantFrom('0.01', '0.2').map((r) => `mine:ema=${r}`),
  );
  fc.assert(fc.property(option, (v) => {
    const parsed = parseVariant(v);
    assert.deepEqual(parseVariant(variantLabel(parsed)), parsed);
  }));
});

test('grid: axes multiply; presets have the documented shapes', () => {
  const g = { ...preset('smoke'), batchRho: [0, 'random' as const], seeds: [0, 1, 2] };
  const jobs = expandGrid(g);
  assert.equal(jobs.length, 2 * 1 * 1 * 2 * 1 * 3);
  assert.equal(expandGrid(preset('quick')).length, 6 * 1 * 2 * 1 * 10);
  // The headline store: separable, both tasks, 7 ρ_batch, 6 main variants + 2 sn=all readings, 10 seeds.
  const paper = expandGrid(preset('paper')) as CellSpec[];
  assert.equal(paper.length, 8 * 1 * 2 * 7 * 10);
  assert.ok(paper.every((j) => j.critic === 'separable' && j.stepsPerLevel === 4000 && j.batchSize === 64 && j.dim === 20 && j.hidden === 256));
  assert.deepEqual(preset('paper').mi, [2, 4, 6, 8, 10]);
  assert.deepEqual(new Set(paper.map((j) => j.batchRho)), new Set([0, 0.1, 0.2, 0.3, 0.4, 0.5, 'random']));
  assert.deepEqual(new Set(paper.map((j) => variantLabel(j))), new Set(['infonce', 'nwj', 'smile:tau=1', 'smile:tau=inf', 'mice', 'mice:block=off', 'mice:sn=all', 'mice:block=off:sn=all']));
  const joint = expandGrid(preset('paper-joint')) as CellSpec[];
  assert.equal(joint.length, 6 * 10);
  assert.ok(joint.every((j) => j.critic === 'joint' && j.task === 'gaussian' && j.batchRho === 0 && j.stepsPerLevel === 4000));
  const labels = new Set(expandGrid(preset('paper-full')).map((j) => variantLabel(j as never)));
  assert.equal(expandGrid(preset('paper-full')).length, 16 * 2 * 2 * 7 * 10);
  for (const l of ['infonce', 'nwj', 'smile:tau=1', 'smile:tau=inf', 'mice', 'mice:block=off', 'mice:form=nwj:block=off', 'mice:block=off:sn=off', 'mice:sn=all']) assert.ok(labels.has(l), l);
  assert.deepEqual([...new Set(expandGrid(preset('consistency')).map((j) => (j as { batchSize: number }).batchSize))], [16, 32, 64, 128, 256]);
  const gan = expandGrid(preset('gan'));
  assert.ok(gan.every(isGan));
  for (const v of ['vanilla', 'mine', 'mice']) assert.ok(gan.filter((j) => isGan(j) && j.variant === v).length >= 5);
  assert.ok(gan.every((j) => isGan(j) && (j.variant === 'vanilla') === (j.beta === 0)));
  for (const name of Object.keys(PRESETS)) assert.ok(expandGrid(preset(name as never)).length > 0);
  usage(() => expandGrid({ ...g, seeds: [] }), /grid is empty/);
  usage(() => expandGrid({ ...g, estimators: ['nwj', 'mice', 'foo'] }), /^estimators\[2\]: unknown estimator 'foo'/);
});

test('config: JSON and YAML, strict keys, errors name the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-cfg-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), 'preset: smoke\nestimators: [nwj, "smile:tau=inf"]\nbatchRho: [0, random]\nseeds: 3\n');
    const c = loadConfig(join(dir, 'a.yaml'));
    const g = applyConfig(preset(c.preset!), c);
    assert.deepEqual(g.estimators, ['nwj', 'smile:tau=inf']);
    assert.deepEqual(g.batchRho, [0, 'random']);
    assert.deepEqual(g.seeds, [0, 1, 2]);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ estimators: ['nwj', 'mice', 'foo'] }));
    usage(() => loadConfig(join(dir, 'b.json')), /^config: estimators\[2\]: unknown estimator 'foo'/);
    writeFileSync(join(dir, 'c.json'), '{"estimators": [');
    usage(() => loadConfig(join(dir, 'c.json')), /^config: .* is not valid JSON/);
    usage(() => loadConfig(join(dir, 'missing.yaml')), /^--config: cannot read/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  usage(() => parseConfig({ estimatorz: ['nwj'] }), /^config: unknown key 'estimatorz'/);
  usage(() => parseConfig({ critics: ['joint', 'bilinear'] }), /^config: critics\[1\]: .*"bilinear"/);
  usage(() => parseConfig({ batchRho: [0.2, 1.5] }), /^config: batchRho\[1\]:/);
  usage(() => parseConfig({ seeds: 0 }), /^config: seeds:/);
  usage(() => parseConfig({ jointMaxInputs: 1.5 }), /^config: jointMaxInputs:/);
  usage(() => parseConfig({ gan: { steps: 10, betta: 1 } }), /^config: gan: unknown key 'betta'/);
  usage(() => parseConfig([1, 2]), /^config: must be a mapping/);
});

test('flags: seeds and durations', () => {
  assert.deepEqual(parseSeeds('3'), [0, 1, 2]);
  assert.deepEqual(parseSeeds('4..6'), [4, 5, 6]);
  assert.deepEqual(parseSeeds('9,2'), [9, 2]);
  usage(() => parseSeeds('0'), /^--seeds:/);
  usage(() => parseSeeds('1,1'), /repeats/);
  assert.equal(parseDuration('--timeout', '90'), 90_000);
  assert.equal(parseDuration('--timeout', '500ms'), 500);
  assert.equal(parseDuration('--timeout', '2h'), 7_200_000);
  usage(() => parseDuration('--timeout', '5 minutes'), /^--timeout:/);
  usage(() => gridFromFlags({ batchRho: '0,1.5' }), /^--batch-rho:/);
  usage(() => gridFromFlags({ critics: 'separable,' }), /^--critics:/);
  usage(() => gridFromFlags({ preset: 'huge' }), /^--preset:/);
  usage(() => runFlags({ workers: '0' }), /^--workers:/);
  usage(() => runFlags({ timeout: 'soon' }), /^--timeout:/);
  const g = gridFromFlags({ preset: 'smoke', estimators: 'smile:tau=1,smile:tau=inf', seeds: '3', mi: '2,4,6' });
  assert.deepEqual([g.estimators, g.seeds, g.mi, g.stepsPerLevel], [['smile:tau=1', 'smile:tau=inf'], [0, 1, 2], [2, 4, 6], 20]);
  assert.deepEqual(gridFromFlags({}), preset('paper'), 'the main job, the paper protocol, is the default');
  assert.equal(runFlags({}).out, 'results', 'into the headline store');
  assert.equal(runFlags({ preset: 'quick' }).out, 'results/quick', 'shorter protocols keep stores of their own');
  assert.equal(runFlags({ preset: 'quick', out: 'elsewhere' }).out, 'elsewhere');
});

test('hash: canonical (key order free), covers spec and numerics version but not the package version, rejects non-finite', () => {
  const s = buildCellSpec({ estimator: 'nwj' });
  const shuffled = Object.fromEntries(Object.entries(s).reverse()) as typeof s;
  assert.equal(jobHash(s), jobHash(shuffled));
  assert.notEqual(jobHash(s), jobHash({ ...s, seed: 1 }));
  assert.notEqual(jobHash(s), jobHash(s, CODE_VERSION + 1));
  // The package version is provenance: a release must not orphan the published cells.
  assert.equal(jobHash(s), createHash('sha256').update(canonicalJson({ code: CODE_VERSION, job: s })).digest('hex'));
  assert.notEqual(jobHash(s), legacyJobHash(s, CODE_VERSION, PACKAGE_VERSION), 'the v0.1.0 address differs');
  // Options added later are absent at their default, so older specs keep their addresses.
  assert.equal(jobHash(s), jobHash({ ...s, spectralNormLayers: undefined }));
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
  assert.throws(() => canonicalJson({ tau: Infinity }), TypeError);
  assert.match(jobHash(s), /^[0-9a-f]{64}$/);
});

test('shards: the n slices partition the sorted jobs, deterministically', () => {
  fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (xs, n) => {
    const parts = Array.from({ length: n }, (_, i) => shardSlice(xs, { index: i + 1, count: n, source: 't' }));
    assert.equal(parts.reduce((s, p) => s + p.length, 0), xs.length);
    assert.deepEqual(parts.flat().sort(), [...xs].sort());
    assert.ok(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length)) <= 1);
  }));
  const jobs = planJobs(preset('smoke'), null);
  const hashes = jobs.map((j) => j.hash);
  assert.deepEqual(hashes, [...hashes].sort());
  assert.deepEqual(planJobs(preset('smoke'), { index: 2, count: 3, source: 't' }).map((j) => j.hash), hashes.filter((_, i) => i % 3 === 1));
});

test('shards: --shard, Slurm arrays and Kubernetes Indexed Jobs', () => {
  assert.deepEqual(resolveShard('2/5', {}), { index: 2, count: 5, source: '--shard' });
  assert.equal(resolveShard('off', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' }), null);
  assert.equal(resolveShard(undefined, {}), null);
  assert.deepEqual(resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4' })?.index, 1);
  assert.deepEqual(resolveShard(undefined, { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '3' })?.index, 2);
  assert.deepEqual(resolveShard(undefined, { JOB_COMPLETION_INDEX: '3', MI_HARNESS_SHARD_COUNT: '4' })?.index, 4);
  usage(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '3' }), /MI_HARNESS_SHARD_COUNT/);
  usage(() => resolveShard('4/3', {}), /^--shard: shard 4 is outside 1\.\.3/);
  usage(() => resolveShard('0/3', {}), /^--shard/);
  usage(() => resolveShard('1of3', {}), /^--shard: expected i\/n/);
});

test('lanes: the GPU lane takes joint/GAN cells first, CPU lanes separable ones; no GPU → queue order', () => {
  assert.deepEqual(planLanes(3, true), ['gpu', 'cpu', 'cpu']);
  assert.deepEqual(planLanes(2, false), ['cpu', 'cpu']);
  assert.deepEqual(planLanes(1, true), ['gpu']);
  const mk = (critic: 'joint' | 'separable', seed: number): PendingJob => ({ hash: `${critic}${seed}`, job: buildCellSpec({ estimator: 'nwj', critic, seed }) });
  const q = [mk('separable', 0), mk('joint', 1), mk('separable', 2), mk('joint', 3)];
  assert.equal(pickJob(q, 'gpu', true), 1);
  assert.equal(pickJob(q, 'cpu', true), 0);
  assert.equal(pickJob(q, 'cpu', false), 0);
  const onlyJoint = [mk('joint', 1)];
  assert.equal(pickJob(onlyJoint, 'cpu', true), 0, 'a CPU lane never idles while work remains');
  assert.equal(pickJob([mk('separable', 0)], 'gpu', true), 0);
  assert.equal(pickJob([], 'gpu', true), -1);
  const gan: PendingJob = { hash: 'g', job: { kind: 'gan', variant: 'mice', seed: 0, steps: 10, beta: 1, backend: 'auto' } };
  assert.equal(pickJob([mk('separable', 0), gan], 'gpu', true), 1);
});

function fakeCell(job: Job, mse: (number | null)[]): CellFile {
  const hash = jobHash(job);
  const spec = job as ReturnType<typeof buildCellSpec>;
  return {
    format: CELL_FORMAT, hash, codeVersion: CODE_VERSION, packageVersion: PACKAGE_VERSION, spec,
    estimator: spec.estimator, critic: spec.critic, task: spec.task, seed: spec.seed, engine: 'wasm', backend: 'x',
    steps: 4, msPerStep: 1, wallMs: 4, logN: 1, trajectory: { stride: 1, step: [], estimate: [], ema: [] },
    levels: spec.mi.map((trueMi, k) => ({ trueMi, window: [0, 1], mean: 0, bias: 0, variance: 0, mse: mse[k] as number, violations: 0, nonFinite: mse[k] === null ? 1 : 0 })),
    provenance: { engine: 'wasm', backend: 'x', lane: 'cpu', versions: { node: '', miHarness: '', tfjs: null }, cpu: '', platform: '', gitCommit: null, wallMs: 4, startedAt: '', finishedAt: '', attempt: 1 },
  } as CellFile;
}

test('store: a cell file is trusted only when it parses, fits the schema and hashes to its name', () => {
  const spec = buildCellSpec({ estimator: 'nwj', mi: [2, 4] });
  const cell = fakeCell(spec, [0.5, null]);
  const text = JSON.stringify(cell);
  assert.equal(verifyCellText(text, cell.hash).state, 'ok', 'NaN (null) MSE is a result, not corruption');
  const corrupt = (t: string, h = cell.hash) => {
    const r = verifyCellText(t, h);
    assert.equal(r.state, 'corrupt');
    return (r as { reason: string }).reason;
  };
  assert.match(corrupt(text.slice(0, text.length / 2)), /not valid JSON/);
  assert.match(corrupt(''), /empty/);
  assert.match(corrupt(JSON.stringify({ ...cell, levels: [] })), /schema/);
  assert.match(corrupt(JSON.stringify({ ...cell, spec: { ...spec, seed: 9 } })), /does not hash/);
  assert.match(corrupt(text, '0'.repeat(64)), /hash field/);
  const old = { ...cell, codeVersion: CODE_VERSION - 1 };
  old.hash = jobHash(spec, CODE_VERSION - 1);
  assert.equal(verifyCellText(JSON.stringify(old), old.hash).state, 'stale');
  // Written by another release of mi-harness: same address, same numbers, still trusted.
  assert.equal(verifyCellText(JSON.stringify({ ...cell, packageVersion: '0.0.1' }), cell.hash).state, 'ok');
  // Written under the v0.1.0 address scheme: reported with the command that fixes it.
  const legacy = { ...cell, hash: legacyJobHash(spec, CODE_VERSION, '0.1.0'), packageVersion: '0.1.0' };
  assert.match(corrupt(JSON.stringify(legacy), legacy.hash), /harness readdress/);
});

test('summary: deterministic, order-free, means over seeds, counts failures and divergence', () => {
  const mk = (estimator: 'nwj' | 'mice', seed: number, mse: (number | null)[]) => fakeCell(buildCellSpec({ estimator, seed, mi: [2, 4] }), mse);
  const cells = [mk('nwj', 0, [1, 2]), mk('nwj', 1, [3, null]), mk('mice', 0, [0.5, 0.25])];
  const failSpec = buildCellSpec({ estimator: 'mice', seed: 1, mi: [2, 4] });
  const failures = [{ format: 'mi-harness/failure@1' as const, hash: jobHash(failSpec), codeVersion: CODE_VERSION, packageVersion: PACKAGE_VERSION, spec: failSpec, attempts: [] }];
  const a = renderSummary(cells, failures);
  assert.equal(renderSummary([...cells].reverse(), failures), a);
  const rows = a.split('\n').filter((l) => /^(nwj|mice) /.test(l));
  assert.equal(rows.length, 2);
  assert.match(rows[0], /^mice .* 1 +1 +0 +2:0\.5 4:0\.25$/);
  assert.match(rows[1], /^nwj .* 2 +0 +1 +2:2 4:2$/);
  assert.match(a, /3 cells · 1 failed/);
});

test('gan preset: the grid setup, 32 arms × 10 seeds, vanilla at β = 0, every MICE reading; config files can name arms', () => {
  const jobs = expandGrid(preset('gan'));
  assert.equal(jobs.length, 32 * 10);
  assert.ok(jobs.every((j) => isGan(j) && j.setup === 'grid' && j.engine === 'wasm'));
  const key = (j: Job) => { const { seed: _s, ...rest } = j as GanSpec; return JSON.stringify(rest); };
  assert.equal(new Set(jobs.map(key)).size, 32);
  const gans = jobs as GanSpec[];
  for (const code of [undefined, 'categorical']) {
    assert.equal(gans.filter((j) => j.variant === 'vanilla' && j.code === code).length, 10);
    for (const beta of [0.01, 0.1, 1]) {
      for (const pick of [
        (j: GanSpec) => j.variant === 'mine',
        (j: GanSpec) => j.variant === 'mice' && !j.miceForm && !j.miceBlockPartition,
        (j: GanSpec) => j.variant === 'mice' && j.miceForm === 'nwj',
        (j: GanSpec) => j.variant === 'mice' && j.miceBlockPartition === true,
        (j: GanSpec) => j.variant === 'smile' && j.tau === undefined,
      ]) assert.equal(gans.filter((j) => pick(j) && j.code === code && j.beta === beta).length, 10);
    }
  }
  // The first configuration stays available.
  assert.ok(expandGrid(preset('gan-v1')).every((j) => isGan(j) && j.setup === undefined));
  const c = parseConfig({ preset: 'gan', seeds: 2, gan: { arms: [{ variant: 'vanilla', code: 'categorical' }, { variant: 'mice', beta: 1, miceForm: 'nwj' }] } });
  const g = expandGrid(applyConfig(preset('gan'), c)) as GanSpec[];
  assert.equal(g.length, 4);
  assert.ok(g.every((j) => j.setup === 'grid' && j.engine === 'wasm'));
  assert.deepEqual(g.map((j) => [j.variant, j.beta, j.code ?? 'continuous', j.miceForm ?? 'dv']), [
    ['vanilla', 0, 'categorical', 'dv'], ['vanilla', 0, 'categorical', 'dv'], ['mice', 1, 'continuous', 'nwj'], ['mice', 1, 'continuous', 'nwj']]);
  usage(() => applyConfig(preset('gan'), parseConfig({ gan: { setup: 'v1', arms: [{ variant: 'mice' }] } })), /gan\.arms: needs gan\.setup 'grid'/);
  usage(() => parseConfig({ gan: { arms: [{ variant: 'mice', code: 'ordinal' }] } }), /^config: gan\.arms\[0\]\.code/);
});

test('the field preset: the zoo and the newer estimators on the paper\'s protocol over every field task, 10 seeds, separable critic (variational for the likelihood-trained bounds)', () => {
  const g = preset('field');
  const jobs = expandGrid(g) as CellSpec[];
  assert.deepEqual(g.seeds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(g.batchRho, [0]);
  assert.ok(g.tasks.includes('gaussian') && g.tasks.includes('cubic') && g.tasks.includes('asinh') && g.tasks.includes('half-cube') && g.tasks.includes('student-t'));
  assert.ok(g.tasks.filter((t) => t.startsWith('mix:')).length >= 3);
  for (const j of jobs) {
    assert.equal(j.stepsPerLevel, 4000);
    assert.equal(j.batchSize, 64);
    assert.ok(j.critic === 'separable' || (j.critic as string) === 'variational', j.critic);
    if (!j.task.startsWith('mix:')) assert.deepEqual(j.mi, [2, 4, 6, 8, 10]);
    else assert.equal(j.mi.length, 1);
  }
  assert.equal(jobs.length, g.estimators.length * g.tasks.length * 10);
  // The six main variants' paper cells are the paper preset's: same addresses, nothing re-run.
  const paper = new Set((expandGrid(preset('paper')) as CellSpec[]).map((j) => jobHash(j)));
  assert.equal(jobs.filter((j) => paper.has(jobHash(j))).length, 6 * 2 * 10);
});

test('the bmi-field preset: every field estimator the bmi preset lacks (not BA: H(Y) unknown there), on BMI\'s protocol, into the BMI store, no cell of the bmi preset twice', () => {
  const g = preset('bmi-field');
  assert.deepEqual([...g.estimators].sort(), [...FIELD_ZOO, ...FIELD_NEW].filter((e) => !MAIN_ESTIMATORS.includes(e) && e !== 'ba').sort());
  assert.equal(g.estimators.length, 13);
  assert.equal(g.ksg, undefined);
  assert.equal(PRESET_STORES['bmi-field'], PRESET_STORES.bmi);
  const jobs = expandGrid(g) as CellSpec[];
  assert.equal(jobs.length, 13 * 40 * 5);
  const bmi = expandGrid(preset('bmi')) as CellSpec[];
  for (const j of jobs) {
    assert.deepEqual(j.finiteSample, bmi[0].finiteSample);
    assert.ok(j.critic === 'separable' || (j.critic as string) === 'variational', j.critic);
  }
  const bmiHashes = new Set(bmi.map((j) => jobHash(j)));
  assert.equal(jobs.filter((j) => bmiHashes.has(jobHash(j))).length, 0);
  // Together the two presets run every field estimator but BA on BMI's suite.
  assert.deepEqual([...new Set([...preset('bmi').estimators, ...g.estimators])].sort(), [...FIELD_ZOO, ...FIELD_NEW].filter((e) => e !== 'ba').sort());
});

test("the field preset's end-of-sweep report: BMI's store as a companion when it exists, no SVG figures (the site draws them)", () => {
  const field = runFlags({ preset: 'field' });
  assert.equal(field.out, 'results/field');
  assert.equal(field.reportPlots, false);
  const paper = runFlags({});
  assert.equal(paper.reportPlots, true);
  assert.deepEqual(paper.reportWith, []);
});

test('task suites by name: --tasks staircases|mixtures|bmi (flags and config) expand to their tasks, the same cells as the ids spelt out', () => {
  const byName = gridFromFlags({ preset: 'field', tasks: 'mixtures', seeds: '0..1' });
  const mixtures = preset('field').tasks.filter((t) => t.startsWith('mix:'));
  assert.deepEqual(byName.tasks, mixtures);
  const spelt = gridFromFlags({ preset: 'field', tasks: mixtures.join(','), seeds: '0..1' });
  assert.deepEqual((expandGrid(byName) as CellSpec[]).map(jobHash), (expandGrid(spelt) as CellSpec[]).map(jobHash));
  assert.deepEqual(gridFromFlags({ tasks: 'staircases' }).tasks, ['gaussian', 'cubic', 'asinh', 'half-cube', 'student-t']);
  // a suite named beside one of its own tasks lists that task once
  const mixed = gridFromFlags({ tasks: 'gaussian,staircases,bmi' }).tasks;
  assert.equal(mixed.length, 5 + 40);
  assert.equal(new Set(mixed).size, mixed.length);
  assert.deepEqual(applyConfig(preset('quick'), parseConfig({ tasks: ['mixtures'] })).tasks, mixtures);
  assert.throws(() => gridFromFlags({ tasks: 'mixture' }), (e: Error) => e instanceof UsageError && /^--tasks: unknown value 'mixture'/.test(e.message));
});

/**
 * docs/k8s-indexed-job.yaml (issue 11, item 4): valid against the Kubernetes batch/v1 Job schema
 * (the kubernetes-models package's validators, generated from the Kubernetes OpenAPI spec), and
 * shaped the way the sweep relies on: an Indexed Job whose completions equal
 * MI_HARNESS_SHARD_COUNT, every pod writing into one shared volume, and a command the CLI
 * accepts; with the manifest's environment, the pods' shards partition the grid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { planJobs } from '../harness/sweep/sweep.js';
import { resolveShard, shardSlice, SHARD_COUNT_ENV } from '../harness/sweep/shard.js';
import { preset, PRESET_NAMES, type PresetName } from '../harness/sweep/presets.js';
import { cli, events, ROOT, why } from './cli-helpers.js';

const MANIFEST = join(ROOT, 'docs', 'k8s-indexed-job.yaml');

function load(): IJob {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
  assert.ok(!Array.isArray(docs) || docs.length === 1, 'one YAML document');
  const doc = Array.isArray(docs) ? docs[0] : docs;
  assert.deepEqual(doc.errors, [], 'YAML parses');
  return doc.toJS() as IJob;
}

/** The pod's sweep container, its args after `node dist/harness/cli.js`, and its environment. */
function sweepContainer(job: IJob) {
  const pod = job.spec!.template.spec!;
  const c = pod.containers.find((x) => x.command?.includes('sweep'));
  assert.ok(c, 'a container runs `harness sweep`');
  const cmd = [...(c.command ?? []), ...(c.args ?? [])];
  const at = cmd.indexOf('dist/harness/cli.js');
  assert.ok(at >= 0 && cmd[at + 1] === 'sweep', `the container runs node dist/harness/cli.js sweep: ${cmd.join(' ')}`);
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
  return { pod, container: c, args: cmd.slice(at + 1), env };
}

const flag = (args: string[], name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

test('k8s manifest: a valid batch/v1 Job by the Kubernetes schema; the validator rejects a broken copy', () => {
  const job = load();
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.kind, 'Job');
  assert.doesNotThrow(() => new Job(job).validate());
  // The validator is not a rubber stamp: a string count and an unknown restartPolicy fail.
  const broken = structuredClone(job) as unknown as { spec: { completions: unknown; template: { spec: { restartPolicy: string } } } };
  broken.spec.completions = String(broken.spec.completions);
  assert.throws(() => new Job(broken as unknown as IJob).validate(), /completions must be integer/);
  const broken2 = structuredClone(job);
  broken2.spec!.template.spec!.restartPolicy = 'Sometimes' as never;
  assert.throws(() => new Job(broken2).validate(), /restartPolicy/);
});

test('k8s manifest: Indexed, completions = MI_HARNESS_SHARD_COUNT, one shared volume holding --out', () => {
  const job = load();
  const spec = job.spec!;
  assert.equal(spec.completionMode, 'Indexed', 'JOB_COMPLETION_INDEX is set only in Indexed mode');
  const { pod, container, args, env } = sweepContainer(job);
  assert.ok(Number.isInteger(spec.completions) && spec.completions! >= 1);
  assert.equal(env[SHARD_COUNT_ENV], String(spec.completions), `${SHARD_COUNT_ENV} must equal completions`);
  assert.ok((spec.parallelism ?? 1) <= spec.completions!, 'parallelism ≤ completions');
  assert.ok(pod.restartPolicy === 'Never' || pod.restartPolicy === 'OnFailure');
  // --out lies on a volume mount backed by a persistent volume claim: every pod's cells land in
  // one store (not in the pod's own disk, lost when it ends).
  const out = flag(args, '--out') ?? '';
  assert.ok(out.startsWith('/'), `--out is an absolute path: ${out}`);
  const mount = (container.volumeMounts ?? []).find((m) => out === m.mountPath || out.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
  assert.ok(mount, `--out ${out} is on a mounted volume`);
  const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
  assert.ok(volume?.persistentVolumeClaim?.claimName, `volume ${mount.name} is a persistent volume claim`);
  // Workers never exceed the CPU the pod may use.
  const workers = Number(flag(args, '--workers'));
  const cpuLimit = Number(container.resources?.limits?.cpu ?? NaN);
  assert.ok(workers >= 1 && (!Number.isFinite(cpuLimit) || workers <= cpuLimit), `--workers ${workers} ≤ cpu limit ${cpuLimit}`);
});

test('k8s manifest: with its environment, pods 0…completions−1 take disjoint shards that cover the grid', async () => {
  const job = load();
  const { args, env } = sweepContainer(job);
  const name = flag(args, '--preset') as PresetName;
  assert.ok(PRESET_NAMES.includes(name), `--preset ${name}`);
  const planned = planJobs(preset(name), null);
  const all = planned.map((p) => p.hash);
  const n = job.spec!.completions!;
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const shard = resolveShard(undefined, { ...env, JOB_COMPLETION_INDEX: String(i) });
    assert.deepEqual(shard && [shard.index, shard.count], [i + 1, n]);
    for (const p of shardSlice(planned, shard)) seen.set(p.hash, (seen.get(p.hash) ?? 0) + 1);
  }
  assert.equal(seen.size, all.length, 'every cell in some pod');
  assert.ok([...seen.values()].every((k) => k === 1), 'no cell in two pods');
  // The pod's exact command line is accepted by the CLI (dry run: nothing is written), for the
  // first and the last pod.
  for (const i of [0, n - 1]) {
    const r = await cli([...args, '--dry-run'], { env: { ...env, JOB_COMPLETION_INDEX: String(i) } });
    assert.equal(r.code, 0, why(r));
    const jobs = events(r.stdout).filter((e) => e.type === 'job').map((e) => String(e.hash));
    assert.deepEqual(jobs, all.filter((_, k) => k % n === i), `pod ${i}'s dry run lists its shard`);
  }
});

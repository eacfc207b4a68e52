/**
 * Sweep config files (JSON or YAML), validated with zod. Every key is optional and overrides
 * the preset the file names (or `quick`); flags override the file. Unknown keys are errors, and
 * every error names the offending key, e.g. `config: estimators[2]: unknown estimator 'foo'`.
 * The keys are Grid's (./grid.ts); `seeds` is a count (0..N−1) or an explicit list.
 */
import { BOUND_PRECISION_CHOICES } from '../../src/bounds/passes.js';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import YAML from 'yaml';
import { BACKENDS, CRITICS, ENGINES, GAN_VARIANTS } from '../../src/types.js';
import { expandTaskGroups, getTask, isTaskGroup, knownTaskIds } from '../../src/tasks/registry.js';
import { UsageError } from '../../src/errors.js';
import type { Grid } from './grid.js';
import { MAX_GRID_JOBS, seedRange } from './grid.js';
import { PRESET_NAMES, type PresetName } from './presets.js';
import { parseVariant } from '../../src/variant.js';
import { DEFAULT_GAN_BETA, DEFAULT_GAN_STEPS } from '../../src/gan/config.js';
import { DEFAULT_GRID_BETA, GRID_SETUP } from '../../src/gan/setup.js';
import { MAX_RUN_STEPS } from '../spec.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1);

const variant = z.string().superRefine((s, ctx) => {
  try { parseVariant(s); } catch (err) { ctx.addIssue({ code: 'custom', message: (err as Error).message }); }
});

export const ConfigSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional(),
  estimators: z.array(variant).optional(),
  critics: list(z.enum(CRITICS)).optional(),
  tasks: list(z.string().superRefine((t, ctx) => {
    if (!getTask(t) && !isTaskGroup(t)) ctx.addIssue({ code: 'custom', message: `unknown task '${t}' (known: ${knownTaskIds().join(', ')}; plugin tasks need --plugin)` });
  })).optional(),
  batchRho: list(z.union([z.number().min(0).lt(1), z.literal('random')], { error: "must be a number in [0, 1) or 'random'" })).optional(),
  seeds: z.union([int(1), list(int(0, 0xffffffff)).refine((s) => new Set(s).size === s.length, 'repeats a seed')], { error: 'must be a seed count >= 1 or a list of seeds' }).optional(),
  batchSizes: list(int(2)).optional(),
  mi: list(z.number().min(0).max(1e6)).optional(),
  stepsPerLevel: int(2).optional(),
  dim: int(1).optional(),
  hidden: int(1).optional(),
  embed: int(1).optional(),
  lr: z.number().positive().max(1e3).optional(),
  engine: z.enum(ENGINES).optional(),
  backend: z.enum(BACKENDS).optional(),
  boundPrecision: z.enum(BOUND_PRECISION_CHOICES).optional(),
  finiteSample: z.strictObject({
    size: int(2),
    testShare: z.number().gt(0).lt(1),
    evalEvery: int(1),
  }).nullable().optional(),
  sizeCriticsForTask: z.boolean().optional(),
  jointMaxInputs: int(2).nullable().optional(),
  ksg: z.strictObject({ k: int(1) }).nullable().optional(),
  gan: z.strictObject({
    variants: list(z.enum(GAN_VARIANTS)).optional(),
    // As a cell's (harness gan --steps): the loop keeps the last tenth of its MI estimates.
    steps: int(1, MAX_RUN_STEPS).optional(),
    beta: z.number().min(0).max(1e6).optional(),
    setup: z.enum(['v1', 'grid']).optional(),
    engine: z.enum(ENGINES).optional(),
    arms: list(z.strictObject({
      variant: z.enum(GAN_VARIANTS),
      beta: z.number().min(0).max(1e6).optional(),
      code: z.enum(['continuous', 'categorical']).optional(),
      miceBlockPartition: z.boolean().optional(),
      miceForm: z.enum(['dv', 'nwj']).optional(),
      tau: z.number().positive().optional(),
    })).optional(),
  }).nullable().optional(),
});
export type SweepConfig = z.infer<typeof ConfigSchema>;

/** Read and validate a config file; throws UsageError `config: <key>: <why>`. */
export function loadConfig(file: string): SweepConfig {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) {
    throw new UsageError(`--config: cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new UsageError(`config: '${file}' is not valid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseConfig(data);
}

export function parseConfig(data: unknown): SweepConfig {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('config: must be a mapping of keys to values');
  const r = ConfigSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    throw new UsageError(`config: ${where ? where + ': ' : ''}unknown key '${issue.keys[0]}'`);
  }
  const got = valueAt(data, issue.path);
  const shown = issue.code === 'custom' || got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  throw new UsageError(`config: ${where || '(root)'}: ${issue.message}${shown}`);
}

/** Overlay a config onto a grid (the config's own preset is resolved by the caller). */
export function applyConfig(grid: Grid, c: SweepConfig): Grid {
  const g: Grid = { ...grid };
  if (c.estimators) g.estimators = c.estimators;
  if (c.critics) g.critics = c.critics;
  if (c.tasks) g.tasks = expandTaskGroups(c.tasks);
  if (c.batchRho) g.batchRho = c.batchRho;
  if (typeof c.seeds === 'number' && c.seeds > MAX_GRID_JOBS) throw new UsageError(`config: seeds: ${c.seeds} seeds; a sweep plans at most ${MAX_GRID_JOBS} jobs`);
  if (c.seeds !== undefined) g.seeds = typeof c.seeds === 'number' ? seedRange(c.seeds) : c.seeds;
  if (c.batchSizes) g.batchSizes = c.batchSizes;
  if (c.mi) g.mi = c.mi;
  for (const k of ['stepsPerLevel', 'dim', 'hidden', 'embed', 'lr'] as const) if (c[k] !== undefined) g[k] = c[k];
  if (c.engine) g.engine = c.engine;
  if (c.backend) g.backend = c.backend;
  if (c.boundPrecision) g.boundPrecision = c.boundPrecision;
  if (c.finiteSample === null) delete g.finiteSample; else if (c.finiteSample) g.finiteSample = c.finiteSample;
  if (c.sizeCriticsForTask !== undefined) g.sizeCriticsForTask = c.sizeCriticsForTask;
  if (c.jointMaxInputs === null) delete g.jointMaxInputs; else if (c.jointMaxInputs !== undefined) g.jointMaxInputs = c.jointMaxInputs;
  if (c.ksg === null) delete g.ksg; else if (c.ksg) g.ksg = c.ksg;
  if (c.gan === null) delete g.gan;
  else if (c.gan) {
    // A file that names the setup starts from that setup's defaults; otherwise it overlays the preset's GAN section.
    const prev = c.gan.setup !== undefined && (c.gan.setup === 'v1' ? g.gan?.setup !== undefined : g.gan?.setup !== 'grid') ? undefined : g.gan;
    const grid = (c.gan.setup ?? prev?.setup) === 'grid';
    if (!grid && (c.gan.arms || c.gan.engine)) throw new UsageError(`config: gan.${c.gan.arms ? 'arms' : 'engine'}: needs gan.setup 'grid'`);
    const arms = c.gan.arms ?? (c.gan.variants ? undefined : prev?.arms);
    const engine = c.gan.engine ?? prev?.engine;
    g.gan = {
      variants: c.gan.variants ?? prev?.variants ?? ['vanilla', 'mine', 'mice'],
      steps: c.gan.steps ?? prev?.steps ?? (grid ? GRID_SETUP.steps : DEFAULT_GAN_STEPS),
      beta: c.gan.beta ?? prev?.beta ?? (grid ? DEFAULT_GRID_BETA : DEFAULT_GAN_BETA),
      ...(grid ? { setup: 'grid' as const } : {}),
      ...(grid && engine ? { engine } : {}),
      ...(grid && arms ? { arms } : {}),
    };
  }
  return g;
}

function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : (s ? '.' : '') + String(p);
  return s;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

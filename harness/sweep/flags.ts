/**
 * `harness sweep` flags → a Grid and run options. Precedence: preset (--preset, else the
 * config's `preset`, else quick) < config file < flags. Every error is a UsageError naming the
 * flag, raised before anything touches the cell store.
 */
import { availableParallelism } from 'node:os';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, CRITICS, ENGINES } from '../../src/types.js';
import { TASK_GROUPS, expandTaskGroups, knownTaskIds } from '../../src/tasks/registry.js';
import { UsageError } from '../../src/errors.js';
import { parseBatchRho, parseChoice, parseInteger, parseNumber, parseNumberList } from '../parse.js';
import type { Grid } from './grid.js';
import { MAX_GRID_JOBS, seedRange } from './grid.js';
import { applyConfig, loadConfig } from './config.js';
import { DEFAULT_PRESET, PRESET_NAMES, PRESET_STORES, preset, type PresetName } from './presets.js';
import { parseVariant } from '../../src/variant.js';
import { BOUND_PRECISION_CHOICES } from '../../src/bounds/passes.js';

export interface SweepFlags {
  preset?: string; config?: string;
  estimators?: string; critics?: string; tasks?: string; batchRho?: string; seeds?: string;
  batchSizes?: string; mi?: string; stepsPerLevel?: string; dim?: string; hidden?: string; embed?: string;
  lr?: string; engine?: string; backend?: string; boundPrecision?: string;
  workers?: string; retries?: string; timeout?: string; workerHeapMb?: string; out?: string; shard?: string;
  json?: boolean; dryRun?: boolean; gpu?: boolean; plugin?: string[]; gpuBatch?: string; allowSoftwareGpu?: boolean;
}

/** The preset a command line resolves to: --preset, else the config file's, else the default. */
export function presetName(f: SweepFlags): PresetName {
  const config = f.config !== undefined ? loadConfig(f.config) : undefined;
  return (f.preset !== undefined ? parseChoice('--preset', f.preset, PRESET_NAMES) : (config?.preset ?? DEFAULT_PRESET)) as PresetName;
}

export function gridFromFlags(f: SweepFlags): Grid {
  const config = f.config !== undefined ? loadConfig(f.config) : undefined;
  let g = preset(presetName(f));
  if (config) g = applyConfig(g, config);
  if (f.estimators !== undefined) {
    g.estimators = list('--estimators', f.estimators);
    g.estimators.forEach((v) => { try { parseVariant(v); } catch (err) { throw new UsageError(`--estimators: ${(err as Error).message}`); } });
  }
  if (f.critics !== undefined) g.critics = list('--critics', f.critics).map((c) => parseChoice('--critics', c, CRITICS));
  if (f.tasks !== undefined) {
    const choices = [...knownTaskIds(), ...TASK_GROUPS];
    g.tasks = expandTaskGroups(list('--tasks', f.tasks)).map((t) => parseChoice('--tasks', t, choices));
  }
  if (f.batchRho !== undefined) g.batchRho = list('--batch-rho', f.batchRho).map((r) => parseBatchRho('--batch-rho', r));
  if (f.seeds !== undefined) g.seeds = parseSeeds(f.seeds);
  if (f.batchSizes !== undefined) g.batchSizes = list('--batch-sizes', f.batchSizes).map((n) => parseInteger('--batch-sizes', n, 2));
  if (f.mi !== undefined) {
    g.mi = parseNumberList('--mi', f.mi);
    for (const v of g.mi) if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`--mi: MI must be a finite number >= 0, got ${v}`);
  }
  if (f.stepsPerLevel !== undefined) g.stepsPerLevel = parseInteger('--steps-per-level', f.stepsPerLevel, 2);
  if (f.dim !== undefined) g.dim = parseInteger('--dim', f.dim, 1);
  if (f.hidden !== undefined) g.hidden = parseInteger('--hidden', f.hidden, 1);
  if (f.embed !== undefined) g.embed = parseInteger('--embed', f.embed, 1);
  if (f.lr !== undefined) {
    g.lr = parseNumber('--lr', f.lr);
    if (!(g.lr > 0) || !Number.isFinite(g.lr)) throw new UsageError(`--lr: must be a finite number > 0, got ${f.lr}`);
  }
  if (f.engine !== undefined) g.engine = parseChoice('--engine', f.engine, ENGINES);
  if (f.backend !== undefined) g.backend = parseChoice('--backend', f.backend, BACKENDS);
  if (f.boundPrecision !== undefined) g.boundPrecision = parseChoice('--bound-precision', f.boundPrecision, BOUND_PRECISION_CHOICES);
  return g;
}

export interface RunFlags {
  workers: number;
  retries: number;
  timeoutMs: number;
  heapMb: number;
  out: string;
  /**
   * Companion stores the end-of-sweep report reads for the field table (harness/fieldReport.ts):
   * the field preset's table ranks BMI's suite too, from the bmi preset's store when it exists.
   */
  reportWith: string[];
  /**
   * Whether the end-of-sweep report renders its SVG figures. The field preset's store is read for
   * its field table (text); its figures are drawn by the results site from the cells, so its
   * report leaves them out and the published tree stays within its size budget (docs/field.md).
   */
  reportPlots: boolean;
}

export function runFlags(f: SweepFlags): RunFlags {
  const name = presetName(f);
  const out = f.out ?? PRESET_STORES[name];
  // '' would resolve to the working directory for the cells but not for the report.
  if (out === '') throw new UsageError('--out: an empty path; name the store directory');
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out: '${out}' exists and is not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--out: cannot use '${out}' (${(err as NodeJS.ErrnoException).code})`);
  }
  return {
    workers: f.workers !== undefined ? parseWorkers(f.workers) : availableParallelism(),
    retries: f.retries !== undefined ? parseInteger('--retries', f.retries, 0) : 2,
    timeoutMs: parseDuration('--timeout', f.timeout ?? '4h'),
    heapMb: f.workerHeapMb !== undefined ? parseInteger('--worker-heap-mb', f.workerHeapMb, 64) : 4096,
    out,
    reportWith: name === 'field' && existsSync(join(PRESET_STORES.bmi, 'cells')) ? [PRESET_STORES.bmi] : [],
    reportPlots: name !== 'field',
  };
}

/**
 * The most --workers per core: more threads only compete for the cores, each with its own heap
 * and engine, and thousands of them exhaust the machine's memory or thread limit.
 */
export const MAX_WORKERS_PER_CORE = 4;

function parseWorkers(raw: string): number {
  const n = parseInteger('--workers', raw, 1);
  const cores = availableParallelism();
  if (n > MAX_WORKERS_PER_CORE * cores) throw new UsageError(`--workers: at most ${MAX_WORKERS_PER_CORE * cores} (${MAX_WORKERS_PER_CORE} per core; this machine has ${cores}), got ${n}`);
  return n;
}

/** "10" → seeds 0..9; "3..7" → 3..7 inclusive; "0,4,9" → exactly those. */
export function parseSeeds(raw: string): number[] {
  const s = raw.trim();
  // The seeds are an axis of the grid: a count beyond what a sweep can plan is refused before it is allocated.
  const tooMany = (n: number) => new UsageError(`--seeds: ${n} seeds; a sweep plans at most ${MAX_GRID_JOBS} jobs (see --dry-run)`);
  const range = /^(\d+)\.\.(\d+)$/.exec(s);
  if (range) {
    const a = Number(range[1]), b = Number(range[2]);
    if (b < a) throw new UsageError(`--seeds: empty range '${raw}'`);
    if (!Number.isSafeInteger(b)) throw new UsageError(`--seeds: '${raw}': seeds must be safe integers`);
    if (b - a + 1 > MAX_GRID_JOBS) throw tooMany(b - a + 1);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (!s.includes(',')) {
    const n = parseInteger('--seeds', s, 1);
    if (n > MAX_GRID_JOBS) throw tooMany(n);
    return seedRange(n);
  }
  const seeds = list('--seeds', s).map((x) => parseInteger('--seeds', x, 0));
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds: '${raw}' repeats a seed`);
  return seeds;
}

/**
 * The longest per-attempt limit: Node's timers hold at most 2³¹ − 1 ms (24.8 days), and a longer
 * delay fires after 1 ms, which would time every cell out at once. 0 (no limit) covers the rest.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** "90" or "90s", "500ms", "20m", "4h"; 0 = no limit. */
export function parseDuration(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration like 90s, 20m or 4h (0 = none), got '${raw}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const ms = Number(m[1]) * unit;
  if (ms > MAX_TIMEOUT_MS) throw new UsageError(`${flag}: at most ${Math.floor(MAX_TIMEOUT_MS / 3_600_000)}h (Node's timers hold 24.8 days), got '${raw.trim()}'; 0 = no limit`);
  return ms;
}

function list(flag: string, raw: string): string[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new UsageError(`${flag}: '${raw}' is not a comma-separated list`);
  return parts;
}

/**
 * Every task the harness knows, by id: the paper's staircase tasks (Gaussian, Cubic), the field's
 * staircases (f-DIME's asinh, half-cube, Student-t: ./fieldStaircases.ts) — the dimension of all
 * five is the cell's `dim` —, the mixture tasks of Czyż et al. 2023 (./mixtures/suite.ts), the
 * BMI suite (./bmi/suite.ts) and tasks registered by plugins. The library does no I/O: the CLI
 * loads plugin files and calls registerTask.
 */
import type { StaircaseName, TaskDefinition, TaskId, TaskName, TaskRng, TaskSampleOptions } from '../types.js';
import { FIELD_STAIRCASES, TASKS } from '../types.js';
import { sampleBatch } from './batch.js';
import { bmiSuite, type BmiTask } from './bmi/suite.js';
import { fieldStaircaseTask, isFieldStaircase } from './fieldStaircases.js';
import { mixtureSuite, type MixtureTask } from './mixtures/suite.js';
import { DEFAULT_LEVELS } from './staircase.js';
import { gaussianEntropyY } from './gaussian.js';
import { cubicEntropyY } from './cubic.js';

/** 'field': the field's tasks beyond the paper and BMI's 40 (f-DIME's staircases, the mixtures). */
export type TaskSource = 'paper' | 'field' | 'bmi' | 'plugin';

export interface RegisteredTask {
  task: TaskDefinition;
  source: TaskSource;
  /** sha256 of the plugin file that registered it (source 'plugin'). */
  pluginHash?: string;
  /** BMI's own id and name (source 'bmi', and the mixture tasks, which come from BMI's code). */
  bmi?: { id: string; name: string };
}

/** The paper's default dimension d = 20, used when a staircase task is listed or sampled without one. */
export const PAPER_DEFAULT_DIM = 20;

export function isPaperTask(id: TaskId): id is TaskName {
  return (TASKS as readonly string[]).includes(id);
}

/** A built-in staircase task, the paper's or the field's: its dimension is the cell's `dim`. */
export function isBuiltinStaircase(id: TaskId): id is StaircaseName {
  return isPaperTask(id) || isFieldStaircase(id);
}

/** A built-in staircase task at dimension d (x, y ∈ R^d). */
export function builtinStaircase(id: StaircaseName, dim = PAPER_DEFAULT_DIM): TaskDefinition {
  return isPaperTask(id) ? paperTask(id, dim) : fieldStaircaseTask(id, dim);
}

/** The Gaussian or Cubic staircase task at dimension d (x, y ∈ R^d; src/tasks/gaussian.ts, cubic.ts). */
export function paperTask(name: TaskName, dim = PAPER_DEFAULT_DIM): TaskDefinition {
  const description = name === 'gaussian'
    ? 'x, y ∈ R^d, each coordinate pair correlated with ρ = sqrt(1 − e^(−2I/d)) (paper §5.1); MI set per level'
    : 'the Gaussian task with y ↦ y³ (paper §5.1; same MI); MI set per level';
  return {
    id: name, family: 'staircase', description, dimX: dim, dimY: dim,
    entropyY: name === 'gaussian' ? gaussianEntropyY(dim) : cubicEntropyY(dim),
    sample(n: number, rng: TaskRng, o: TaskSampleOptions) {
      // sampleBatch draws ρ_batch with range(); the same arithmetic as Rng.range on TaskRng's uniform.
      const r = { normal: () => rng.normal(), range: (lo: number, hi: number) => lo + (hi - lo) * rng.uniform() };
      const b = sampleBatch(name, r, n, dim, o.mi, o.batchRho);
      return { x: b.x, y: b.y };
    },
  };
}

const plugins = new Map<string, RegisteredTask>();

export function registerTask(task: TaskDefinition, pluginHash: string): void {
  if (getTask(task.id)) throw new Error(`task '${task.id}' is already registered`);
  plugins.set(task.id, { task, source: 'plugin', pluginHash });
}

/** Forget every plugin task (tests; a CLI process loads its plugins once). */
export function clearPluginTasks(): void {
  plugins.clear();
}

let bmiById: Map<string, BmiTask> | null = null;
let mixById: Map<string, MixtureTask> | null = null;

export function getTask(id: TaskId): RegisteredTask | undefined {
  if (isPaperTask(id)) return { task: paperTask(id), source: 'paper' };
  if (isFieldStaircase(id)) return { task: fieldStaircaseTask(id, PAPER_DEFAULT_DIM), source: 'field' };
  if (id.startsWith('mix:')) {
    mixById ??= new Map(mixtureSuite().map((t) => [t.id, t]));
    const t = mixById.get(id);
    return t ? { task: t, source: 'field', bmi: { id: t.bmiId, name: t.bmiName } } : undefined;
  }
  if (id.startsWith('bmi:')) {
    bmiById ??= new Map(bmiSuite().map((t) => [t.id, t]));
    const t = bmiById.get(id);
    return t ? { task: t, source: 'bmi', bmi: { id: t.bmiId, name: t.bmiName } } : undefined;
  }
  return plugins.get(id);
}

/**
 * Every task: the paper's tasks, the field's staircases, the mixture tasks, then the BMI suite in
 * BMI's order, then plugin tasks by id.
 */
export function listTasks(): RegisteredTask[] {
  return [
    ...TASKS.map((t) => getTask(t)!),
    ...FIELD_STAIRCASES.map((t) => getTask(t)!),
    ...mixtureSuite().map((t) => getTask(t.id)!),
    ...bmiSuite().map((t) => getTask(t.id)!),
    ...[...plugins.values()].sort((a, b) => (a.task.id < b.task.id ? -1 : 1)),
  ];
}

export function knownTaskIds(): string[] {
  return listTasks().map((t) => t.task.id);
}

/**
 * Names that stand for several tasks in a task list (`--tasks mixtures,bmi`): each suite of the
 * field table, so a sweep can be restricted to one without spelling out its ids.
 */
export const TASK_GROUPS = ['staircases', 'mixtures', 'bmi'] as const;
export type TaskGroup = (typeof TASK_GROUPS)[number];

export function isTaskGroup(id: string): id is TaskGroup {
  return (TASK_GROUPS as readonly string[]).includes(id);
}

export function taskGroup(group: TaskGroup): string[] {
  if (group === 'staircases') return [...TASKS, ...FIELD_STAIRCASES];
  if (group === 'mixtures') return mixtureSuite().map((t) => t.id);
  return bmiSuite().map((t) => t.id);
}

/** A task list with its group names replaced by their tasks, in order, each task once. */
export function expandTaskGroups(ids: readonly string[]): string[] {
  const out = ids.flatMap((id) => (isTaskGroup(id) ? taskGroup(id) : [id]));
  return [...new Set(out)];
}

/** The staircase levels a task lists: the paper's default for staircase tasks, else its true MI. */
export function taskLevels(t: TaskDefinition): number[] {
  return t.trueMi === undefined ? [...DEFAULT_LEVELS] : [t.trueMi];
}

/**
 * `harness tasks [--json] [--plugin FILE]`: every task the harness knows, one row each: id,
 * dimX, dimY, true MI (nats; a staircase task lists its default levels), family and a one-line
 * description. The BMI suite is listed in BMI's order with BMI's own task id beside ours. In
 * --json, a task that states how its true MI is obtained adds trueMiMethod, a Monte Carlo true MI
 * its standard error (trueMiSe), and the field's staircases the correlation each default level
 * sets at the default d (levels: [{ mi, rho }]).
 */
import type { Command } from 'commander';
import { isBuiltinStaircase, listTasks, PAPER_DEFAULT_DIM, taskLevels, type RegisteredTask } from '../../src/tasks/registry.js';
import { FIELD_STAIRCASE_DEFS, isFieldStaircase } from '../../src/tasks/fieldStaircases.js';
import { collect, loadPlugins } from '../../workers/plugins.js';

export interface TaskRow {
  id: string;
  dimX: number | 'd';
  dimY: number | 'd';
  /** nats: one number (fixed-MI task) or the default staircase levels. */
  trueMi: number | number[];
  family: string;
  description: string;
  source: 'paper' | 'field' | 'bmi' | 'plugin';
  bmiId?: string;
  plugin?: string;
  /** How the true MI is obtained (the field's tasks, and any task that states it). */
  trueMiMethod?: string;
  /** Monte Carlo standard error of trueMi, nats (a task whose true MI is a Monte Carlo mean). */
  trueMiSe?: number;
  /** The field's staircases: the correlation ρ each default level sets at d = PAPER_DEFAULT_DIM. */
  levels?: { mi: number; rho: number }[];
}

export function taskRow(r: RegisteredTask): TaskRow {
  const t = r.task;
  const paper = isBuiltinStaircase(t.id) && (r.source === 'paper' || r.source === 'field');
  return {
    id: t.id,
    dimX: paper ? 'd' : t.dimX,
    dimY: paper ? 'd' : t.dimY,
    trueMi: t.trueMi ?? taskLevels(t),
    family: t.family,
    description: paper ? `${t.description} (d = ${PAPER_DEFAULT_DIM} by default, --dim)` : t.description,
    source: r.source,
    ...(r.bmi ? { bmiId: r.bmi.id } : {}),
    ...(r.pluginHash ? { plugin: r.pluginHash } : {}),
    ...(t.trueMiMethod !== undefined ? { trueMiMethod: t.trueMiMethod } : {}),
    ...(t.trueMiSe !== undefined ? { trueMiSe: t.trueMiSe } : {}),
    ...(isFieldStaircase(t.id) && r.source === 'field'
      ? { levels: taskLevels(t).map((mi) => ({ mi, rho: FIELD_STAIRCASE_DEFS[t.id as keyof typeof FIELD_STAIRCASE_DEFS].rho(mi, PAPER_DEFAULT_DIM) })) } : {}),
  };
}

const fmtMi = (v: number | number[]) => (Array.isArray(v) ? v.join(',') : v.toFixed(4));

export function register(program: Command): void {
  program.command('tasks')
    .description('list every task: id, dimensions, true MI (nats), family, description')
    .option('--json', 'one JSON array of rows')
    .option('--plugin <file>', 'also list the tasks of a plugin module (repeatable)', collect)
    .action(async (flags: { json?: boolean; plugin?: string[] }) => {
      await loadPlugins(flags.plugin);
      const rows = listTasks().map(taskRow);
      if (flags.json) { process.stdout.write(JSON.stringify(rows, null, 1) + '\n'); return; }
      const head = ['id', 'dimX', 'dimY', 'true MI (nats)', 'family', 'description'];
      const body = rows.map((r) => [r.id, String(r.dimX), String(r.dimY), fmtMi(r.trueMi), r.family, r.description]);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
      const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : i === 1 || i === 2 ? v.padStart(w[i]) : v.padEnd(w[i]))).join('  ');
      process.stdout.write([line(head), ...body.map(line)].join('\n') + `\n${rows.length} tasks; staircase tasks set their MI per level (paper §5.1), the others have a fixed true MI.\n`);
    });
}

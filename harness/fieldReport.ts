/**
 * The field table's place in a report (issue 22 item 3): which suite each record belongs to,
 * which bound type each estimator reports, and the records of companion stores (`harness report
 * DIR --with results/bmi`: BMI's finite-sample suite lives in its own store). The statistics are
 * src/stats/field.ts's, the markdown src/report/field.ts's.
 *
 * Suites:
 *  - "paper staircases": the paper's Gaussian and Cubic tasks (§5.1) at ρ_batch 0;
 *  - "f-DIME staircases": f-DIME's asinh, half-cube and Student-t staircases at ρ_batch 0;
 *  - "mixtures": the fine distributions of Czyż et al. 2023 (fixed MI);
 *  - "BMI": BMI's 40 tasks on its finite-sample protocol, and KSG on the same samples.
 * A store gets the section when it holds cells of the f-DIME staircases or the mixtures (the
 * field preset's store); the paper's headline store does not.
 *
 * The site (`harness site results --with results/field --with results/bmi`) shows the table when
 * its own store or a companion calls for it. Its own store's records join only when that store
 * calls for it: the headline store's Gaussian and Cubic cells at ρ_batch 0 include the
 * consistency sweep's other batch sizes and step counts, the joint critic's and sn=all's — under
 * the same labels and seeds as the field preset's, so they would stand in for its cells — and
 * the field preset already holds the paper store's protocol cells. So the site's table
 * is the field store's LEADERBOARD.md table.
 */
import { isPaperTask } from '../src/tasks/registry.js';
import { isFieldStaircase } from '../src/tasks/fieldStaircases.js';
import { getBound } from '../src/bounds/index.js';
import { fieldSummary, type EstimateKind, type FieldSummary } from '../src/stats/field.js';
import { fieldCsv, fieldSection } from '../src/report/field.js';
import type { CellRecord, KsgRecord, StoreRecord } from '../src/stats/records.js';

export const FIELD_SUITES = ['paper staircases', 'f-DIME staircases', 'mixtures', 'BMI'] as const;

export function fieldSuiteOf(r: CellRecord | KsgRecord): string | null {
  if (r.kind === 'ksg' || r.spec.finiteSample !== undefined) return r.task.startsWith('bmi:') ? 'BMI' : null;
  if (r.kind !== 'cell') return null;
  if (r.task.startsWith('mix:')) return 'mixtures';
  if (r.batchRho !== 0) return null;
  if (isPaperTask(r.task)) return 'paper staircases';
  if (isFieldStaircase(r.task)) return 'f-DIME staircases';
  return null;
}

export function estimateKind(estimator: string): EstimateKind {
  if (estimator === 'ksg') return 'estimate';
  let b;
  try { b = getBound(estimator); } catch { return 'estimate'; }
  const upper = (b as { upperBound?: boolean }).upperBound === true;
  return upper ? 'upper' : b.lowerBound ? 'lower' : 'estimate';
}

/** Whether a store's own records call for the field table. */
export function wantsFieldTable(records: readonly StoreRecord[]): boolean {
  return records.some((r) => r.kind === 'cell' && r.spec.finiteSample === undefined && (r.task.startsWith('mix:') || isFieldStaircase(r.task)));
}

/** One line per suite: what it holds and where its cells come from (the report's and the site's). */
export const FIELD_SUITE_NOTES: Readonly<Record<string, string>> = {
  'paper staircases': 'The paper\'s protocol (§5.1): MI 2, 4, 6, 8, 10 nats × 4 000 steps, d = 20, n = 64, separable critic (the variational critic for BA, CLUB, L1Out, DoE), window = each level\'s last half.',
  'f-DIME staircases': 'The same protocol on f-DIME\'s transformed staircases (docs/field-tasks.md).',
  mixtures: 'One level of 4 000 steps at the task\'s true MI (Monte Carlo, SE ≤ 0.002 nats; docs/field-tasks.md), critic input at the task\'s dimensions.',
  BMI: 'BMI\'s finite-sample protocol (docs/bmi.md): |Î − I| / I of the best held-out estimate; its store ran only the paper\'s six main variants (joint and separable critics) and KSG.',
};

export interface FieldReport {
  markdown: string;
  csv: string;
}

export interface FieldTable {
  summary: FieldSummary;
  /** The suite whose cost per cell the table shows. */
  costSuite: string;
  csv: string;
}

/** The field summary over these records, with the suite its cost column reads. */
export function fieldTable(records: readonly StoreRecord[], resamples?: number): FieldTable {
  const summary = fieldSummary(records, { suiteOf: fieldSuiteOf, kindOf: estimateKind, suiteOrder: FIELD_SUITES, resamples });
  const costSuite = summary.suites.includes('f-DIME staircases') ? 'f-DIME staircases' : summary.suites[0] ?? '';
  return { summary, costSuite, csv: fieldCsv(summary) };
}

/** The field section and CSV over the store's records plus the companions', or null when the store does not call for it. */
export function fieldReport(own: readonly StoreRecord[], companions: readonly StoreRecord[], resamples?: number): FieldReport | null {
  if (!wantsFieldTable(own)) return null;
  const t = fieldTable([...own, ...companions], resamples);
  return { markdown: fieldSection(t.summary, { costSuite: t.costSuite, suiteNotes: FIELD_SUITE_NOTES }), csv: t.csv };
}

/**
 * The site's field table (see the header): null when neither the site's store nor a companion
 * calls for it; the own store's records join only when it calls for the table itself.
 */
export function siteFieldTable(own: readonly StoreRecord[], companions: readonly StoreRecord[], resamples?: number): FieldTable | null {
  const ownCalls = wantsFieldTable(own);
  if (!ownCalls && !wantsFieldTable(companions)) return null;
  return fieldTable(ownCalls ? [...own, ...companions] : companions, resamples);
}

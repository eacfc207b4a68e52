/**
 * The leaderboard's "BMI suite" section, its CSV and its heatmap: BMI's table shape (Czyż et
 * al. 2023, the benchmark figure of "Beyond Normal": tasks as rows, estimators as columns, the
 * mean estimate in each cell, the true MI beside it) and a ranking. Deterministic, like the rest
 * of the report.
 */
import type { BmiSummary } from '../stats/bmi.js';
import type { PlotSpec } from './plots.js';
import { fmt, mdTable, pct } from './format.js';

const dims = (r: { dimX: number; dimY: number }) => `${r.dimX} × ${r.dimY}`;
const list = (xs: (number | string)[]) => (xs.length ? xs.join(', ') : '—');
/** Two decimals, a true minus sign, and no "−0.00". */
export const two = (x: number): string => {
  if (Math.abs(x) >= 1e4) return fmt(x); // a divergent critic's −2.59e6, not −2587742.29
  const s = x.toFixed(2);
  return s === '-0.00' ? '0.00' : s.replace(/^-/, '−');
};

function cellText(s: BmiSummary, row: BmiSummary['rows'][number], label: string, best: string | null): string {
  const c = row.cells[label];
  if (!c) return '';
  // A mean over fewer seeds than the store's (a partly run sweep) says so.
  const few = c.seeds < s.protocol.seeds.length ? ` (${c.seeds}/${s.protocol.seeds.length} seeds)` : '';
  if (c.estimates.length === 0) return `diverged (${c.seeds}/${c.seeds})${few}`;
  const v = two(c.mean);
  const text = label === best ? `**${v}**` : v;
  return (c.nonFinite ? `${text} (${c.nonFinite}/${c.seeds} div.)` : text) + few;
}

function rankTable(ranking: BmiSummary['ranking']): string {
  return mdTable(['rank', 'estimator', 'tasks', 'mean rank', 'within ×1.5', 'median |log ratio|', 'mean |error| (nats)'],
    ranking.map((r, i) => [String(i + 1), r.label, String(r.tasks), fmt(r.meanRank), pct(r.within15), fmt(r.medianAbsLogRatio), fmt(r.meanAbsError)]),
    ['r', 'l', 'r', 'r', 'r', 'r', 'r']);
}

export function bmiSection(s: BmiSummary, plots: PlotSpec[] = [], heading = '##'): string {
  const p = s.protocol;
  const labels = s.entries.map((e) => e.label);
  const out: string[] = [`${heading} BMI suite\n`];
  out.push(`BMI's benchmark (Czyż et al., "Beyond Normal: On the Evaluation of Mutual Information Estimators", NeurIPS 2023; tasks, parameters and ground truth as in cbg-ethz/bmi, src/bmi/benchmark/task_list.py) on ${s.rows.length} task(s), in BMI's table shape: one row per task, one column per estimator, the **mean estimate over seeds** (nats) beside the true MI; **bold** marks the estimate closest to the true MI in its row. Seeds: ${list(p.seeds)}.\n`);
  out.push(`Protocol (BMI's finite-sample protocol; docs/bmi.md): one fixed sample of ${list(p.sizes)} points per task and seed, standardised per coordinate; ${list(p.testShares.map((t) => `${Math.round(t * 100)}%`))} held out; training on batches of ${list(p.batchSizes)} from the rest for at most ${list(p.maxSteps)} steps (Adam, lr as the paper), evaluation on the held-out part every ${list(p.evalEvery)} steps, early stopping after two evaluations without improvement, reported value = the best held-out evaluation (BMI's \`final_mi\`); median steps run ${fmt(p.medianSteps)}. Critics sized for the task: ${list(p.widths)}.${p.ksgK.length ? ` KSG (Kraskov et al. 2004, algorithm 1, max-norm, k = ${list(p.ksgK)}) on the whole standardised sample.` : ''}\n`);
  const rows = s.rows.map((row) => {
    let best: string | null = null, bestErr = Infinity;
    for (const l of labels) {
      const c = row.cells[l];
      if (c && Number.isFinite(c.mean) && Math.abs(c.mean - row.trueMi) < bestErr) { bestErr = Math.abs(c.mean - row.trueMi); best = l; }
    }
    return [row.task, dims(row), two(row.trueMi), ...labels.map((l) => cellText(s, row, l, best))];
  });
  out.push(mdTable(['task', 'd_x × d_y', 'true MI', ...labels], rows, ['l', 'l', 'r', ...labels.map(() => 'r' as const)]));
  out.push(`"div." counts seeds whose critic diverged (non-finite scores before the first held-out evaluation); the mean is over the other seeds. "(k/${p.seeds.length} seeds)" marks a mean over fewer seeds than the store holds (a partly run sweep); an empty cell, an estimator that did not run on the task.\n`);
  const heat = plots.find((x) => x.name === 'bmi-heatmap.svg');
  if (heat) out.push(`Heatmap: [${heat.title}](plots/${heat.name}) (colour: log(estimate / true MI), as BMI's figure).\n`);

  out.push(`${heading}# BMI ranking\n`);
  const common = s.rankTasks.length === s.rows.length ? `all ${s.rows.length} tasks` : `the ${s.rankTasks.length} of ${s.rows.length} tasks every estimator ran (ranks over different task sets would not compare)`;
  out.push(`Mean rank of |mean estimate − true MI| within each task (1 = closest; ties share ranks; an estimator whose every seed diverged ranks last), over ${common}; then, over the tasks each estimator ran ("tasks"), BMI's accuracy criterion (mean estimate within a factor 1.5 of the true MI), the median |log(estimate / true MI)| and the mean absolute error.\n`);
  out.push(rankTable(s.ranking));
  if (s.allTasks) {
    out.push(`The estimators that ran all ${s.allTasks.tasks.length} tasks, ranked over all of them (the same columns):\n`);
    out.push(rankTable(s.allTasks.ranking));
  }
  const fams = [...new Set(s.rows.map((r) => r.family))];
  if (fams.length > 1 && labels.length) {
    out.push(`${heading}# BMI by family\n`);
    out.push('Share of a family\'s tasks with the mean estimate within a factor 1.5 of the true MI.\n');
    out.push(mdTable(['estimator', ...fams], labels.map((l) => [l, ...fams.map((f) => {
      const rs = s.rows.filter((r) => r.family === f && r.cells[l] && Number.isFinite(r.cells[l].mean));
      if (!rs.length) return '';
      const ok = rs.filter((r) => r.cells[l].mean > 0 && Math.abs(Math.log(r.cells[l].mean / r.trueMi)) < Math.log(1.5)).length;
      return `${ok}/${rs.length}`;
    })]), ['l', ...fams.map(() => 'r' as const)]));
  }
  return out.join('\n');
}

/** One row per task, estimator and seed. */
export function bmiCsv(s: BmiSummary): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const n = (x: number) => (Number.isNaN(x) ? '' : x === Infinity ? 'Inf' : x === -Infinity ? '-Inf' : String(x));
  const rows = [...s.points].sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) || a.seed - b.seed);
  return ['task,estimator,seed,estimate,true_mi', ...rows.map((p) => [q(p.task), q(p.label), String(p.seed), n(p.estimate), n(p.trueMi)].join(','))].join('\n') + '\n';
}

/** BMI's heatmap: tasks × estimators, colour log(estimate / true), text the mean estimate. */
export function bmiHeatmap(s: BmiSummary): PlotSpec | null {
  const labels = s.entries.map((e) => e.label);
  const values: Record<string, unknown>[] = [];
  for (const row of s.rows) {
    values.push({ task: row.task, estimator: 'true MI', text: two(row.trueMi), lr: 0 });
    for (const l of labels) {
      const c = row.cells[l];
      if (!c) continue;
      const ok = Number.isFinite(c.mean);
      const lr = ok && c.mean > 0 ? Math.max(-1, Math.min(1, Math.log(c.mean / row.trueMi))) : -1;
      values.push({ task: row.task, estimator: l, text: ok ? two(c.mean) : 'div.', lr });
    }
  }
  if (!values.length || !labels.length) return null;
  const order = ['true MI', ...labels];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'BMI suite: mean estimate per task (colour: log(estimate / true MI), clipped to ±1)', fontSize: 13 },
    data: { values },
    width: { step: 62 },
    height: { step: 17 },
    encoding: {
      x: { field: 'estimator', type: 'nominal', sort: order, axis: { orient: 'top', labelAngle: -40, title: null, labelLimit: 320 } },
      y: { field: 'task', type: 'nominal', sort: s.rows.map((r) => r.task), axis: { title: null, labelLimit: 420 } },
    },
    layer: [
      { mark: { type: 'rect' }, encoding: { color: { field: 'lr', type: 'quantitative', scale: { scheme: 'redblue', domain: [-1, 1], reverse: true }, legend: { title: 'log(est./true)' } } } },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          // White on the darkest cells, black elsewhere, so every number stays legible.
          color: { condition: { test: 'abs(datum.lr) > 0.6', value: 'white' }, value: 'black' },
        },
      },
    ],
    config: { view: { stroke: null }, font: 'sans-serif' },
  };
  return { name: 'bmi-heatmap.svg', title: 'BMI suite: mean estimate per task and estimator', kind: 'bmi', contexts: [], spec };
}

/** The whole page for a store that holds only BMI-protocol cells. */
export function bmiLeaderboard(s: BmiSummary, plots: PlotSpec[], note: { cellFiles: number; skipped: number; stale: number; failures: string[] }): string {
  const out = ['# MI estimator leaderboard: BMI suite\n'];
  out.push(`Generated by \`harness report\` from ${note.cellFiles} result file(s); the same cell store always gives this file byte for byte. Built with mi-harness's \`bmi\` preset (\`harness sweep --preset bmi\`).\n`);
  if (note.failures.length || note.skipped || note.stale) {
    out.push('> **Input problems.** ' + [
      note.failures.length ? `${note.failures.length} job(s) failed after their retries and are missing: ${note.failures.join('; ')}.` : '',
      note.stale ? `${note.stale} cell file(s) from another code version left out.` : '',
      note.skipped ? `${note.skipped} file(s) skipped as unreadable.` : '',
    ].filter(Boolean).join(' ') + '\n');
  }
  out.push(bmiSection(s, plots));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

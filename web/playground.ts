/**
 * The playground page: pick an estimator (τ for SMILE), critic, task, MI staircase, steps per
 * level and seed; a Web Worker trains it on the project's wasm kernels with the same training
 * loop as `harness run`, and the chart shows the estimate against the step with the true MI as it
 * trains. The spec comes from harness/runSpec.ts, the function `harness run` builds its spec
 * with, so the same settings are the same cell (same streams, same kernels, same numbers).
 *
 * URL parameters set every control: estimator, tau, critic, task, mi, steps (per level), seed,
 * engine (wasm, or webgpu where the browser has navigator.gpu);
 * autorun=1 starts training at load. When training ends, #result gets data-estimate (the last
 * level's mean over its second half, as `harness run` reports it) and data-ms-per-step.
 */
import type { CellSpec } from '../src/types.js';
import { CRITICS, ESTIMATORS, NEWER_ESTIMATORS, VARIATIONAL_ESTIMATORS } from '../src/types.js';
import { getTask, isBuiltinStaircase, knownTaskIds, taskLevels } from '../src/tasks/registry.js';
import { specFromFlags } from '../harness/runSpec.js';
import { CELL_DEFAULTS } from '../harness/spec.js';
import { EMA_RATE } from '../src/engine/train.js';
import { fmt } from '../src/report/format.js';
import { num } from '../src/labels.js';
import type { RunMessage, WorkerMessage } from './protocol.js';
import { changeset, draw, type VegaView } from './vega.js';

/** The playground's defaults: the paper's staircase at the quick preset's 500 steps per level. */
const DEFAULTS = { estimator: 'smile', tau: '1', critic: 'separable', task: 'gaussian', mi: CELL_DEFAULTS.mi.join(','), steps: '500', seed: '0', engine: 'wasm' };
type Field = keyof typeof DEFAULTS;

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const form = $('#controls') as HTMLFormElement;
const status = $('#status');
const result = $('#result');

function control(name: Field, label: string, el: HTMLInputElement | HTMLSelectElement): void {
  el.id = name; el.name = name;
  const l = document.createElement('label');
  l.append(label, el);
  form.append(l);
}
function select(options: readonly string[]): HTMLSelectElement {
  const s = document.createElement('select');
  for (const o of options) { const opt = document.createElement('option'); opt.value = o; opt.textContent = o; s.append(opt); }
  return s;
}
function input(type: string, attrs: Record<string, string> = {}): HTMLInputElement {
  const i = document.createElement('input');
  i.type = type;
  for (const [k, v] of Object.entries(attrs)) i.setAttribute(k, v);
  return i;
}

control('estimator', 'estimator', select([...ESTIMATORS, ...NEWER_ESTIMATORS]));
control('tau', 'τ (SMILE clip; inf = DV)', input('text', { size: '5' }));
control('critic', 'critic', select(CRITICS));
control('task', 'task (staircase, mixture or BMI)', select(knownTaskIds()));
control('mi', 'MI staircase (nats)', input('text'));
control('steps', 'steps per level', input('number', { min: '2', step: '1' }));
control('seed', 'seed', input('number', { min: '0', step: '1' }));
// WebGPU where the browser has navigator.gpu (the same WGSL kernels as `--engine webgpu`).
const engineSel = select(['wasm', 'webgpu']);
if (!('gpu' in navigator)) { engineSel.options[1].disabled = true; engineSel.options[1].textContent = 'webgpu (this browser has no navigator.gpu)'; }
control('engine', 'engine', engineSel);
const runBtn = document.createElement('button'); runBtn.type = 'submit'; runBtn.id = 'run'; runBtn.textContent = 'Train';
const stopBtn = document.createElement('button'); stopBtn.type = 'button'; stopBtn.id = 'stop'; stopBtn.textContent = 'Stop'; stopBtn.disabled = true;
form.append(runBtn, stopBtn);

const field = (name: Field) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
const values = (): Record<Field, string> => Object.fromEntries((Object.keys(DEFAULTS) as Field[]).map((k) => [k, field(k).value.trim()])) as Record<Field, string>;

// URL → controls (unknown values are kept, so the spec check below names them).
const params = new URLSearchParams(location.search);
for (const k of Object.keys(DEFAULTS) as Field[]) {
  const v = params.get(k) ?? DEFAULTS[k];
  const el = field(k);
  if (el instanceof HTMLSelectElement && ![...el.options].some((o) => o.value === v)) {
    const opt = document.createElement('option'); opt.value = v; opt.textContent = v; el.append(opt);
  }
  el.value = v;
}

/** A fixed-MI task's true MI (its one level), or null for the built-in staircase tasks. */
function fixedMi(task: string): number[] | null {
  if (isBuiltinStaircase(task)) return null;
  const t = getTask(task);
  return t ? taskLevels(t.task) : null;
}

/** Flags the playground sets, as if typed: the MI staircase only for the staircase tasks (a fixed-MI task fixes it). */
const givenFor = (task: string) => (flag: string) =>
  ['estimator', 'tau', 'critic', 'task', 'stepsPerLevel', 'seed'].includes(flag) || (flag === 'mi' && isBuiltinStaircase(task));

/** The spec exactly as `harness run` would build it from the equivalent flags. */
function specOf(v: Record<Field, string>): CellSpec {
  return specFromFlags({
    estimator: v.estimator, tau: v.tau, critic: v.critic, task: v.task, mi: v.mi, stepsPerLevel: v.steps, seed: v.seed,
    batchSize: String(CELL_DEFAULTS.batchSize), dim: String(CELL_DEFAULTS.dim), batchRho: String(CELL_DEFAULTS.batchRho),
    hidden: String(CELL_DEFAULTS.hidden), embed: String(CELL_DEFAULTS.embed), lr: String(CELL_DEFAULTS.lr),
    engine: v.engine, backend: 'auto',
  }, givenFor(v.task));
}

function commandOf(v: Record<Field, string>): string {
  return ['npx harness run', `--estimator ${v.estimator}`, ...(v.estimator === 'smile' ? [`--tau ${v.tau}`] : []), `--critic ${v.critic}`, `--task ${v.task}`,
    ...(fixedMi(v.task) ? [] : [`--mi ${v.mi}`]), `--steps-per-level ${v.steps}`, `--seed ${v.seed}`, `--engine ${v.engine}`].join(' ');
}

/** The staircase typed for a paper task, kept while a BMI task shows its fixed MI in the field. */
let paperMi = field('mi').value;

function sync(): void {
  const fixed = fixedMi(field('task').value);
  const mi = field('mi');
  if (fixed && !mi.disabled) { paperMi = mi.value; mi.value = fixed.map(num).join(','); mi.disabled = true; }
  else if (!fixed && mi.disabled) { mi.value = paperMi; mi.disabled = false; }
  else if (fixed) mi.value = fixed.map(num).join(',');
  // ba, club, l1out and doe train only the variational critic, which no other estimator reads.
  const variational = (VARIATIONAL_ESTIMATORS as readonly string[]).includes(field('estimator').value);
  const critic = field('critic');
  if (variational) critic.value = 'variational';
  else if (critic.value === 'variational') critic.value = 'separable';
  critic.disabled = variational;
  const v = values();
  field('tau').disabled = v.estimator !== 'smile';
  const q = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS) as Field[]) if ((k !== 'tau' || v.estimator === 'smile') && (k !== 'mi' || !fixed)) q.set(k, v[k]);
  history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
  $('#command').textContent = `Same cell on the command line: ${commandOf(v)}`;
}
form.addEventListener('input', sync);
form.addEventListener('change', sync);
sync();

/** The y axis: around the true MI (clipped, as the report's trajectories) or the full range on symlog. */
const scaleSel = document.createElement('select');
scaleSel.id = 'scale';
for (const [v, t] of [['truth', 'around the true MI'], ['full', 'full range (symlog)']]) { const o = document.createElement('option'); o.value = v; o.textContent = t; scaleSel.append(o); }
const scaleLabel = document.createElement('label');
scaleLabel.className = 'muted';
scaleLabel.append('y axis: ', scaleSel);
$('#chart').before(scaleLabel);

let worker: Worker | null = null;
let view: VegaView | null = null;
/** The run being charted, the points received so far, and how many lie off the 'truth' axis. */
let current: CellSpec | null = null;
let points: Record<string, unknown>[] = [];
let offAxis = 0;

async function redraw(): Promise<void> {
  if (!current) return;
  view?.finalize();
  view = await draw($('#chart'), chartSpec(current, Math.log(current.batchSize), scaleSel.value), 'canvas');
  if (points.length) await view.change('est', changeset().insert(points)).runAsync();
}
scaleSel.addEventListener('change', () => { void redraw(); });

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** Ticks of the full-range axis: 0, ±1, ±10 and every third decade (the range grows while training). */
const SYMLOG_TICKS = [0, ...[0, 1, 3, 6, 9, 12, 15, 18, 21, 24].flatMap((k) => [10 ** k, -(10 ** k)])].sort((a, b) => a - b);

function chartSpec(spec: CellSpec, logN: number, scale: string): Record<string, unknown> {
  const steps = spec.mi.length * spec.stepsPerLevel;
  const truth = spec.mi.map((v, k) => ({ step: k * spec.stepsPerLevel, v }));
  truth.push({ step: steps - 1, v: spec.mi[spec.mi.length - 1] });
  const top = Math.ceil(Math.max(...spec.mi, logN) * 1.25) || 1;
  const x = { field: 'step', type: 'quantitative', title: 'step', scale: { domain: [0, steps], nice: false } };
  const y = scale === 'full'
    ? { field: 'v', type: 'quantitative', title: 'estimate (nats), symlog', scale: { type: 'symlog', constant: 1 }, axis: { minExtent: 48, values: SYMLOG_TICKS, labelOverlap: true, labelExpr: "abs(datum.value) >= 10000 ? format(datum.value, '.0e') : format(datum.value, '~g')" } }
    : { field: 'v', type: 'quantitative', title: 'estimate (nats)', scale: { domain: [-2, top], nice: false }, axis: { minExtent: 48 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${spec.estimator}${spec.estimator === 'smile' ? `(τ=${num(spec.boundOptions.tau ?? Infinity)})` : ''} · ${spec.critic} critic · ${spec.task} · seed ${spec.seed}`, subtitle: `light: per-step estimate; dark: EMA (rate ${EMA_RATE}); black: true MI; dashed: log n = ${logN.toFixed(2)}${scale === 'full' ? '' : '; values off the axis are clipped'}`, anchor: 'start', frame: 'bounds' },
    width: Math.min(900, Math.max(320, (document.querySelector('main')?.clientWidth ?? 900) - 140)), height: 300,
    config: { font: 'Helvetica, Arial, sans-serif', axis: { grid: true, gridOpacity: 0.5 } },
    layer: [
      { data: { name: 'est' }, transform: [{ filter: "datum.kind === 'raw'" }], mark: { type: 'line', strokeWidth: 0.7, opacity: 0.4, color: '#4c78a8', clip: true }, encoding: { x, y } },
      { data: { name: 'est' }, transform: [{ filter: "datum.kind === 'ema'" }], mark: { type: 'line', strokeWidth: 1.8, color: '#1f4e79', clip: true }, encoding: { x, y } },
      { data: { values: truth }, mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 1.2, clip: true }, encoding: { x, y } },
      { data: { values: [{ v: logN }] }, mark: { type: 'rule', color: '#555', strokeDash: [5, 3] }, encoding: { y: { field: 'v', type: 'quantitative' } } },
    ],
  };
}

function stop(): void {
  worker?.terminate();
  worker = null;
  runBtn.disabled = false;
  stopBtn.disabled = true;
}

function showResult(m: Extract<WorkerMessage, { type: 'done' }>, spec: CellSpec): void {
  const last = m.levels[m.levels.length - 1];
  result.dataset.estimate = String(last?.mean ?? NaN);
  result.dataset.msPerStep = String(m.msPerStep);
  result.dataset.backend = m.backend;
  result.dataset.steps = String(m.steps);
  result.dataset.state = 'done';
  result.textContent = '';
  const h = document.createElement('h3');
  h.textContent = `Last level (true MI ${fmt(last.trueMi)}): mean ${fmt(last.mean)} over steps ${last.window[0]}–${last.window[1] - 1}; ${fmt(m.msPerStep)} ms per step on ${m.backend}`;
  const t = document.createElement('table');
  t.className = 'data';
  t.id = 'levels';
  t.innerHTML = '<thead><tr><th class="num">true MI</th><th class="num">mean</th><th class="num">bias</th><th class="num">variance</th><th class="num">MSE</th><th class="num">above MI</th><th class="num">non-finite</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const l of m.levels) {
    const tr = document.createElement('tr');
    for (const v of [fmt(l.trueMi), fmt(l.mean), fmt(l.bias), fmt(l.variance), fmt(l.mse), `${(100 * l.violations).toFixed(1)}%`, String(l.nonFinite)]) {
      const td = document.createElement('td'); td.className = 'num'; td.textContent = v; tr.append(td);
    }
    body.append(tr);
  }
  t.append(body);
  result.append(h, t);
  setStatus(`Done: ${m.steps} steps${m.divergedAt !== null ? ` (the critic's scores became non-finite at step ${m.divergedAt}; training stopped there)` : ''}, ${fmt(m.wallMs / 1000)} s, ${fmt(m.msPerStep)} ms per step (${spec.critic} critic).`);
}

async function run(): Promise<void> {
  stop();
  let spec: CellSpec;
  try {
    spec = specOf(values());
  } catch (err) {
    setStatus(err instanceof Error ? err.message : String(err), true);
    result.dataset.state = 'error';
    return;
  }
  for (const k of ['estimate', 'msPerStep', 'backend', 'steps']) delete result.dataset[k];
  result.dataset.state = 'running';
  result.textContent = '';
  current = spec;
  points = [];
  offAxis = 0;
  await redraw();
  const steps = spec.mi.length * spec.stepsPerLevel;
  runBtn.disabled = true;
  stopBtn.disabled = false;
  setStatus('Starting the worker…');
  const w = new Worker(new URL('./playground-worker.js', import.meta.url), { type: 'module' });
  worker = w;
  const t0 = performance.now();
  w.onmessage = (e: MessageEvent<WorkerMessage>) => {
    if (w !== worker) return;
    const m = e.data;
    if (m.type === 'started') setStatus(`Training on ${m.backend}…`);
    else if (m.type === 'progress') {
      const rows: Record<string, unknown>[] = [];
      m.step.forEach((s, i) => {
        if (m.estimate[i] !== null) rows.push({ step: s, v: m.estimate[i], kind: 'raw' });
        if (m.ema[i] !== null) rows.push({ step: s, v: m.ema[i], kind: 'ema' });
      });
      points.push(...rows);
      const top = Math.ceil(Math.max(...spec.mi, Math.log(spec.batchSize)) * 1.25) || 1;
      offAxis += m.estimate.filter((v) => v !== null && (v < -2 || v > top)).length;
      void view?.change('est', changeset().insert(rows)).runAsync();
      const el = (performance.now() - t0) / 1000;
      const raw = points.filter((r) => r.kind === 'raw').length;
      setStatus(`Training… step ${m.done} of ${steps} (${Math.round((100 * m.done) / steps)}%), ${fmt((1000 * el) / Math.max(1, m.done))} ms per step so far` +
        (offAxis > 0 && scaleSel.value === 'truth' ? `; ${Math.max(1, Math.round((100 * offAxis) / Math.max(1, raw)))}% of the points are off the axis (choose the full range)` : ''));
    } else if (m.type === 'done') {
      showResult(m, spec);
      stop();
    } else if (m.type === 'error') {
      setStatus(`Training failed: ${m.message}`, true);
      result.dataset.state = 'error';
      stop();
    }
  };
  w.onerror = (e) => { setStatus(`The worker failed: ${e.message}`, true); result.dataset.state = 'error'; stop(); };
  w.postMessage({ type: 'run', spec } satisfies RunMessage);
}

form.addEventListener('submit', (e) => { e.preventDefault(); void run(); });
stopBtn.addEventListener('click', () => { stop(); setStatus('Stopped.'); result.dataset.state = 'stopped'; });

if (params.get('autorun') === '1') void run();
else setStatus('Ready. Choose the settings and press Train.');
document.body.dataset.ready = '1';

/**
 * Vega and Vega-Lite in the page: the site loads vega.min.js and vega-lite.min.js (copied from
 * the project's own dependencies, the versions that render the report's SVGs) as classic
 * scripts; this module compiles Vega-Lite specs with them and mounts the views. `interactive`
 * adds interaction to a report figure without changing what it draws: tooltips on point-like
 * marks, and pan/zoom (drag, wheel; double-click resets) on every continuous x/y scale.
 */
import { fmt } from '../src/report/format.js';

export interface VegaView {
  runAsync(): Promise<VegaView>;
  finalize(): void;
  change(name: string, changes: unknown): VegaView;
  resize(): VegaView;
}
interface VegaChangeset { insert(values: unknown[]): VegaChangeset; remove(pred: unknown): VegaChangeset }
interface VegaGlobal {
  View: new (runtime: unknown, options: Record<string, unknown>) => VegaView;
  parse(spec: unknown): unknown;
  changeset(): VegaChangeset;
  truthy: unknown;
}
interface VegaLiteGlobal { compile(spec: unknown): { spec: unknown } }

type Spec = Record<string, unknown>;

function libs(): { vega: VegaGlobal; vegaLite: VegaLiteGlobal } {
  const w = window as unknown as { vega?: VegaGlobal; vegaLite?: VegaLiteGlobal };
  if (!w.vega || !w.vegaLite) throw new Error('vega / vega-lite did not load (assets/vega.min.js, assets/vega-lite.min.js)');
  return { vega: w.vega, vegaLite: w.vegaLite };
}

export function changeset(): VegaChangeset {
  return libs().vega.changeset();
}

export function truthy(): unknown {
  return libs().vega.truthy;
}

/**
 * Tooltips as the browser's own (the title attribute, as vega's default handler), with numbers
 * in the report's format and without Vega-Lite's internal fields (…_sort_index).
 */
function tooltip(handler: { element(): HTMLElement | null }, _event: unknown, _item: unknown, value: unknown): void {
  const el = handler.element();
  if (!el) return;
  if (value === null || value === undefined) { el.removeAttribute('title'); return; }
  const show = (v: unknown) => (typeof v === 'number' ? fmt(v) : String(v));
  el.setAttribute('title', typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value as Record<string, unknown>).filter(([k]) => !k.endsWith('_sort_index')).map(([k, v]) => `${k}: ${show(v)}`).join('\n')
    : show(value));
}

/** Compile a Vega-Lite spec and mount it in `el` (replacing its content). */
export async function draw(el: HTMLElement, vl: Spec, renderer: 'svg' | 'canvas' = 'svg'): Promise<VegaView> {
  const { vega, vegaLite } = libs();
  const compiled = vegaLite.compile(vl).spec;
  el.textContent = '';
  const view = new vega.View(vega.parse(compiled), { container: el, renderer, hover: true, logLevel: 1, tooltip });
  await view.runAsync();
  return view;
}

const POINTLIKE = new Set(['point', 'circle', 'square', 'rect', 'bar', 'tick']);

const markType = (m: unknown): string | undefined => (typeof m === 'string' ? m : (m as { type?: string } | undefined)?.type);

function continuousChannels(layers: Spec[]): string[] {
  const out = new Set<string>();
  for (const l of layers) {
    const enc = (l.encoding ?? {}) as Record<string, { type?: string; bin?: unknown; scale?: { type?: string } }>;
    for (const ch of ['x', 'y']) {
      const e = enc[ch];
      if (e && (e.type === 'quantitative' || e.type === 'temporal') && !e.bin) out.add(ch);
    }
  }
  return [...out].sort();
}

/** A deep copy of a report figure with tooltips and pan/zoom added. */
export function interactive(spec: Spec): Spec {
  const copy = JSON.parse(JSON.stringify(spec)) as Spec;
  let n = 0;
  const unit = (s: Spec) => {
    const layers = Array.isArray(s.layer) ? (s.layer as Spec[]) : s.mark ? [s] : [];
    if (layers.length === 0) return;
    for (const l of layers) {
      const t = markType(l.mark);
      if (t && POINTLIKE.has(t)) {
        const enc = (l.encoding ?? {}) as Record<string, unknown>;
        if (!enc.tooltip) l.mark = { ...(typeof l.mark === 'string' ? { type: l.mark } : (l.mark as Spec)), tooltip: { content: 'data' } };
      }
    }
    const channels = continuousChannels(layers);
    // Bind the zoom to a layer that encodes every continuous channel, so both axes pan together.
    const host = layers.find((l) => continuousChannels([l]).length === channels.length);
    if (channels.length && host) {
      host.params = [...((host.params as unknown[]) ?? []), { name: `zoom${n++}`, select: { type: 'interval', encodings: channels }, bind: 'scales' }];
    }
  };
  const walk = (s: Spec) => {
    if (s.spec && typeof s.spec === 'object') { walk(s.spec as Spec); return; }
    for (const k of ['hconcat', 'vconcat', 'concat']) if (Array.isArray(s[k])) { for (const c of s[k] as Spec[]) walk(c); return; }
    unit(s);
  };
  walk(copy);
  return copy;
}

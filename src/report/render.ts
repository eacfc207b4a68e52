/**
 * Headless SVG rendering of Vega-Lite specs in Node: compile to Vega, run a View with the
 * 'none' renderer and serialise with toSVG(). No browser, no canvas: text widths are estimated
 * by vega from the font size, so the specs keep generous label limits. vega numbers clip paths
 * and gradients with module-level counters; they are reset before each figure so a figure's
 * bytes do not depend on what was rendered before it in the same process. The SVG is then slimmed
 * without changing the drawing (./svgCompact.ts).
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { compactSvg } from './svgCompact.js';

type VegaWithResets = typeof vega & { resetSVGDefIds?: () => void };

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  (vega as VegaWithResets).resetSVGDefIds?.();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const vg = compile(spec as any).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return compactSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

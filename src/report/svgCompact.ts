/**
 * Slimming vega's SVG for the report's static figures (results/plots/*.svg, which GitHub shows as
 * images in LEADERBOARD.md and REPRODUCTION.md). vega writes every mark as its own element with
 * full attributes, 15-digit coordinates and an ARIA description of its datum; a figure of 8 000
 * trajectory points or 7 000 GAN samples runs to megabytes. The rules below leave the drawing as
 * it was to within 0.05 px (checked by rendering before and after: docs/sweep.md, "Plots"):
 *
 *  1. per-mark ARIA attributes (aria-label with the datum's values, role, aria-roledescription)
 *     are dropped from individual marks; groups keep theirs (axis, legend and title
 *     descriptions). An SVG shown through <img>, as GitHub shows these, exposes none of them,
 *     and the results site draws its figures from the Vega-Lite specs, not from these files;
 *     pointer-events, which only an interactive page reads, go too;
 *  2. coordinates are rounded to 0.1 px, symbol outlines to 0.01 px; a polyline's points (a
 *     path of moves and lines only: the trajectories) are written relative to the previous
 *     one, from the rounded positions, so nothing drifts;
 *  3. attributes at their default (opacity 1, a line's 0 ends, stroke-width 1 where no group
 *     sets another) and marks that draw nothing (empty text, vega's zero-size background and
 *     hidden foreground paths) are dropped;
 *  4. a font family every text shares is set once, on the root;
 *  5. repeated symbols (one outline at many translations: scatter points) become <use>
 *     references to one definition, and a run of them with the same paint is grouped, the
 *     paint set once on the group. A fill-only symbol's opacity is its fill-opacity, which
 *     (unlike a group's opacity) applies to each symbol, so overlapping points still darken;
 *  6. vega's class names (hooks for a page's stylesheet; a static figure has none) and the
 *     generic ARIA of its mark containers (role graphics-object, "line mark container": a
 *     description of the scenegraph, not of the data) go; the axis, legend and title
 *     descriptions and aria-hidden stay.
 */

const LONG_NUMBER = /-?\d+\.\d{2,}(?:e-?\d+)?/g;

function rounder(decimals: number): (text: string) => string {
  const f = 10 ** decimals;
  return (text) => text.replace(LONG_NUMBER, (m) => {
    const v = Math.round(Number(m) * f) / f;
    return Object.is(v, -0) ? '0' : String(v);
  });
}
const round1 = rounder(1), round2 = rounder(2);

/** `.4` for 0.4, `-.4` for −0.4, from a count of tenths. */
function tenths(v: number): string {
  const t = String(v / 10);
  return t.startsWith('0.') ? t.slice(1) : t.startsWith('-0.') ? `-${t.slice(2)}` : t;
}

/** A path of absolute moves and lines (already at 0.1 px) as a first move and relative steps. */
function relativePolyline(d: string): string {
  const cmds = [...d.matchAll(/([ML])(-?[\d.]+),(-?[\d.]+)/g)];
  if (cmds.length < 3 || cmds.map((m) => m[0]).join('') !== d || cmds[0][1] !== 'M') return d;
  let x = Math.round(Number(cmds[0][2]) * 10), y = Math.round(Number(cmds[0][3]) * 10);
  let out = `M${cmds[0][2]},${cmds[0][3]}`;
  let relative = false;
  for (const [, c, xs, ys] of cmds.slice(1)) {
    const nx = Math.round(Number(xs) * 10), ny = Math.round(Number(ys) * 10);
    const dx = tenths(nx - x), dy = tenths(ny - y);
    x = nx; y = ny;
    // After m or l a bare pair is a relative line (after the first, absolute M it would be an
    // absolute one); a move always needs its letter.
    const head = c === 'M' ? 'm' : relative ? '' : 'l';
    const pair = `${dx}${dy.startsWith('-') ? '' : ','}${dy}`;
    out += head ? `${head}${pair}` : `${dx.startsWith('-') ? '' : ' '}${pair}`;
    relative = true;
  }
  return out;
}

const SYMBOL = /<path transform="translate\(([-\d.e]+),([-\d.e]+)\)" d="([^"]+)"([^>]*)\/>/g;
const USE_RUN = /(?:<use href="#s\d+" x="[^"]*" y="[^"]*"([^>]*)\/>)+/g;

export function compactSvg(svg: string): string {
  // 1. ARIA of individual marks: vega writes a mark's as aria-label, role, aria-roledescription,
  // in that order, and a group's (axis, legend, title) with role first, which stays.
  let s = svg.replace(/ aria-label="[^"]*" role="graphics-symbol" aria-roledescription="[^"]*"/g, '');
  s = s.replace(/ pointer-events="none"/g, '');
  // 5a. Symbols drawn more than once: one <path> in <defs>, a <use> per point.
  const counts = new Map<string, number>();
  for (const m of s.matchAll(SYMBOL)) counts.set(m[3], (counts.get(m[3]) ?? 0) + 1);
  const ids = new Map<string, string>();
  for (const [d, n] of counts) if (n > 1) ids.set(d, `s${ids.size}`);
  s = s.replace(SYMBOL, (m, x: string, y: string, d: string, rest: string) => {
    const id = ids.get(d);
    return id === undefined ? m : `<use href="#${id}" x="${x}" y="${y}"${rest}/>`;
  });
  // 2. Geometry at 0.1 px.
  s = s.replace(/\s(transform|d|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g, (_m, k: string, v: string) => ` ${k}="${k === 'd' ? relativePolyline(round1(v)) : round1(v)}"`);
  // 3. Defaults and marks that draw nothing.
  const groupStrokeWidth = /<g\b[^>]* stroke-width=/.test(s);
  s = s.replace(/ opacity="1"(?=[\s/>])/g, '');
  s = s.replace(/<line [^>]*>/g, (tag) => tag.replace(/ (?:x1|y1|x2|y2)="0"(?=[\s/>])/g, ''));
  if (!groupStrokeWidth) s = s.replace(/ stroke-width="1"(?=[\s/>])/g, '');
  s = s.replace(/<text\b[^>]*\/>/g, '');
  s = s.replace(/<path class="background" aria-hidden="true" d="M0,0h0v0h0Z"\/>/g, '');
  s = s.replace(/<path class="foreground" aria-hidden="true" d="" display="none"\/>/g, '');
  // 4. One font family for every text: set it on the root.
  const families = new Set([...s.matchAll(/ font-family="([^"]*)"/g)].map((m) => m[1]));
  if (families.size === 1) {
    const [family] = families;
    s = s.replace(/ font-family="[^"]*"/g, '').replace(/^<svg\b/, `<svg font-family="${family}"`);
  }
  // 5b. A run of <use> with the same paint: the paint once, on a group.
  s = s.replace(USE_RUN, (run: string) => {
    const uses = [...run.matchAll(/<use href="(#s\d+)" x="([^"]*)" y="([^"]*)"([^>]*)\/>/g)];
    const paint = uses[0][4];
    if (uses.length < 2 || !uses.every((u) => u[4] === paint) || / (stroke|transform|class|style)=/.test(paint)) return run;
    const group = paint.replace(/ opacity="([^"]*)"/, ' fill-opacity="$1"');
    return `<g${group}>${uses.map((u) => `<use href="${u[1]}" x="${u[2]}" y="${u[3]}"/>`).join('')}</g>`;
  });
  // 6. Class names (unless the figure carries a stylesheet that could read them) and the mark
  // containers' generic ARIA.
  if (!/<style\b/.test(s)) s = s.replace(/ class="[^"]*"/g, '');
  s = s.replace(/ role="graphics-object" aria-roledescription="[a-z]+ mark container"/g, '');
  if (ids.size > 0) {
    const defs = [...ids].map(([d, id]) => `<path id="${id}" d="${round2(d)}"/>`).join('');
    s = s.replace(/<\/svg>\s*$/, `<defs>${defs}</defs></svg>`);
  }
  return s.endsWith('\n') ? s : `${s}\n`;
}

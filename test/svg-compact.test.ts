/**
 * The report's SVG slimming (src/report/svgCompact.ts) keeps what is drawn: every line point and
 * every scatter point where vega put it (to 0.1 px), each point's paint, and the group ARIA
 * descriptions, while the per-point ARIA and the repeated attributes go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { compactSvg } from '../src/report/svgCompact.js';
import { drawnPoints, SIMPLIFY_PX } from '../src/report/plots.js';
import { Rng } from '../src/rng.js';

async function vegaSvg(spec: Record<string, unknown>): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const view = new vega.View(vega.parse(compile(spec as any).spec), { renderer: 'none' });
  try { return await view.toSVG(); } finally { view.finalize(); }
}

/** Absolute points of a path of M/L commands, absolute or relative (m, l, implicit pairs). */
function points(d: string): [number, number][] {
  const out: [number, number][] = [];
  const tokens = [...d.matchAll(/([MLml])|(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)/g)].map((m) => m[0]);
  let cmd = 'M', x = 0, y = 0, i = 0;
  while (i < tokens.length) {
    if (/^[MLml]$/.test(tokens[i])) { cmd = tokens[i++]; continue; }
    const a = Number(tokens[i++]), b = Number(tokens[i++]);
    if (cmd === 'M' || cmd === 'L') { x = a; y = b; } else { x += a; y += b; }
    out.push([x, y]);
    cmd = cmd === 'M' ? 'L' : cmd === 'm' ? 'l' : cmd;
  }
  return out;
}

const rng = new Rng(['svg-compact-test']);
const series = Array.from({ length: 300 }, (_, i) => ({ step: i * 7, v: Math.sin(i / 9) * 3 + rng.normal() * 0.3 }));
const scatter = Array.from({ length: 400 }, () => ({ x: rng.normal(), y: rng.normal() }));

test('lines: every point where vega drew it, to 0.1 px, written relative to the one before', async () => {
  const raw = await vegaSvg({ data: { values: series }, mark: { type: 'line', strokeWidth: 0.7 }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } }, width: 210, height: 150 });
  const slim = compactSvg(raw);
  const dOf = (svg: string) => [...svg.matchAll(/<path[^>]* d="(M[^"]*)"/g)].map((m) => m[1]).filter((d) => points(d).length === series.length);
  const [before] = dOf(raw), [after] = dOf(slim);
  assert.ok(before && after, 'the series path in both');
  assert.match(after, /^M[-\d.]+,[-\d.]+l/, 'relative after the first point');
  const pb = points(before), pa = points(after);
  assert.equal(pa.length, pb.length);
  pa.forEach(([x, y], i) => assert.ok(Math.abs(x - pb[i][0]) <= 0.05 + 1e-9 && Math.abs(y - pb[i][1]) <= 0.05 + 1e-9, `point ${i}: ${x},${y} vs ${pb[i]}`));
  assert.doesNotMatch(slim, /aria-label="step: /, 'no per-point description');
  assert.match(slim, /<g [^>]*role="graphics-symbol" aria-roledescription="axis" aria-label="X-axis/, 'axis descriptions stay');
  assert.match(raw, / class="mark-line role-mark marks"/);
  assert.doesNotMatch(slim, / class="/, 'no class names: a static figure has no stylesheet');
  assert.match(raw, /aria-roledescription="line mark container"/);
  assert.doesNotMatch(slim, /mark container"/, "no mark container's generic ARIA");
  assert.match(slim, /aria-hidden="true"/, 'decorative parts stay hidden');
  assert.ok(slim.length < 0.7 * raw.length, `${raw.length} → ${slim.length} bytes`);
});

test('scatter points: one symbol definition, a <use> per point at its place, the paint set once', async () => {
  const raw = await vegaSvg({ data: { values: scatter }, mark: { type: 'circle', size: 6, opacity: 0.5, color: '#4c78a8' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } }, width: 220, height: 220 });
  const slim = compactSvg(raw);
  const at = (svg: string, re: RegExp) => [...svg.matchAll(re)].map((m) => [Number(m[1]), Number(m[2])]);
  const before = at(raw, /<path [^>]*transform="translate\(([-\d.e]+),([-\d.e]+)\)" d="M[^"]*A/g);
  const after = at(slim, /<use href="#s0" x="([-\d.]+)" y="([-\d.]+)"\/>/g);
  assert.equal(before.length, scatter.length);
  assert.equal(after.length, scatter.length);
  after.forEach(([x, y], i) => assert.ok(Math.abs(x - before[i][0]) <= 0.05 + 1e-9 && Math.abs(y - before[i][1]) <= 0.05 + 1e-9));
  assert.match(slim, /<g fill="#4c78a8" stroke-width="2" fill-opacity="0.5"><use /, 'the paint on the group; opacity per point, as fill-opacity');
  assert.equal((slim.match(/<path id="s0" d="M[^"]+"\/>/g) ?? []).length, 1);
});

test('line simplification keeps every point that moves the line by more than 0.1 px', () => {
  const step = series.map((p) => p.step), v = series.map((p) => p.v);
  v[40] = NaN;
  const xPx = 210 / step[step.length - 1], yPx = 150 / 10;
  const keep = drawnPoints(step, v, xPx, yPx);
  assert.ok(!keep.includes(40), 'non-finite points are not drawn');
  assert.equal(keep[0], 0);
  assert.equal(keep[keep.length - 1], step.length - 1);
  // Every dropped finite point lies within SIMPLIFY_PX of the drawn polyline.
  for (let i = 0; i < step.length; i++) {
    if (!Number.isFinite(v[i]) || keep.includes(i)) continue;
    const k = keep.findIndex((j) => j > i);
    const [a, b] = [keep[k - 1], keep[k]];
    const ax = step[a] * xPx, ay = v[a] * yPx, dx = step[b] * xPx - ax, dy = v[b] * yPx - ay;
    const t = Math.max(0, Math.min(1, ((step[i] * xPx - ax) * dx + (v[i] * yPx - ay) * dy) / (dx * dx + dy * dy)));
    assert.ok(Math.hypot(step[i] * xPx - ax - t * dx, v[i] * yPx - ay - t * dy) <= SIMPLIFY_PX + 1e-9, `point ${i}`);
  }
  // A straight run needs its ends only.
  assert.deepEqual(drawnPoints([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], 10, 10), [0, 4]);
});

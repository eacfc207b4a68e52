/**
 * SVG scatter of a GAN's generated samples beside the 25-Gaussians target (the layout of the
 * paper's Fig. 4): one panel for the target, one per generated set, each with the 3σ circles that
 * define a "high-quality" sample. Hand-written SVG (no layout engine), self-contained: it imports
 * only the grid definition, so the report and the `harness gan --out` command can share it.
 */
import { GRID_MEANS, GRID_SIGMA } from '../gan/data.js';

export interface ScatterPanel {
  title: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Optional second line under the title, e.g. "modes 23/25 · high quality 61%". */
  subtitle?: string;
  color?: string;
}

export interface ScatterOptions {
  /** Side of each square panel in px (default 300). */
  size?: number;
  /** Half-width of the plotted square in data units (default 5.5: the grid spans ±4). */
  extent?: number;
  sigma?: number;
  title?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

export function ganScatterSvg(panels: ScatterPanel[], options: ScatterOptions = {}): string {
  const size = options.size ?? 300;
  const extent = options.extent ?? 5.5;
  const sigma = options.sigma ?? GRID_SIGMA;
  const pad = 12, head = options.title ? 64 : 44;
  const width = pad + panels.length * (size + pad);
  const height = head + size + pad;
  const scale = size / (2 * extent);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (options.title) out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`);
  panels.forEach((p, k) => {
    const x0 = pad + k * (size + pad), y0 = head;
    const px = (x: number) => x0 + (x + extent) * scale;
    const py = (y: number) => y0 + (extent - y) * scale;
    const color = p.color ?? (k === 0 ? '#4c78a8' : '#e45756');
    const ty = options.title ? 40 : 18;
    out.push(`<text x="${x0 + size / 2}" y="${ty}" text-anchor="middle" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
    if (p.subtitle) out.push(`<text x="${x0 + size / 2}" y="${ty + 16}" text-anchor="middle" font-size="11" fill="#444">${esc(p.subtitle)}</text>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${size}" height="${size}" fill="#fafafa" stroke="#999"/>`);
    out.push(`<g fill="none" stroke="#bbb" stroke-width="1">`);
    for (const [mx, my] of GRID_MEANS) out.push(`<circle cx="${fmt(px(mx))}" cy="${fmt(py(my))}" r="${fmt(Math.max(3 * sigma * scale, 1.5))}"/>`);
    out.push('</g>');
    out.push(`<g fill="${color}" fill-opacity="0.45">`);
    let outside = 0;
    for (const [x, y] of p.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > extent || Math.abs(y) > extent) { outside++; continue; }
      out.push(`<circle cx="${fmt(px(x))}" cy="${fmt(py(y))}" r="1.6"/>`);
    }
    out.push('</g>');
    if (outside > 0) out.push(`<text x="${x0 + size - 4}" y="${y0 + size - 6}" text-anchor="end" font-size="10" fill="#a00">${outside} point(s) outside the frame</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

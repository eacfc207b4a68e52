/**
 * The cost-growth figure of docs/engine.md: ms per training step and GFLOP/s against the batch
 * size n, for the wasm engine (relaxed SIMD, one thread; with the float32 bound passes where the
 * runs include `--bound-precision float32`) and PyTorch (one thread), both critics,
 * from the JSON of one or more `harness bench --vs-torch --json` runs (rows of several files are
 * pooled; where a case was measured more than once, the median is plotted).
 *
 *   node dist/bench/plot.js OUT.svg BENCH.json [BENCH.json …]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSvg } from '../src/report/render.js';
import { median } from '../src/stats/describe.js';
import type { BenchResult } from './step.js';

interface BenchJson { results: BenchResult[]; torch?: BenchResult[] | null }

function label(r: BenchResult): string | null {
  if (r.engine === 'torch') return 'PyTorch (OpenBLAS), 1 thread';
  // Rows from before the option existed carry no boundPrecision: float64.
  if (r.engine === 'wasm' && r.threads === 1 && r.backend === 'wasm-simd-relaxed' && r.boundPrecision === 'float32') return 'wasm engine (relaxed SIMD, float32 bound), 1 thread';
  if (r.boundPrecision === 'float32') return null;
  if (r.engine === 'wasm' && r.threads === 1 && r.backend === 'wasm-simd-relaxed') return 'wasm engine (relaxed SIMD, float64 bound), 1 thread';
  if (r.engine === 'wasm' && r.threads === 1 && r.backend === 'wasm-simd') return 'wasm engine (plain SIMD, float64 bound), 1 thread';
  return null;
}

async function main(): Promise<void> {
  const [out, ...inputs] = process.argv.slice(2);
  if (!out || inputs.length === 0) throw new Error('usage: node dist/bench/plot.js OUT.svg BENCH.json [BENCH.json …]');
  const groups = new Map<string, { who: string; critic: string; n: number; ms: number[]; gflops: number[] }>();
  for (const file of inputs) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
    for (const r of [...j.results, ...(j.torch ?? [])]) {
      const who = label(r);
      if (!who) continue;
      const key = `${who}|${r.critic}|${r.batchSize}`;
      const g = groups.get(key) ?? { who, critic: r.critic, n: r.batchSize, ms: [], gflops: [] };
      g.ms.push(r.msPerStep); g.gflops.push(r.gflops);
      groups.set(key, g);
    }
  }
  const values = [...groups.values()].map((g) => ({
    who: g.who, critic: `${g.critic} critic`, n: g.n, ms: median(g.ms), gflops: median(g.gflops), runs: g.ms.length,
  }));
  const color = {
    field: 'who', type: 'nominal', title: null,
    scale: {
      domain: ['wasm engine (relaxed SIMD, float64 bound), 1 thread', 'wasm engine (relaxed SIMD, float32 bound), 1 thread', 'wasm engine (plain SIMD, float64 bound), 1 thread', 'PyTorch (OpenBLAS), 1 thread'],
      range: ['#1f77b4', '#2ca02c', '#9ecae1', '#d62728'],
    },
    legend: { orient: 'bottom', direction: 'vertical', labelLimit: 600 },
  };
  const nAxis = {
    field: 'n', type: 'quantitative', title: 'batch size n',
    scale: { type: 'log', base: 2, domain: [12, 1400], nice: false }, axis: { values: [16, 32, 64, 128, 256, 512, 1024] },
  };
  // One row per critic: ms per step (log scale) on the left, GFLOP/s on the right.
  const panel = (critic: string, field: string, title: string, log: boolean) => ({
    width: 290, height: 190,
    title: { text: `${critic} critic`, fontSize: 12, anchor: 'start' },
    transform: [{ filter: { field: 'critic', equal: `${critic} critic` } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: nAxis,
      y: { field, type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: true } },
      color,
      tooltip: [{ field: 'who' }, { field: 'critic' }, { field: 'n' }, { field: 'ms', format: '.2f' }, { field: 'gflops', format: '.1f' }],
    },
  });
  const row = (critic: string) => ({
    hconcat: [panel(critic, 'ms', 'ms per step (log scale)', true), panel(critic, 'gflops', 'GFLOP/s (algorithmic count)', false)],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'One training step (forward, NWJ bound, backward, Adam), d = 20, h = 256, e = 32', fontSize: 13 },
    data: { values },
    vconcat: [row('separable'), row('joint')],
    config: { font: 'DejaVu Sans, sans-serif', background: 'white' },
  };
  writeFileSync(out, await renderSvg(spec));
  process.stderr.write(`wrote ${out} (${values.length} points)\n`);
}

await main();

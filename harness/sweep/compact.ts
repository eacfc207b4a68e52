/**
 * The compact cell: what the store writes (`cells/<hash>.json.br`, brotli from node:zlib) and
 * what `harness compact` turns a plain cell (`<hash>.json`) into. Same address, same spec, same
 * level statistics, bit for bit; only what is drawn is kept at drawing precision:
 *
 *  - the trajectory's `step` array is left out when it is each `stride`-th step and the last
 *    (src/engine/train.ts summarise writes exactly that; src/stats/trajectory.ts derives it);
 *  - its `estimate` and `ema` values are rounded to 0.01 nats below 100 nats in magnitude and to
 *    4 significant digits above. The finest drawing is the results site's drill-down
 *    (src/report/cellPlot.ts: 640 × 260 px, y from −2 to ceil(1.25·max(1, I, log n)): at least
 *    6 nats for every batch size the presets use, n ≥ 16, so ≤ 43 px a nat; or a symlog axis,
 *    ≈ 26 px a decade, for diverging runs); the report's panels are 210 × 150 px
 *    (src/report/plots.ts). 0.005 nats is ≤ 0.22 px there, and 0.05% on the symlog axis ≤ 0.01 px. The number of points is kept (≤ 501): the drill-down
 *    draws about one per pixel column, and the report draws every raw point;
 *  - the readings the statistics take from the trajectory (EMA above the truth, the EMA's
 *    settling steps, the largest estimate: src/stats/trajectory.ts) are computed from the
 *    full-precision trajectory first and stored beside it (`trajectory.readings`);
 *  - a GAN run's generated samples (drawn in the report's scatter panels, 220 px for 11 units:
 *    20 px a unit) keep SAMPLE_DECIMALS decimals (0.01: ≤ 0.1 px, 1/10 of a mode's σ); its
 *    metrics (modes, high-quality share, per-mode counts) are untouched.
 *
 * Everything else is kept as the worker produced it. compactCell checks its own work: the
 * compact cell, read back the way the report reads it (src/stats/records.ts parseRecord), must
 * give exactly the record the plain cell gives, bar the drawn values; if not, the trajectory (or
 * the samples) is kept whole, so a cell never loses what the statistics read.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { parseRecord, type StoreRecord } from '../../src/stats/records.js';
import { trajectorySteps } from '../../src/stats/trajectory.js';

export const COMPACT_CELL_FORMAT = 'mi-harness/cell@2';
/** A compact trajectory's values: DRAW_DECIMALS decimals (nats) below DRAW_LARGE, DRAW_DIGITS significant digits from there. */
export const DRAW_DECIMALS = 2;
export const DRAW_LARGE = 100;
export const DRAW_DIGITS = 4;
/** Decimals of a compact GAN run's samples. */
export const SAMPLE_DECIMALS = 2;
/** File-name suffixes: a compact (brotli) cell and a plain one. */
export const COMPACT_EXT = '.json.br';
export const PLAIN_EXT = '.json';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A drawn value: DRAW_DECIMALS below DRAW_LARGE in magnitude, DRAW_DIGITS significant digits above. */
export function drawValue(v: unknown): unknown {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v;
  return Math.abs(v) < DRAW_LARGE ? Math.round(v * 10 ** DRAW_DECIMALS) / 10 ** DRAW_DECIMALS : Number(v.toPrecision(DRAW_DIGITS));
}
const scale = 10 ** SAMPLE_DECIMALS;
const roundDec = (v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * scale) / scale : v);

export interface Compacted {
  cell: Json;
  /** What could not be trimmed without changing a statistic, and was kept whole (normally none). */
  keptWhole: ('trajectory' | 'samples')[];
}

/**
 * The compact form of a cell (a plain `mi-harness/cell@1` object, or a compact one: then it is
 * returned as it is). Works on the cell's JSON form (NaN and ±∞ are null there, as on disk).
 */
export function compactCell(cell: object): Compacted {
  const full = JSON.parse(JSON.stringify(cell)) as Json;
  if (full.format === COMPACT_CELL_FORMAT) return { cell: full, keptWhole: [] };
  const keptWhole: Compacted['keptWhole'] = [];
  const out: Json = { ...full, format: COMPACT_CELL_FORMAT };
  const before = parseRecord(full, 'cell');
  const tr = full.trajectory;
  if (before.kind === 'cell' && isObj(tr) && Array.isArray(tr.estimate) && Array.isArray(tr.ema)) {
    const { step, ...rest } = tr;
    const derivable = Array.isArray(step) && sameNumbers(step, trajectorySteps(Number(tr.stride), Number(full.steps)));
    const trajectory: Json = {
      ...rest,
      ...(derivable ? {} : { step }),
      estimate: tr.estimate.map(drawValue),
      ema: tr.ema.map(drawValue),
      readings: {
        emaAbove: before.levels.map((l) => l.emaViolations),
        settle: before.levels.map((l) => l.emaSettle),
        maxEstimate: before.maxEstimate,
      },
    };
    const trial = JSON.parse(JSON.stringify({ ...out, trajectory })) as Json;
    if (sameStatistics(before, parseRecord(trial, 'cell'))) out.trajectory = trajectory;
    else keptWhole.push('trajectory');
  }
  if (before.kind === 'gan' && Array.isArray(full.samples)) {
    const samples = full.samples.map((p) => (Array.isArray(p) ? p.map(roundDec) : p));
    const trial = JSON.parse(JSON.stringify({ ...out, samples })) as Json;
    if (sameStatistics(before, parseRecord(trial, 'cell'))) out.samples = samples;
    else keptWhole.push('samples');
  }
  return { cell: JSON.parse(JSON.stringify(out)) as Json, keptWhole };
}

/** The bytes of a compact cell file. */
export function encodeCompact(cell: Json): Buffer {
  const text = Buffer.from(JSON.stringify(cell) + '\n', 'utf8');
  return brotliCompressSync(text, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
    },
  });
}

/** The text of a cell file (brotli for `.json.br`, UTF-8 for `.json`). Throws on a bad stream. */
export function decodeCellFile(bytes: Buffer, name: string): string {
  return (name.endsWith(COMPACT_EXT) ? brotliDecompressSync(bytes) : bytes).toString('utf8');
}

/** `<hash>.json.br` → `<hash>.json`: the name a cell has whatever its encoding (the report prints it). */
export function logicalName(name: string): string {
  return name.endsWith(COMPACT_EXT) ? name.slice(0, -'.br'.length) : name;
}

function sameNumbers(a: readonly unknown[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Every number the statistics read from a record, compared bit for bit (NaN equals NaN). */
function sameStatistics(a: StoreRecord, b: StoreRecord): boolean {
  const strip = (r: StoreRecord): unknown => {
    if (r.kind === 'cell') { const { trajectory: t, ...rest } = r; return { ...rest, step: t.step, points: t.estimate.length === t.ema.length ? t.estimate.length : -1 }; }
    if (r.kind === 'gan') { const { samples: s, ...rest } = r; return { ...rest, samples: s.length }; }
    return r;
  };
  return sameValue(strip(a), strip(b));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || (a === b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return sameValue(ka, kb) && ka.every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

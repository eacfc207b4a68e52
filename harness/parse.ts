/**
 * Flag value parsers shared by the commands. Each throws UsageError naming the flag, so every
 * bad value ends as one line on stderr and exit code 2.
 */
import { UsageError } from '../src/errors.js';

export function parseNumber(flag: string, raw: string): number {
  const s = raw.trim().toLowerCase();
  const v = s === 'inf' || s === 'infinity' ? Infinity : s === '' ? NaN : Number(s);
  if (Number.isNaN(v)) throw new UsageError(`${flag}: '${raw}' is not a number`);
  return v;
}

/**
 * An integer in [min, max]. max defaults to the largest integer a double holds exactly: beyond
 * it '9007199254740993' would silently become another number.
 */
export function parseInteger(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = parseNumber(flag, raw);
  if (!Number.isInteger(v)) throw new UsageError(`${flag}: '${raw}' is not an integer`);
  if (v < min) throw new UsageError(`${flag}: must be at least ${min}, got ${v}`);
  if (v > max) throw new UsageError(`${flag}: must be at most ${max}, got ${raw.trim()}`);
  return v;
}

export function parseNumberList(flag: string, raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`${flag}: '${raw}' is not a comma-separated list of numbers`);
  return parts.map((p) => parseNumber(flag, p));
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`${flag}: unknown value '${raw}' (expected one of: ${choices.join(', ')})`);
  }
  return raw as T;
}

export function parseBatchRho(flag: string, raw: string): number | 'random' {
  if (raw.trim() === 'random') return 'random';
  const v = parseNumber(flag, raw);
  if (!(v >= 0 && v < 1)) throw new UsageError(`${flag}: must be in [0, 1) or 'random', got ${raw}`);
  return v;
}

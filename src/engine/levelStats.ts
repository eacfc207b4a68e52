/**
 * Per-level statistics of the per-step estimates. Window: the LAST HALF of each level's steps
 * (steps [start + ⌈L/2⌉, start + L) for a level of L steps starting at `start`), so the
 * critic has had half a level to adapt to the new MI before it is judged (the paper does not
 * state its window; this is ours, and it is recorded in every LevelStats).
 *   bias = mean − I,  variance = population variance,  mse = mean((est − I)²) = bias² + variance,
 * all over the finite estimates in the window; non-finite ones are counted, not averaged.
 */
import type { LevelStats } from '../types.js';

export function levelStats(estimates: ArrayLike<number>, levels: readonly number[], stepsPerLevel: number): LevelStats[] {
  return levels.map((trueMi, k) => {
    const start = k * stepsPerLevel;
    const from = start + Math.ceil(stepsPerLevel / 2);
    const to = start + stepsPerLevel;
    let n = 0, sum = 0, nonFinite = 0, above = 0;
    for (let t = from; t < to; t++) {
      const e = estimates[t];
      if (!Number.isFinite(e)) { nonFinite++; continue; }
      n++; sum += e; if (e > trueMi) above++;
    }
    const mean = n > 0 ? sum / n : NaN;
    let v = 0;
    for (let t = from; t < to; t++) {
      const e = estimates[t];
      if (Number.isFinite(e)) v += (e - mean) * (e - mean);
    }
    const variance = n > 0 ? v / n : NaN;
    const bias = mean - trueMi;
    return {
      trueMi, window: [from, to], mean, bias, variance, mse: bias * bias + variance,
      violations: n > 0 ? above / n : NaN, nonFinite,
    };
  });
}

/**
 * Per-level statistics of the per-step estimates. Window: the LAST HALF of each level's steps
 * (steps [start + ⌈L/2⌉, start + L) for a level of L steps starting at `start`), so the
 * critic has had half a level to adapt to the new MI before it is judged (the paper does not
 * state its window; this is ours, and it is recorded in every LevelStats).
 *   bias = mean − I,  variance = population variance,  mse = mean((est − I)²) = bias² + variance,
 * all over the finite estimates in the window; non-finite ones are counted, not averaged.
 * violations: the share of the window's finite estimates on the wrong side of the true MI — above
 * it (the default, and every lower bound's), or below it for an estimator reported as an upper
 * bound (side 'below': CLUB, L1Out; BoundDefinition.upperBound).
 */
import type { LevelStats } from '../types.js';

/** Which side of the true MI counts as a violation: 'below' for upper bounds, 'above' otherwise. */
export type ViolationSide = 'above' | 'below';

export function levelStats(estimates: ArrayLike<number>, levels: readonly number[], stepsPerLevel: number, side: ViolationSide = 'above'): LevelStats[] {
  const below = side === 'below';
  return levels.map((trueMi, k) => {
    const start = k * stepsPerLevel;
    const from = start + Math.ceil(stepsPerLevel / 2);
    const to = start + stepsPerLevel;
    let n = 0, sum = 0, nonFinite = 0, wrong = 0;
    for (let t = from; t < to; t++) {
      const e = estimates[t];
      if (!Number.isFinite(e)) { nonFinite++; continue; }
      n++; sum += e; if (below ? e < trueMi : e > trueMi) wrong++;
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
      violations: n > 0 ? wrong / n : NaN, nonFinite,
    };
  });
}

/**
 * What the statistics read from a cell's downsampled trajectory (src/engine/train.ts summarise:
 * the per-step estimate and its EMA at every `stride`-th step and at the last step). Three
 * readings, all defined here:
 *  - emaShareAbove: per level, the share of EMA points inside the level's statistics window that
 *    lie above the true MI (the report's "EMA above truth"; docs/statistics.md);
 *  - settleSteps: per level, the steps from the level's start until the EMA first comes within
 *    max(0.5 nats, 10%·I) of the truth, censored at the level's length (claim C6, "MICE converges
 *    faster than SMILE", src/stats/reproduction.ts);
 *  - maxEstimate: the largest finite per-step estimate among the trajectory's points (claim C1a,
 *    "InfoNCE never exceeds log n").
 *
 * The cell store keeps a trajectory only at drawing precision (harness/sweep/compact.ts), so it
 * takes these readings from the full-precision trajectory when it writes a cell and stores them
 * beside it (`trajectory.readings`); a record (./records.ts) uses the stored readings when a
 * cell has them and computes them here otherwise, so the statistics see the same numbers
 * either way. Changing a definition below therefore cannot be applied to compacted cells
 * retroactively: their full-precision trajectories are gone. Add a new reading instead (computed
 * for new cells; old cells without it need re-running), and keep the old ones as they are.
 */

export interface TrajectoryPoints {
  step: readonly number[];
  estimate: readonly number[];
  ema: readonly number[];
}

/** The readings of a full-precision trajectory, as a compact cell stores them (JSON: NaN → null). */
export interface TrajectoryReadings {
  /**
   * Per level: emaShareAbove over its statistics window (NaN when the window holds no finite EMA
   * point); for an upper bound the share below the truth (its violations), as the record reads it.
   */
  emaAbove: number[];
  /** Per level: settleSteps. */
  settle: number[];
  /** maxEstimate (NaN when no point is finite). */
  maxEstimate: number;
}

/** The step of every trajectory point: each `stride`-th step and the last one (train.ts summarise). */
export function trajectorySteps(stride: number, steps: number): number[] {
  const out: number[] = [];
  if (!(stride >= 1) || !Number.isInteger(stride) || !(steps >= 0) || !Number.isInteger(steps)) return out;
  for (let t = 0; t < steps; t += stride) out.push(t);
  if (steps > 0 && out[out.length - 1] !== steps - 1) out.push(steps - 1);
  return out;
}

/**
 * Share of finite EMA points with step in [from, to) above trueMi — below it when `below` (an
 * estimator reported as an upper bound, CLUB and L1Out, whose violations are estimates below the
 * truth) — NaN when none.
 */
export function emaShareAbove(tr: Pick<TrajectoryPoints, 'step' | 'ema'>, [from, to]: readonly [number, number], trueMi: number, below = false): number {
  let n = 0, above = 0;
  for (let i = 0; i < tr.step.length; i++) {
    const t = tr.step[i], e = tr.ema[i];
    if (t >= from && t < to && Number.isFinite(e)) { n++; if (below ? e < trueMi : e > trueMi) above++; }
  }
  return n > 0 ? above / n : NaN;
}

/** Steps after a level starts until the EMA first comes within max(0.5, 10%·I) of the true MI (censored at the level's end). */
export function settleSteps(tr: Pick<TrajectoryPoints, 'step' | 'ema'>, levelStart: number, levelEnd: number, trueMi: number): number {
  const band = Math.max(0.5, 0.1 * trueMi);
  for (let i = 0; i < tr.step.length; i++) {
    const t = tr.step[i];
    if (t < levelStart || t >= levelEnd) continue;
    if (Number.isFinite(tr.ema[i]) && Math.abs(tr.ema[i] - trueMi) <= band) return t - levelStart;
  }
  return levelEnd - levelStart;
}

/** The largest finite estimate among the points (NaN when none is finite). */
export function maxEstimate(tr: Pick<TrajectoryPoints, 'estimate'>): number {
  let m = -Infinity;
  for (const e of tr.estimate) if (Number.isFinite(e) && e > m) m = e;
  return m === -Infinity ? NaN : m;
}

/**
 * Every reading of one cell's trajectory: levels as the cell records them (true MI and
 * statistics window each), the staircase's steps per level.
 */
export function trajectoryReadings(
  tr: TrajectoryPoints, levels: readonly { trueMi: number; window: readonly [number, number] }[], stepsPerLevel: number,
): TrajectoryReadings {
  return {
    emaAbove: levels.map((l) => emaShareAbove(tr, l.window, l.trueMi)),
    settle: levels.map((l, k) => settleSteps(tr, k * stepsPerLevel, (k + 1) * stepsPerLevel, l.trueMi)),
    maxEstimate: maxEstimate(tr),
  };
}

/**
 * Mode coverage and sample quality on the 25-Gaussians grid (the metrics of VEEGAN and PacGAN,
 * which the MINE and MICE papers' Fig. 4 illustrate qualitatively):
 *  - a sample is high quality when it lies within 3σ of some mode's mean (Euclidean distance);
 *  - a mode is captured when at least `minPerMode` samples are high quality for that mode.
 * Default protocol: 2 500 generated samples (a fair share of 100 per mode) and minPerMode = 20,
 * i.e. a mode counts once it holds a fifth of its fair share, so a few stray points never make
 * a mode and a mode that is present but under-weighted still counts.
 */
import { GRID_MEANS, GRID_SIGMA } from './data.js';

export interface ModeOptions {
  sigma?: number;
  /** Samples within 3σ of a mode needed to count it as captured (default 20). */
  minPerMode?: number;
}

export interface ModeCount {
  /** Modes captured, 0..25. */
  modes: number;
  /** Share of samples within 3σ of some mode, in [0, 1]. */
  highQuality: number;
  /** High-quality samples per mode, in GRID_MEANS order. */
  perMode: number[];
}

export const DEFAULT_MIN_PER_MODE = 20;

/** `samples` is a flat [n, 2] array (or [x, y] pairs). Non-finite samples count as low quality. */
export function countModes(samples: ArrayLike<number> | ReadonlyArray<readonly [number, number]>, options: ModeOptions = {}): ModeCount {
  const sigma = options.sigma ?? GRID_SIGMA;
  const minPerMode = options.minPerMode ?? DEFAULT_MIN_PER_MODE;
  const flat = toFlat(samples);
  const n = flat.length / 2;
  const r2 = (3 * sigma) ** 2;
  const perMode = new Array<number>(GRID_MEANS.length).fill(0);
  let good = 0;
  for (let i = 0; i < n; i++) {
    const x = flat[2 * i], y = flat[2 * i + 1];
    for (let k = 0; k < GRID_MEANS.length; k++) {
      const dx = x - GRID_MEANS[k][0], dy = y - GRID_MEANS[k][1];
      // 3σ balls are disjoint for σ < 1/3 (spacing 2), so the first hit is the only one.
      if (dx * dx + dy * dy <= r2) { perMode[k]++; good++; break; }
    }
  }
  return {
    modes: perMode.filter((c) => c >= minPerMode).length,
    highQuality: n === 0 ? 0 : good / n,
    perMode,
  };
}

function toFlat(samples: ArrayLike<number> | ReadonlyArray<readonly [number, number]>): ArrayLike<number> {
  if (samples.length > 0 && Array.isArray((samples as ArrayLike<unknown>)[0])) {
    return (samples as ReadonlyArray<readonly [number, number]>).flat();
  }
  return samples as ArrayLike<number>;
}

/**
 * Reverse KL divergence KL(q ‖ u) between the generated mode histogram q (the high-quality
 * samples' share per mode) and the uniform distribution u over the 25 modes: log 25 − H(q), in
 * nats. 0 when every mode holds the same share, log 25 ≈ 3.22 when all high-quality samples sit
 * on one mode; missing modes cost only through the others' excess (the direction PacGAN reports,
 * which stays finite when modes are dropped). NaN when there is no high-quality sample at all.
 */
export function reverseKlUniform(perMode: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < perMode.length; k++) total += perMode[k];
  if (!(total > 0)) return NaN;
  let kl = 0;
  for (let k = 0; k < perMode.length; k++) {
    const q = perMode[k] / total;
    if (q > 0) kl += q * Math.log(q * perMode.length);
  }
  return kl;
}

/**
 * Synthetic cell stores for the report tests: CellResult files built from a simple model of
 * an estimator (per-step estimate = true MI + bias + noise), no training. Each estimator's
 * behaviour is a parameter so tests can make one better than another, shrink with n, diverge.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoundOptions, CellResult, CellSpec, EstimatorName, GanResult, GanVariant } from '../src/types.js';
import { levelStats } from '../src/engine/levelStats.js';
import { Rng } from '../src/rng.js';
import { GRID_MEANS } from '../src/gan/data.js';

export interface FakeEstimator {
  estimator: EstimatorName;
  boundOptions?: BoundOptions;
  spectralNorm?: boolean;
  /** Bias at true MI `mi` and batch size n. */
  bias: (mi: number, n: number) => number;
  /** Noise SD of the per-step estimate. */
  sd: (mi: number, n: number) => number;
  /** Step from which estimates are NaN (divergence), for a given seed; null = never. */
  divergeAt?: (seed: number) => number | null;
}

export interface FixtureOptions {
  estimators: FakeEstimator[];
  seeds: number[];
  critics?: CellSpec['critic'][];
  tasks?: CellSpec['task'][];
  batchRhos?: CellSpec['batchRho'][];
  batchSizes?: number[];
  mi?: number[];
  stepsPerLevel?: number;
}

export function fakeCell(fe: FakeEstimator, base: Omit<CellSpec, 'estimator' | 'boundOptions' | 'spectralNorm'>): CellResult & { provenance: Record<string, unknown> } {
  const spec: CellSpec = { ...base, estimator: fe.estimator, boundOptions: fe.boundOptions ?? {}, spectralNorm: fe.spectralNorm ?? fe.estimator === 'mice' };
  const rng = new Rng(['fixture', JSON.stringify(spec)]);
  const steps = spec.mi.length * spec.stepsPerLevel;
  const est = new Float64Array(steps);
  const div = fe.divergeAt?.(spec.seed) ?? null;
  for (let t = 0; t < steps; t++) {
    const mi = spec.mi[Math.floor(t / spec.stepsPerLevel)];
    const inLevel = (t % spec.stepsPerLevel) / spec.stepsPerLevel;
    // Starts low at each level change and adapts, like a critic catching up.
    est[t] = div !== null && t >= div ? NaN
      : mi + fe.bias(mi, spec.batchSize) - 2 * Math.exp(-10 * inLevel) + fe.sd(mi, spec.batchSize) * rng.normal();
  }
  const stride = Math.max(1, Math.ceil(steps / 200));
  const step: number[] = [], estimate: number[] = [], ema: number[] = [];
  let m = NaN;
  for (let t = 0; t < steps; t++) {
    if (Number.isFinite(est[t])) m = Number.isFinite(m) ? m + 0.01 * (est[t] - m) : est[t];
    if (t % stride === 0 || t === steps - 1) { step.push(t); estimate.push(est[t]); ema.push(m); }
  }
  return {
    spec, estimator: spec.estimator, critic: spec.critic, task: spec.task, seed: spec.seed,
    engine: 'wasm', backend: 'wasm-simd', steps, msPerStep: 3 + (spec.critic === 'joint' ? 60 : 0), wallMs: 1234 + rng.uniform(),
    levels: levelStats(est, spec.mi, spec.stepsPerLevel),
    trajectory: { stride, step, estimate, ema },
    logN: Math.log(spec.batchSize),
    // Time-dependent fields the report must not print.
    provenance: { engine: 'wasm', backend: 'wasm-simd', node: 'v20.0.0', cpu: 'Fixture CPU', commit: 'abc1234', startedAt: new Date().toISOString(), wallMs: Math.random() },
  };
}

export function fixtureCells(o: FixtureOptions): (CellResult & { provenance: Record<string, unknown> })[] {
  const out: (CellResult & { provenance: Record<string, unknown> })[] = [];
  for (const critic of o.critics ?? ['separable']) {
    for (const task of o.tasks ?? ['gaussian']) {
      for (const batchRho of o.batchRhos ?? [0]) {
        for (const batchSize of o.batchSizes ?? [64]) {
          for (const fe of o.estimators) {
            for (const seed of o.seeds) {
              out.push(fakeCell(fe, {
                critic, task, batchRho, batchSize, seed, mi: o.mi ?? [2, 4, 6, 8, 10], stepsPerLevel: o.stepsPerLevel ?? 200,
                dim: 20, hidden: 256, embed: 32, lr: 5e-4, engine: 'auto', backend: 'auto',
              }));
            }
          }
        }
      }
    }
  }
  return out;
}

export function fakeGan(variant: GanVariant, seed: number): GanResult {
  const rng = new Rng(['fixture-gan', variant, seed]);
  const modes = variant === 'vanilla' ? 8 + Math.floor(4 * rng.uniform()) : variant === 'mine' ? 14 + Math.floor(5 * rng.uniform()) : 20 + Math.floor(5 * rng.uniform());
  const samples: [number, number][] = [];
  for (let i = 0; i < 300; i++) {
    const [mx, my] = GRID_MEANS[Math.floor(rng.uniform() * modes)];
    samples.push([mx + 0.1 * rng.normal(), my + 0.1 * rng.normal()]);
  }
  return {
    spec: { kind: 'gan', variant, seed, steps: 3000, beta: variant === 'vanilla' ? 0 : 1, backend: 'auto' },
    variant, seed, engine: 'tfjs', backend: 'cpu', modes, highQuality: 0.5 + 0.1 * rng.uniform() + (variant === 'mice' ? 0.2 : 0), wallMs: 1, samples,
  };
}

/** Write cells (and GAN runs) as DIR/cells/<name>.json, the way the sweep names them. */
export async function writeStore(dir: string, cells: readonly object[], gans: readonly object[] = []): Promise<void> {
  await mkdir(join(dir, 'cells'), { recursive: true });
  let i = 0;
  for (const c of [...cells, ...gans]) {
    const name = `${String(i++).padStart(4, '0')}-${(c as { spec: { estimator?: string; variant?: string } }).spec.estimator ?? 'gan'}.json`;
    await writeFile(join(dir, 'cells', name), JSON.stringify(c));
  }
}

/** A standard benchmark store: five estimators that behave like the paper describes, two critics, two tasks. */
export const PAPER_LIKE: FakeEstimator[] = [
  { estimator: 'nwj', bias: (mi) => -0.05 * mi * mi / 4, sd: (mi) => 0.1 * Math.exp(mi / 4) },
  { estimator: 'smile', boundOptions: { tau: 1 }, bias: () => -0.3, sd: () => 0.4 },
  { estimator: 'smile', bias: (mi) => -0.1 * mi, sd: (mi) => 0.3 * Math.exp(mi / 6) },
  { estimator: 'infonce', bias: (mi, n) => Math.min(0, Math.log(n) - 0.3 - mi) - 0.1, sd: () => 0.1 },
  { estimator: 'mice', bias: (mi) => -0.2 - 0.02 * mi, sd: () => 0.3, divergeAt: (seed) => (seed === 3 ? 900 : null) },
];

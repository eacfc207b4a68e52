/**
 * runGanCell: one GAN run (paper §5.3) in, one GanResult out. Trains on the tfjs engine, then
 * draws `evalSamples` generated points from a separate seeded stream and scores mode coverage
 * and sample quality (./modes.ts).
 */
import type { BackendChoice, EngineChoice, GanResult, GanSpec } from '../types.js';
import { UsageError } from '../errors.js';
import type { GanEngine } from './engine.js';
import { runGridGan } from './loop.js';
import { gridSetup } from './setup.js';
import { TfjsGanEngine } from './tfjsNets.js';
import { createWasmGanEngine } from './wasm.js';
import { GAN_VARIANTS } from '../types.js';
import { initTf } from '../engine/tfjs/backends.js';
import { Rng } from '../rng.js';
import { ganConfig } from './config.js';
import { countModes } from './modes.js';
import { createGan, disposeGan, generate, sampleLatent, trainStep } from './train.js';

export interface GanRunOptions {
  /** Called every `progressEvery` steps (and at the end). */
  onProgress?: (p: { step: number; steps: number; mi: number; lossD: number; lossG: number }) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

export async function runGanCell(spec: GanSpec, options: GanRunOptions = {}): Promise<GanResult> {
  validate(spec);
  if (spec.setup === 'grid') return runGrid(spec, options);
  const cfg = ganConfig(spec);
  const { tf, backend } = await initTf(spec.backend);
  const beta = spec.variant === 'vanilla' ? 0 : spec.beta;
  const t0 = performance.now();
  const criticOptions = spec.miceBlockPartition !== undefined ? { miceBlockPartition: spec.miceBlockPartition } : {};
  const m = createGan(tf, cfg, spec.variant, spec.seed, beta, criticOptions);
  try {
    const miTail: number[] = [];
    const tailFrom = spec.steps - Math.max(1, Math.floor(spec.steps / 10));
    const every = options.progressEvery ?? 100;
    for (let step = 0; step < spec.steps; step++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const log = trainStep(m);
      if (step >= tailFrom && Number.isFinite(log.mi)) miTail.push(log.mi);
      if (options.onProgress && ((step + 1) % every === 0 || step + 1 === spec.steps)) {
        options.onProgress({ step: step + 1, steps: spec.steps, ...log });
      }
    }
    const trainMs = performance.now() - t0;
    const gen = generate(m, sampleLatent(m, cfg.evalSamples, new Rng(['gan-eval', spec.seed])));
    const { modes, highQuality } = countModes(gen, { sigma: cfg.sigma, minPerMode: cfg.minPerMode });
    const keep = Math.min(cfg.keepSamples, cfg.evalSamples);
    const samples: [number, number][] = [];
    for (let i = 0; i < keep; i++) samples.push([round4(gen[2 * i]), round4(gen[2 * i + 1])]);
    const result: GanResult = {
      spec, variant: spec.variant, seed: spec.seed, engine: 'tfjs', backend,
      modes, highQuality, wallMs: Math.round(performance.now() - t0), samples,
      msPerStep: spec.steps > 0 ? trainMs / spec.steps : 0,
    };
    if (miTail.length > 0) result.miEstimate = miTail.reduce((a, b) => a + b, 0) / miTail.length;
    return result;
  } finally {
    disposeGan(m);
  }
}

/** The 'grid' setup on the GAN engine the spec asks for ('auto': wasm when its kernels load, else tfjs). */
async function runGrid(spec: GanSpec, options: GanRunOptions): Promise<GanResult> {
  const engine = await createGanEngine(spec.engine ?? 'auto', spec.backend);
  try {
    return { spec, ...runGridGan(engine, spec, gridSetup(spec), options) };
  } finally {
    engine.dispose();
  }
}

export async function createGanEngine(choice: EngineChoice, backend: BackendChoice): Promise<GanEngine> {
  if (choice === 'webgpu') throw new UsageError('--engine webgpu: the GAN experiment runs on the wasm or tfjs engine (auto, wasm, tfjs)');
  if (choice === 'wasm' || (choice === 'auto' && (backend === 'auto' || backend === 'wasm'))) {
    if (backend !== 'auto' && backend !== 'wasm') throw new UsageError(`--backend ${backend}: the wasm engine runs only on backend 'wasm'`);
    const e = await createWasmGanEngine();
    if (e) return e;
    if (choice === 'wasm') throw new UsageError('--engine wasm: the kernels are not built or this runtime lacks WebAssembly SIMD (run npm run build)');
  }
  const { tf, backend: name } = await initTf(backend);
  return new TfjsGanEngine(tf, name);
}

const round4 = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v);

/** Programming-level checks (the CLI validates user input into UsageErrors first). */
function validate(spec: GanSpec): void {
  if (!GAN_VARIANTS.includes(spec.variant)) throw new RangeError(`gan: unknown variant '${spec.variant}'`);
  if (!Number.isInteger(spec.steps) || spec.steps < 0) throw new RangeError(`gan: steps must be a non-negative integer, got ${spec.steps}`);
  if (!Number.isFinite(spec.beta) || spec.beta < 0) throw new RangeError(`gan: beta must be ≥ 0, got ${spec.beta}`);
  if (spec.batchSize !== undefined && (!Number.isInteger(spec.batchSize) || spec.batchSize < 2)) throw new RangeError(`gan: batchSize must be an integer ≥ 2`);
  if (spec.setup !== undefined && spec.setup !== 'grid') throw new RangeError(`gan: unknown setup '${String(spec.setup)}'`);
  if (spec.setup === undefined) {
    for (const k of ['code', 'engine', 'miceForm', 'tau', 'lr', 'discLr', 'emaDecay', 'schedule'] as const) {
      if (spec[k] !== undefined) throw new RangeError(`gan: '${k}' needs setup 'grid' (the v1 setup is fixed)`);
    }
    if (spec.variant === 'smile' || spec.variant === 'infonce') throw new RangeError(`gan: variant '${spec.variant}' needs setup 'grid'`);
  }
}

/**
 * The engine contract. An engine owns the critic's forward pass, its backward pass for a given
 * dLoss/dS and the Adam step; everything else (data, bounds, bookkeeping) lives in the shared
 * training loop (./train.ts), written once for every engine.
 *
 * Per training step the loop calls, in order:
 *   S = runtime.scores(x, y, n)   // power-iteration step for spectrally normalised layers
 *                                 // (updating their persistent u), then the forward pass
 *   runtime.step(dLossdS)         // backprop through that forward pass, then Adam (minimising)
 * The loss is −objective, so dLossdS = −bound.grad. A layout with an auxiliary network (FLO's u,
 * DoE's marginal) also gives aux() after scores(), and step takes dLossdAux = −bound.auxGrad.
 */
import type { BackendChoice, CellResult, CellSpec } from '../types.js';
import type { TrainOptions } from './train.js';
import type { CriticLayout } from '../critics/layout.js';

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** PyTorch's Adam defaults with the paper's learning rate. */
export const DEFAULT_ADAM: AdamConfig = { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface RuntimeOptions {
  adam: AdamConfig;
  backend: BackendChoice;
  /** Initial u vectors for the spectrally normalised layers, in layout order (see initSpectralU). */
  spectralU: Float32Array[];
  /** Kernel variant hint (the wasm engine: 'relaxed' | 'simd'); engines may ignore it. */
  variant?: string;
  /** Threads for the large matrix products (the wasm engine: 1 or 2; default 1); engines may ignore it. */
  threads?: number;
}

export interface CriticRuntime {
  readonly engine: 'tfjs' | 'wasm';
  /** The backend actually in use, e.g. 'wasm-simd-relaxed', 'tensorflow-gpu', 'tfjs-wasm'. */
  readonly backend: string;
  /**
   * Forward pass; returns S (n×n row-major). The returned array may be reused by the next call.
   * `derangement` (optional, a permutation σ of 0..n−1 without fixed points): only the entries
   * (i, i) and (i, σ(i)) are read afterwards, and only they may carry a gradient in the next
   * step(); an engine may evaluate just those 2n pairs (the wasm joint critic does, leaving NaN
   * elsewhere) or all n² (the others).
   */
  scores(x: Float32Array, y: Float32Array, n: number, derangement?: Int32Array): Float32Array;
  /** Critic evaluations (pairs (x_i, y_j)) in the last scores() call, where the engine counts them. */
  readonly pairsEvaluated?: number;
  /**
   * The auxiliary outputs of the last forward pass (length n), for a layout with `aux` (FLO's
   * u(x_i, y_i), DoE's log p(y_j); src/critics/layout.ts); null or absent otherwise. Engines
   * that cannot train an auxiliary network leave it out (the wasm engine has it).
   */
  aux?(): Float32Array | null;
  /**
   * Backprop dLoss/dS through the last forward pass (and dLoss/dAux into the auxiliary network,
   * when the layout has one), then one Adam step.
   */
  step(dLossdS: Float32Array, dLossdAux?: Float32Array): void;
  /** Current parameters, a copy, flat in the shared layout. */
  params(): Float32Array;
  /** Current power-iteration vectors (copies), layout order. */
  spectralU(): Float32Array[];
  dispose(): void;
}

/** An engine that trains one critic at a time through the shared loop (src/engine/train.ts). */
export interface Engine {
  readonly name: 'tfjs' | 'wasm';
  /** Whether this engine can run here with the given backend choice (no throw). */
  available(backend: BackendChoice): Promise<boolean>;
  /** Build a runtime from initial parameters; throws UsageError for an unavailable explicit backend. */
  create(layout: CriticLayout, params: Float32Array, options: RuntimeOptions): Promise<CriticRuntime>;
}

/**
 * An engine that trains K cells of one shape together (the WebGPU engine, src/engine/webgpu/):
 * the device is asynchronous (its results come back through promises), so it drives its own
 * copy of the shared loop rather than a synchronous CriticRuntime. trainCell gives it one cell;
 * the sweep's GPU lane gives it batches.
 */
export interface BatchEngine {
  readonly name: 'webgpu';
  available(backend: BackendChoice): Promise<boolean>;
  /** Train every cell (same critic shape: src/engine/webgpu/loop.ts batchKey) in one batch. */
  trainBatch(specs: CellSpec[], options?: TrainOptions): Promise<CellResult[]>;
}

export type AnyEngine = Engine | BatchEngine;

export function isBatchEngine(e: AnyEngine): e is BatchEngine {
  return 'trainBatch' in e;
}

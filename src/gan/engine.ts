/**
 * The contract between the GAN experiment's training loop (src/gan/loop.ts) and its two engines:
 * the project's WebAssembly kernels (src/gan/wasm.ts, the default and fast path) and tfjs
 * (src/gan/tfjsNets.ts, for CUDA through tfjs-node-gpu and as the second engine the first is
 * checked against). An engine only runs networks: forward passes that keep their activations,
 * backward passes given ∂L/∂output, Adam, an EMA copy of the weights. Losses, bounds, data and
 * schedules live in the loop, once.
 */
import type { GanNetDef } from './nets.js';

export interface GanAdam { beta1: number; beta2: number; eps: number }

export interface GanNetOptions {
  adam: GanAdam;
  /** Keep an exponential moving average of the parameters (evaluated with forward({ ema: true })). */
  ema?: boolean;
  /** Persistent power-iteration vector when def.spectralNormLast (copied, then updated in place by the engine). */
  spectralU?: Float64Array;
}

export interface GanNet {
  readonly def: GanNetDef;
  /**
   * Forward pass on x [n, def.inp] (row-major), batch norm in training mode (the batch's own
   * statistics, evaluation included). Keeps the activations for backward. Returns [n, def.out];
   * the array may be reused by the next call.
   */
  forward(x: Float32Array, n: number, opts?: { ema?: boolean }): Float32Array;
  /**
   * Backward pass of the last forward (which must not have used the EMA weights), given
   * dOut = ∂L/∂output. params: store ∂L/∂θ (overwriting the previous gradient). input: return
   * ∂L/∂x [n, def.inp].
   */
  backward(dOut: Float32Array, opts: { params: boolean; input: boolean }): Float32Array | undefined;
  /** One Adam step on the stored gradient with learning rate lr (the step counter is the net's own). */
  adam(lr: number): void;
  /** ema ← decay·ema + (1 − decay)·θ. */
  updateEma(decay: number): void;
  /** One power-iteration step for the spectrally normalised last layer (no-op without one). Call once per training step, before the forward passes. */
  refreshSpectralNorm(): void;
  /** Copies, for tests. */
  params(): Float32Array;
  grads(): Float32Array;
  /** Overwrite the parameters (finite-difference tests); Adam's moments and the EMA are left alone. */
  setParams(p: Float32Array): void;
}

export interface GanEngine {
  readonly name: 'wasm' | 'tfjs';
  readonly backend: string;
  createNet(def: GanNetDef, params: Float32Array, options: GanNetOptions): GanNet;
  /** C [m, n] = op(A)·op(B), op(A) = Aᵀ when transA (A stored [k, m]), likewise B. */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array;
  dispose(): void;
}

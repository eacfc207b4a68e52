/**
 * runCell: one cell in, one CellResult out. Builds the critic layout, draws the initial
 * weights and power-iteration vectors from the initialisation stream, picks the engine, trains.
 */
import type { CellResult, CellSpec } from '../types.js';
import { criticLayout, initParams, initSpectralU } from '../critics/layout.js';
import { initStream } from '../rng.js';
import { selectEngine } from './select.js';
import { DEFAULT_ADAM } from './types.js';
import { summarise, trainLoop, type TrainOptions } from './train.js';

export async function runCell(spec: CellSpec, options: TrainOptions = {}): Promise<CellResult> {
  const engine = await selectEngine(spec.engine, spec.backend);
  const layout = criticLayout(spec.critic, spec.dim, spec.hidden, spec.embed, spec.spectralNorm);
  const rng = initStream(spec.seed, spec.critic, spec.dim, spec.hidden, spec.embed);
  const params = initParams(layout, rng);
  const spectralU = initSpectralU(layout, rng);
  const runtime = await engine.create(layout, params, {
    adam: { ...DEFAULT_ADAM, lr: spec.lr }, backend: spec.backend, spectralU,
  });
  try {
    return summarise(spec, runtime, trainLoop(spec, runtime, options));
  } finally {
    runtime.dispose();
  }
}

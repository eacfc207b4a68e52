/**
 * trainCell: one cell on a given engine. Builds the critic layout, draws the initial weights and
 * power-iteration vectors from the initialisation stream, trains with the shared loop and
 * summarises. Kept apart from engine selection (./select.ts, which can load tfjs) so that a
 * bundle for the browser playground (web/) can train a cell on the wasm engine alone, with the
 * same streams and the same loop as `harness run`.
 */
import type { CellResult, CellSpec } from '../types.js';
import type { AnyEngine, RuntimeOptions } from './types.js';
import { isBatchEngine } from './types.js';
import { criticLayout, initParams, initSpectralU, type CriticLayout } from '../critics/layout.js';
import { getBound } from '../bounds/index.js';
import { initStream } from '../rng.js';
import { DEFAULT_ADAM } from './types.js';
import { summarise, trainLoop, type TrainOptions } from './train.js';
import { trainFiniteSample } from './finiteSample.js';

export async function trainCell(
  engine: AnyEngine, spec: CellSpec, options: TrainOptions = {}, engineOptions: Pick<RuntimeOptions, 'variant' | 'threads'> = {},
): Promise<CellResult> {
  if (isBatchEngine(engine)) return (await engine.trainBatch([spec], options))[0];
  const dimY = spec.dimY ?? spec.dim;
  const layout = cellLayout(spec);
  const rng = initStream(spec.seed, spec.critic, spec.dim, spec.hidden, spec.embed, dimY);
  const params = initParams(layout, rng);
  const spectralU = initSpectralU(layout, rng);
  const runtime = await engine.create(layout, params, {
    ...engineOptions, adam: { ...DEFAULT_ADAM, lr: spec.lr }, backend: spec.backend, spectralU,
  });
  try {
    return summarise(spec, runtime, spec.finiteSample ? trainFiniteSample(spec, runtime, options) : trainLoop(spec, runtime, options));
  } finally {
    runtime.dispose();
  }
}

/**
 * A cell's critic layout: its critic kind and shape, and the auxiliary network its bound reads
 * (FLO's u, DoE's marginal: BoundDefinition.aux), after the critic's own tensors.
 */
export function cellLayout(spec: CellSpec): CriticLayout {
  const dimY = spec.dimY ?? spec.dim;
  const aux = getBound(spec.estimator).aux;
  return criticLayout(spec.critic, spec.dim, spec.hidden, spec.embed, spec.spectralNorm, dimY, spec.spectralNormLayers ?? 'last', aux);
}

/** mi-harness: the library's public entry. No I/O happens here or below. */
export * from './types.js';
export { evaluateBound, getBound, type BoundInputs } from './bounds/index.js';
export { runCell } from './engine/run.js';
export { trainLoop, summarise } from './engine/train.js';
export { levelStats } from './engine/levelStats.js';
export { criticLayout, initParams, initSpectralU } from './critics/layout.js';
export { powerIteration, spectralNormExact } from './critics/spectralNorm.js';
export { sampleBatch, rhoForMi, miForRho, miAtStep } from './tasks/index.js';
export { Rng, dataStream, initStream } from './rng.js';
export { UsageError } from './errors.js';
export type { Engine, CriticRuntime, RuntimeOptions, AdamConfig } from './engine/types.js';

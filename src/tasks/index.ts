export { rhoForMi, miForRho } from './gaussian.js';
export { sampleBatch, RANDOM_BATCH_RHO_MAX, type Batch } from './batch.js';
export { miAtStep, DEFAULT_LEVELS, DEFAULT_STEPS_PER_LEVEL } from './staircase.js';

/** The GAN experiment (paper §5.3): public surface. */
export { runGanCell, type GanRunOptions } from './run.js';
export { ganSpec, ganConfig, GAN_DEFAULTS, DEFAULT_GAN_STEPS, DEFAULT_GAN_BETA, type GanConfig } from './config.js';
export { countModes, DEFAULT_MIN_PER_MODE, type ModeCount, type ModeOptions } from './modes.js';
export { GRID_MEANS, GRID_SIGMA, sampleGrid } from './data.js';

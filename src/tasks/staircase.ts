/**
 * The staircase schedule (paper §5.1, Fig. 1): the true MI steps through `levels`
 * (default 2, 4, 6, 8, 10 nats), `stepsPerLevel` training steps each (default 4 000).
 */
export const DEFAULT_LEVELS = [2, 4, 6, 8, 10];
export const DEFAULT_STEPS_PER_LEVEL = 4000;

export function miAtStep(levels: readonly number[], stepsPerLevel: number, step: number): number {
  return levels[Math.min(levels.length - 1, Math.floor(step / stepsPerLevel))];
}

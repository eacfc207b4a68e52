/**
 * H(Y) for a cell, for the Barber–Agakov bound (src/bounds/ba.ts): the task's known marginal
 * entropy of y (TaskDefinition.entropyY; the built-in staircases at the cell's d, the mixtures).
 * Refused with a one-line UsageError where it is not known, and under BMI's finite-sample
 * protocol, whose per-coordinate standardisation by the sample's own standard deviations moves
 * H(Y) by a random amount (−Σ_k log sd_k) that no task states.
 */
import type { CellSpec } from '../types.js';
import { UsageError } from '../errors.js';
import { builtinStaircase, getTask, isBuiltinStaircase } from './registry.js';

export function taskEntropyY(spec: Pick<CellSpec, 'task' | 'dim' | 'finiteSample'>): number {
  if (spec.finiteSample) {
    throw new UsageError("ba: the finite-sample protocol (--sample-size) standardises y by the sample's own spread, so H(Y) is not known; run ba without it");
  }
  const task = isBuiltinStaircase(spec.task) ? builtinStaircase(spec.task, spec.dim) : getTask(spec.task)?.task;
  const h = task?.entropyY;
  if (typeof h !== 'number' || !Number.isFinite(h)) {
    throw new UsageError(`ba: task '${spec.task}' does not state the entropy H(Y) of its y (TaskDefinition.entropyY), which Barber–Agakov needs`);
  }
  return h;
}

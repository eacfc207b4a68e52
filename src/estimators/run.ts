/**
 * One KSG job: the fixed, standardised sample a finite-sample cell at this seed draws
 * (../tasks/draw.ts fixedSample, first in the seed's data stream), then KSG on all of it, as BMI
 * runs its KSG estimators on the whole sample.
 */
import type { KsgResult, KsgSpec } from '../types.js';
import { dataStream } from '../rng.js';
import { fixedSample, requireTask } from '../tasks/draw.js';
import { ksg, KSG_TREE_MAX_DIM } from './ksg.js';

export function runKsgJob(spec: KsgSpec): KsgResult {
  const task = requireTask(spec.task);
  if (task.trueMi === undefined) throw new Error(`ksg: task '${spec.task}' has no fixed true MI`);
  const t0 = performance.now();
  const s = fixedSample(spec.task, dataStream(spec.seed), spec.size, task.trueMi);
  const estimate = ksg(s.x, s.y, spec.size, s.dimX, s.dimY, spec.k);
  return {
    spec, task: spec.task, seed: spec.seed, engine: 'js', backend: s.dimX + s.dimY <= KSG_TREE_MAX_DIM ? 'kd-tree' : 'pairwise',
    estimate, trueMi: task.trueMi,
    dimX: s.dimX, dimY: s.dimY, wallMs: performance.now() - t0,
  };
}

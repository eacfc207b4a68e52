/**
 * Registry of bounds. Each estimator lives in its own file (./<name>.ts) as a pure function of
 * the n×n score matrix; see BoundDefinition in ../types.ts for the contract.
 */
import type { BoundDefinition, BoundOptions, EstimatorName } from '../types.js';
import { ESTIMATORS } from '../types.js';
import { nwj } from './nwj.js';
import { dv } from './dv.js';
import { mine } from './mine.js';
import { smile } from './smile.js';
import { infonce } from './infonce.js';
import { js } from './js.js';
import { tuba } from './tuba.js';
import { mice } from './mice.js';
import { alphaInfonce } from './alphaInfonce.js';
import { flatnce } from './flatnce.js';
import { parseEstimator } from './names.js';

export { parseEstimator };

const REGISTRY: Record<EstimatorName, BoundDefinition> = {
  nwj, dv, mine, smile, infonce, js, tuba, mice, 'alpha-infonce': alphaInfonce, flatnce,
};

export function getBound(name: EstimatorName): BoundDefinition {
  const b = REGISTRY[name];
  if (!b) throw new Error(`unknown estimator '${name}' (known: ${ESTIMATORS.join(', ')})`);
  return b;
}

/** Evaluate a bound on a square score matrix given as rows (the package's public helper). */
export function evaluateBound(name: EstimatorName, scores: number[][], options?: BoundOptions): { estimate: number } {
  const n = scores.length;
  const flat = new Float64Array(n * n);
  scores.forEach((row, i) => {
    if (row.length !== n) throw new RangeError(`scores must be square: row ${i} has ${row.length} entries, expected ${n}`);
    flat.set(row, i * n);
  });
  return { estimate: getBound(parseEstimator(name)).evaluate(flat, n, options).estimate };
}

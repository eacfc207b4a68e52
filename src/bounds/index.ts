/**
 * Registry of bounds. Each estimator lives in its own file (./<name>.ts) as a pure function of
 * the n×n score matrix; see BoundDefinition in ../types.ts for the contract.
 */
import type { BoundDefinition, BoundOptions, EstimatorName } from '../types.js';
import { ESTIMATORS } from '../types.js';
// BOUND-IMPORTS (the bounds helper fills these in)

const REGISTRY: Partial<Record<EstimatorName, BoundDefinition>> = {};

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
  return { estimate: getBound(name).evaluate(flat, n, options).estimate };
}

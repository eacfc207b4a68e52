/**
 * Registry of bounds. Each estimator lives in its own file (./<name>.ts) as a pure function of
 * the n×n score matrix; see BoundDefinition in ../types.ts for the contract.
 */
import type { BoundDefinition, BoundOptions, EstimatorId, EstimatorName } from '../types.js';
import { ALL_ESTIMATORS } from '../types.js';
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
import { fdime } from './fdime.js';
import { assertDerangementSupported, checkDerangement, derangedScores } from './derangement.js';
import { flo } from './flo.js';
import { ba } from './ba.js';
import { club } from './club.js';
import { l1out } from './l1out.js';
import { doe } from './doe.js';
import { parseEstimator } from './names.js';

export { parseEstimator };

const REGISTRY: Record<EstimatorName, BoundDefinition> = {
  nwj, dv, mine, smile, infonce, js, tuba, mice, 'alpha-infonce': alphaInfonce, flatnce,
  fdime, flo, ba, club, l1out, doe,
};

/** Bounds registered by plugins (harness --plugin), by name, with their plugin file's sha256. */
const PLUGINS = new Map<string, { bound: BoundDefinition; pluginHash: string }>();

export function isBuiltinEstimator(name: string): name is EstimatorName {
  return Object.prototype.hasOwnProperty.call(REGISTRY, name);
}

export function getBound(name: EstimatorId): BoundDefinition {
  const b = isBuiltinEstimator(name) ? REGISTRY[name] : PLUGINS.get(name)?.bound;
  if (!b) throw new Error(`unknown estimator '${name}' (known: ${knownEstimators().join(', ')})`);
  return b;
}

/** Register a plugin's bound; its name must not be taken (the CLI checks first, for a clean message). */
export function registerBound(bound: BoundDefinition, pluginHash: string): void {
  if (isBuiltinEstimator(bound.name) || PLUGINS.has(bound.name)) throw new Error(`estimator '${bound.name}' is already registered`);
  PLUGINS.set(bound.name, { bound, pluginHash });
}

/** The sha256 of the plugin file a bound came from, or undefined for a built-in. */
export function boundPluginHash(name: string): string | undefined {
  return PLUGINS.get(name)?.pluginHash;
}

export function clearPluginBounds(): void {
  PLUGINS.clear();
}

/** Built-in estimators (the paper's zoo, then NEWER_ESTIMATORS), then plugin bounds in registration order. */
export function knownEstimators(): string[] {
  return [...ALL_ESTIMATORS, ...PLUGINS.keys()];
}

/** What evaluateBound may take besides S: a derangement σ, and the auxiliary outputs. */
export interface BoundInputs {
  /**
   * σ, a permutation of 0..n−1 without fixed points: the estimator whose product-of-marginals
   * samples are the pairs (x_i, y_σ(i)) (./derangement.ts), for the bounds that support it; only
   * the entries (i, i) and (i, σ(i)) of scores are read then.
   */
  derangement?: ArrayLike<number>;
  /** The n auxiliary outputs of a bound with `aux` (FLO's u_i, DoE's log p(y_j)). */
  aux?: ArrayLike<number>;
}

/**
 * Evaluate a bound on a square score matrix given as rows (the package's public helper);
 * options.entropyY for ba.
 */
export function evaluateBound(name: EstimatorId, scores: number[][], options?: BoundOptions, inputs: BoundInputs = {}): { estimate: number } {
  const n = scores.length;
  const flat = new Float64Array(n * n);
  scores.forEach((row, i) => {
    if (row.length !== n) throw new RangeError(`scores must be square: row ${i} has ${row.length} entries, expected ${n}`);
    flat.set(row, i * n);
  });
  const bound = getBound(parseEstimator(name, knownEstimators()));
  const { derangement, aux } = inputs;
  if (aux && aux.length !== n) throw new RangeError(`aux must have one entry per row: ${aux.length} entries, expected ${n}`);
  let S: Float64Array = flat;
  if (derangement) {
    assertDerangementSupported(bound, name);
    checkDerangement(derangement, n);
    S = derangedScores(flat, n, derangement, new Float64Array(n * n));
  }
  return { estimate: bound.evaluate(S, n, options, undefined, undefined, aux ? Float64Array.from(aux) : undefined).estimate };
}

/** Whether a registered bound is reported as an upper bound (CLUB, L1Out); false for an unknown name. */
export function isUpperBound(name: string): boolean {
  const b = isBuiltinEstimator(name) ? REGISTRY[name] : PLUGINS.get(name)?.bound;
  return b?.upperBound === true;
}

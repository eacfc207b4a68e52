/** Parse a user-supplied estimator name (CLI flag, config key) into a registered estimator's name. */
import { ESTIMATORS, type EstimatorName } from '../types.js';
import { UsageError } from '../errors.js';

export function parseEstimator(name: string, known: readonly string[] = ESTIMATORS): EstimatorName {
  if (known.includes(name)) return name as EstimatorName;
  throw new UsageError(`--estimator: unknown estimator '${name}' (known: ${known.join(', ')})`);
}

/** Parse a user-supplied estimator name (CLI flag, config key) into an EstimatorName. */
import { ESTIMATORS, type EstimatorName } from '../types.js';
import { UsageError } from '../errors.js';

export function parseEstimator(name: string): EstimatorName {
  if ((ESTIMATORS as readonly string[]).includes(name)) return name as EstimatorName;
  throw new UsageError(`--estimator: unknown estimator '${name}' (known: ${ESTIMATORS.join(', ')})`);
}

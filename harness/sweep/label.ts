/** Human-readable names for jobs and for the groups the summary averages over (seeds). */
import type { Job } from './grid.js';
import { isGan, isKsg } from './grid.js';
import { variantLabel } from '../../src/variant.js';
import { ganVariantLabel } from '../../src/labels.js';

export function jobLabel(job: Job): string {
  if (isGan(job)) {
    if (job.setup === undefined) return `gan:${job.variant} seed=${job.seed}`;
    const beta = job.variant === 'vanilla' ? '' : ` β=${job.beta}`;
    return `gan:${ganVariantLabel(job)}${beta} ${job.code ?? 'continuous'} seed=${job.seed}`;
  }
  if (isKsg(job)) return `ksg:k=${job.k} ${job.task} N=${job.size} seed=${job.seed}`;
  return `${variantLabel(job)} ${job.critic} ${job.task} ρb=${job.batchRho} n=${job.batchSize}${job.boundPrecision === 'float32' ? ' float32-bound' : ''} seed=${job.seed}`;
}

/**
 * Shards: shard i of n (1-based) takes the jobs whose position in the hash-sorted job list is
 * ≡ i−1 (mod n). Same grid + same code → same slices on every machine, and the n slices
 * partition the grid, so merging the shards' stores gives the unsharded store.
 *
 * Sources, first match wins: --shard i/n; a Slurm job array (SLURM_ARRAY_TASK_ID,
 * SLURM_ARRAY_TASK_COUNT, and SLURM_ARRAY_TASK_MIN / _STEP when the array does not start at 0
 * or steps); a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, 0-based, plus
 * MI_HARNESS_SHARD_COUNT, which you set to the Job's `completions`). `--shard off` ignores
 * the environment.
 */
import { UsageError } from '../../src/errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
  source: string;
}

export const SHARD_COUNT_ENV = 'MI_HARNESS_SHARD_COUNT';

export function resolveShard(flag: string | undefined, env: Record<string, string | undefined>): Shard | null {
  if (flag !== undefined) {
    if (flag === 'off') return null;
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!m) throw new UsageError(`--shard: expected i/n (e.g. 2/8, 1-based) or 'off', got '${flag}'`);
    return check(Number(m[1]), Number(m[2]), '--shard', '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const id = int(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : int(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : int(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP');
    if (step < 1 || (id - min) % step !== 0) throw new UsageError(`SLURM_ARRAY_TASK_ID=${id} is not on the array's grid (min ${min}, step ${step})`);
    return check((id - min) / step + 1, int(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT'), 'SLURM_ARRAY_TASK_ID', 'Slurm array');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const count = env[SHARD_COUNT_ENV];
    if (count === undefined) throw new UsageError(`JOB_COMPLETION_INDEX is set but ${SHARD_COUNT_ENV} is not: set it to the Job's completions (or pass --shard off)`);
    return check(int(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX') + 1, int(count, SHARD_COUNT_ENV), 'JOB_COMPLETION_INDEX', 'Kubernetes Indexed Job');
  }
  return null;
}

function int(raw: string, name: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name}: expected a non-negative integer, got '${raw}'`);
  return Number(raw);
}

function check(index: number, count: number, name: string, source: string): Shard {
  if (count < 1) throw new UsageError(`${name}: shard count must be >= 1, got ${count}`);
  if (index < 1 || index > count) throw new UsageError(`${name}: shard ${index} is outside 1..${count}`);
  return { index, count, source };
}

/** The shard's slice of the hash-sorted list. */
export function shardSlice<T>(sortedByHash: readonly T[], shard: Shard | null): T[] {
  if (!shard) return [...sortedByHash];
  return sortedByHash.filter((_, pos) => pos % shard.count === shard.index - 1);
}

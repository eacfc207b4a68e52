/**
 * The field's staircase tasks beyond the paper's two: the transformed staircases of the f-DIME
 * code (Letizia, Novello & Tonello, NeurIPS 2024; nicolaNovello/fDIME): asinh (./asinh.ts),
 * half-cube (./halfCube.ts) and Student-t (./studentT.ts). Like the paper's Gaussian and Cubic,
 * their dimension is the cell's `dim` and their MI is set per level (paper §5.1, levels 2..10).
 * This table says, per task, how a batch is drawn, whether ρ_batch is defined, which levels are
 * reachable and how the true MI of a level is obtained. The paper's tasks are not here: their
 * sampler (./batch.ts) stays exactly as published.
 */
import type { FieldStaircaseName, TaskDefinition, TaskId, TaskRng, TaskSampleOptions } from '../types.js';
import { FIELD_STAIRCASES } from '../types.js';
import type { Rng } from '../rng.js';
import { UsageError } from '../errors.js';
import { sampleBatch } from './batch.js';
import { rhoForMi } from './gaussian.js';
import { asinhInPlace } from './asinh.js';
import { halfCubeInPlace } from './halfCube.js';
import { fieldStaircaseEntropyY } from './fieldEntropy.js';
import { sampleStudentStaircase, studentLevelProblem, studentRhoForMi, STUDENT_T_DF } from './studentT.js';

export interface FieldStaircase {
  id: FieldStaircaseName;
  description: string;
  /** How a level's true MI is obtained (`harness tasks --json`). */
  trueMiMethod: string;
  /** ρ_batch (paper eq. 18–19) is defined: the task is a transform of the Gaussian task's sample. */
  batchRho: boolean;
  /** Why level `mi` cannot be set at dimension `dim`, or null when it can. */
  levelProblem(mi: number, dim: number): string | null;
  /** The correlation a level sets: the Gaussian core's ρ (Student-t: the dispersion's). */
  rho(mi: number, dim: number): number;
  sample(rng: Pick<Rng, 'normal' | 'range'>, n: number, dim: number, mi: number, batchRho: number | 'random'): { x: Float32Array; y: Float32Array };
}

const gaussianLevel = (mi: number): string | null => (Number.isFinite(mi) && mi >= 0 ? null : `MI must be a finite number >= 0, got ${mi}`);

/** The Gaussian task's batch with `f` applied to every coordinate of x and y. */
function transformedGaussian(f: (a: Float32Array) => void) {
  return (rng: Pick<Rng, 'normal' | 'range'>, n: number, dim: number, mi: number, batchRho: number | 'random') => {
    const b = sampleBatch('gaussian', rng, n, dim, mi, batchRho);
    f(b.x);
    f(b.y);
    return { x: b.x, y: b.y };
  };
}

const INVARIANT = 'the level itself: the Gaussian task\'s MI −(d/2)·log(1 − ρ²), unchanged by an invertible map of each side';

export const FIELD_STAIRCASE_DEFS: Record<FieldStaircaseName, FieldStaircase> = {
  asinh: {
    id: 'asinh',
    description: 'the Gaussian task with t ↦ asinh t on every coordinate of x and y (f-DIME code, mode "asinh"); MI set per level',
    trueMiMethod: INVARIANT,
    batchRho: true,
    levelProblem: gaussianLevel,
    rho: (mi, dim) => rhoForMi(mi, dim),
    sample: transformedGaussian(asinhInPlace),
  },
  'half-cube': {
    id: 'half-cube',
    description: 'the Gaussian task with t ↦ t·√|t| on every coordinate of x and y (f-DIME code, mode "half-cube"); MI set per level',
    trueMiMethod: INVARIANT,
    batchRho: true,
    levelProblem: gaussianLevel,
    rho: (mi, dim) => rhoForMi(mi, dim),
    sample: transformedGaussian(halfCubeInPlace),
  },
  'student-t': {
    id: 'student-t',
    description: `(x, y) multivariate Student-t, ν = ${STUDENT_T_DF}, dispersion [[I, ρI], [ρI, I]] (f-DIME code, sample_student); ρ set per level from the closed-form MI`,
    trueMiMethod: `closed form: −(d/2)·log(1 − ρ²) + c(ν, d), c = 2h_ν(d) − h_ν(2d) (t entropies; digamma, log-gamma); ρ solved per level; levels below c(${STUDENT_T_DF}, d) unreachable`,
    batchRho: false,
    levelProblem: (mi, dim) => gaussianLevel(mi) ?? studentLevelProblem(mi, dim),
    rho: (mi, dim) => studentRhoForMi(mi, dim),
    sample: (rng, n, dim, mi, batchRho) => {
      if (batchRho !== 0) throw new UsageError(`task 'student-t': ρ_batch is not defined for it (not a transform of the Gaussian task); it needs 0, got ${batchRho}`);
      return sampleStudentStaircase(rng, n, dim, mi);
    },
  },
};

export function isFieldStaircase(id: TaskId): id is FieldStaircaseName {
  return (FIELD_STAIRCASES as readonly string[]).includes(id);
}

/** The field staircase `id` at dimension d (x, y ∈ R^d). */
export function fieldStaircaseTask(id: FieldStaircaseName, dim: number): TaskDefinition {
  const def = FIELD_STAIRCASE_DEFS[id];
  return {
    id, family: 'staircase', description: def.description, dimX: dim, dimY: dim, trueMiMethod: def.trueMiMethod,
    entropyY: fieldStaircaseEntropyY(id, dim),
    sample(n: number, rng: TaskRng, o: TaskSampleOptions) {
      // sampleBatch draws ρ_batch with range(); the same arithmetic as Rng.range on TaskRng's uniform.
      const r = { normal: () => rng.normal(), range: (lo: number, hi: number) => lo + (hi - lo) * rng.uniform() };
      return def.sample(r, n, dim, o.mi, o.batchRho);
    },
  };
}

/**
 * Student-t staircase (the f-DIME code, nicolaNovello/fDIME utils.py sample_student and
 * compute_MI_given_df_stud; Letizia, Novello & Tonello, NeurIPS 2024), put on the paper's
 * staircase protocol (§5.1: MI 2, 4, 6, 8, 10 nats; d = the cell's dim).
 *
 * Distribution: (X, Y) ∈ R^d × R^d jointly multivariate Student-t with ν degrees of freedom,
 * location 0 and dispersion Ω = [[I, ρI], [ρI, I]]: x = z_x·s, y = (ρ z_x + √(1 − ρ²) z_y)·s with
 * z ~ N(0, I) and ONE scale s = √(ν/χ²_ν) per pair, shared by x and y (the textbook construction;
 * scipy's multivariate_t, which the f-DIME code calls, draws it the same way).
 *
 * True MI, closed form (Arellano-Valle, Contreras-Reyes & Genton 2013; the f-DIME code's
 * compute_MI_given_df_stud writes it as the Gaussian MI of ρ plus h_x + h_y − h_xy):
 *   I(ν, ρ, d) = −(d/2) log(1 − ρ²) + c(ν, d),   c(ν, d) = 2 h_ν(d) − h_ν(2d),
 *   h_ν(k) = −log Γ((ν+k)/2) + log Γ(ν/2) + (k/2) log(νπ) + ((ν+k)/2)(ψ((ν+k)/2) − ψ(ν/2)),
 * h_ν(k) the differential entropy of a standard k-dimensional t_ν (BMI's formula, reused from
 * src/tasks/bmi/student.ts). This is NOT the Gaussian MI: the shared scale s alone carries
 * c(ν, d) > 0 nats even at ρ = 0 (at ν = 3: 0.2985 at d = 5, 0.7926 at d = 20, 1.5323 at d = 100).
 *
 * Parameterisation. The f-DIME code keeps Ω = I (ρ = 0) and steps ν through 3, 2, 1 at d = 5,
 * i.e. MI c(ν, 5) = 0.30, 0.45, 0.80 nats; ν alone reaches 2–10 nats only for ν ≪ 1 (ν ≈ 0.45
 * for 2 nats at d = 20, far smaller above), where χ²_ν underflows to 0 and samples become
 * infinite. So here ν is fixed at 3 (the code's first level: the heaviest tails that still have a
 * finite variance) and each level I sets the dispersion's correlation by solving the closed form:
 *   ρ = √(1 − exp(−2 (I − c(3, d)) / d)).
 * Reachable levels: exactly I ≥ c(3, d) (ρ = 0 at equality). Every paper level 2..10 is reachable
 * for d ≤ 260 (c(3, 260) = 1.9994; c(3, 261) = 2.0013); level 1, which `harness check-plugin`'s
 * task check samples, for d ≤ 32. A level below c(3, d) is refused with a one-line UsageError
 * (exit 2) naming the level, d and the lowest reachable MI.
 *
 * ρ_batch (paper eq. 18–19) is not defined here: the task is not a transform of the Gaussian
 * task (an AR(1) chain of the cores with an independent scale per row is some other process, with
 * no stated MI), so only ρ_batch = 0 is accepted (harness/spec.ts refuses others on one line).
 *
 * Draw order, fixed: the Gaussian task's draws for the core (sampleBatch('gaussian') at MI
 * I − c(3, d), ρ_batch 0: every x normal, then every y noise normal), then ν normals per pair, in
 * pair order, for χ²_ν (a sum of ν squared normals, ν being an integer).
 */
import type { Rng } from '../rng.js';
import { UsageError } from '../errors.js';
import { sampleBatch } from './batch.js';
import { studentMiCorrection } from './bmi/student.js';
import { miForRho, rhoForMi } from './gaussian.js';

/** ν of the Student-t staircase: the first level of the f-DIME code's (3, 2, 1). */
export const STUDENT_T_DF = 3;

/** c(ν, d): the MI of the dispersion-free part (ρ = 0), the lowest level reachable at d. */
export function studentStaircaseFloor(dim: number, nu = STUDENT_T_DF): number {
  return studentMiCorrection(nu, dim, dim);
}

/** I(ν, ρ, d) of the closed form above. */
export function studentStaircaseMi(rho: number, dim: number, nu = STUDENT_T_DF): number {
  return miForRho(rho, dim) + studentStaircaseFloor(dim, nu);
}

/**
 * Why the level `mi` cannot be set at dimension `dim`, or null when it can. Rounding: a level
 * within 1e-12 nats below the floor counts as the floor (ρ = 0).
 */
export function studentLevelProblem(mi: number, dim: number): string | null {
  const floor = studentStaircaseFloor(dim);
  if (Number.isFinite(mi) && mi >= floor - 1e-12) return null;
  return `task 'student-t' cannot reach MI ${mi} nats at d = ${dim}: its lowest level there is c(ν = ${STUDENT_T_DF}, d = ${dim}) = ${floor.toFixed(4)} nats (dispersion correlation ρ = 0)`;
}

/** The dispersion correlation ρ giving MI `mi` at `dim`; UsageError when the level is unreachable. */
export function studentRhoForMi(mi: number, dim: number): number {
  const problem = studentLevelProblem(mi, dim);
  if (problem) throw new UsageError(problem);
  return rhoForMi(Math.max(0, mi - studentStaircaseFloor(dim)), dim);
}

export function sampleStudentStaircase(
  rng: Pick<Rng, 'normal' | 'range'>, n: number, dim: number, mi: number,
): { x: Float32Array; y: Float32Array } {
  const problem = studentLevelProblem(mi, dim);
  if (problem) throw new UsageError(problem);
  // sampleBatch sets ρ = rhoForMi(I − c, d), the same ρ studentRhoForMi reports.
  const b = sampleBatch('gaussian', rng, n, dim, Math.max(0, mi - studentStaircaseFloor(dim)), 0);
  for (let i = 0; i < n; i++) {
    let chi2 = 0;
    for (let k = 0; k < STUDENT_T_DF; k++) { const g = rng.normal(); chi2 += g * g; }
    const s = Math.sqrt(STUDENT_T_DF / chi2);
    for (let k = i * dim; k < (i + 1) * dim; k++) { b.x[k] *= s; b.y[k] *= s; }
  }
  return { x: b.x, y: b.y };
}

/**
 * H(Y) of the field's staircases, for the Barber–Agakov bound (src/bounds/ba.ts), which needs the
 * entropy of y's marginal. Each is level-free: the staircases move only the dependence.
 *
 *  - asinh: y = asinh(g), g ~ N(0, I_d) coordinate by coordinate. For an invertible map,
 *    H(f(G)) = H(G) + E[log |f'(G)|], and asinh'(g) = 1/√(1 + g²), so per coordinate
 *    H = ½ log(2πe) − ½ E[log(1 + G²)], the expectation by quadrature (below).
 *  - half-cube: f(g) = g·√|g|, f'(g) = (3/2)·√|g|, E[log |G|] = −(γ + log 2)/2, so per coordinate
 *    H = ½ log(2πe) + log(3/2) − (γ + log 2)/4.
 *  - student-t: y = (ρ z_x + √(1−ρ²) z_y)·s with s = √(ν/χ²_ν) shared by the d coordinates is a
 *    standard d-dimensional Student-t whatever ρ is, so H(Y) = h_ν(d), its closed form
 *    (src/tasks/bmi/student.ts; Kotz & Nadarajah 2004).
 */
import type { FieldStaircaseName } from '../types.js';
import { studentEntropy } from './bmi/student.js';
import { STUDENT_T_DF } from './studentT.js';

const EULER_GAMMA = 0.5772156649015329;
const HALF_LOG_2PIE = 0.5 * Math.log(2 * Math.PI * Math.E);

/**
 * E[log(1 + G²)], G ~ N(0, 1): composite Simpson over [−14, 14] (the tails beyond carry less than
 * 1e-40 of the mass), 2¹⁶ panels: error far below float64 display (checked by the test against a
 * second rule).
 */
function expectedLog1pSquare(): number {
  const L = 14, panels = 1 << 16, h = (2 * L) / panels;
  const f = (g: number) => Math.exp(-0.5 * g * g) * Math.log1p(g * g);
  let s = f(-L) + f(L);
  for (let k = 1; k < panels; k++) s += (k % 2 ? 4 : 2) * f(-L + k * h);
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

let eLog1p: number | null = null;

export function asinhEntropyY(dim: number): number {
  eLog1p ??= expectedLog1pSquare();
  return dim * (HALF_LOG_2PIE - 0.5 * eLog1p);
}

export function halfCubeEntropyY(dim: number): number {
  return dim * (HALF_LOG_2PIE + Math.log(1.5) - (EULER_GAMMA + Math.LN2) / 4);
}

export function studentStaircaseEntropyY(dim: number): number {
  return studentEntropy(dim, STUDENT_T_DF);
}

export function fieldStaircaseEntropyY(id: FieldStaircaseName, dim: number): number {
  return id === 'asinh' ? asinhEntropyY(dim) : id === 'half-cube' ? halfCubeEntropyY(dim) : studentStaircaseEntropyY(dim);
}

/**
 * The BMI benchmark suite: the 40 tasks of BMI's BENCHMARK_TASKS_LIST (cbg-ethz/bmi
 * src/bmi/benchmark/task_list.py; Czyż et al., "Beyond Normal", NeurIPS 2023, Table 1), with
 * BMI's parameters and ground truth computed as BMI computes it (closed forms; see the family
 * files). Ids are ours ('bmi:' + a readable slug); `bmiId` is BMI's own task id, for matching
 * results with theirs. Samples come from our seeded streams, not JAX's, so a seed here does not
 * reproduce BMI's exact points — only their distribution.
 */
import type { TaskDefinition } from '../../types.js';
import { additiveNoise } from './additiveNoise.js';
import { bivariateNormal, denseCovariance, splitMultinormal, twoPairCorrelation } from './multinormal.js';
import type { Sampler } from './sampler.js';
import { transformed } from './sampler.js';
import { studentIdentity } from './student.js';
import {
  asinhMap, bimodalMapX, bimodalMapY, halfCube, halfCubeMap, normalCdfMap, spiralMap, swissRollMap, wigglyX, wigglyY,
} from './transforms.js';
import { elementwise } from './sampler.js';

export interface BmiTask extends TaskDefinition {
  trueMi: number;
  /** BMI's task id (task_list.py), e.g. '1v1-normal-0.75'. */
  bmiId: string;
  /** BMI's display name, e.g. 'Bivariate normal 1 × 1'. */
  bmiName: string;
}

/** BMI's GAUSSIAN_CORRELATION for the one-dimensional tasks. */
export const GAUSSIAN_CORRELATION = 0.75;

interface Built { slug: string; family: string; bmiId: string; bmiName: string; sampler: Sampler }

function task(b: Built): BmiTask {
  const s = b.sampler;
  return {
    id: `bmi:${b.slug}`, family: b.family, description: b.bmiName, bmiId: b.bmiId, bmiName: b.bmiName,
    dimX: s.dimX, dimY: s.dimY, trueMi: s.mi,
    sample: (n, rng) => s.sample(n, rng),
  };
}

const dims = (a: number, b: number) => `${a}x${b}`;
const times = (a: number, b: number) => `${a} × ${b}`;

function buildSuite(): BmiTask[] {
  const out: Built[] = [];
  // --- one-dimensional tasks (ONE_DIM_TASKS) ---
  const binormal: Built = { slug: 'binormal', family: 'one-dimensional', bmiId: '1v1-normal-0.75', bmiName: 'Bivariate normal 1 × 1', sampler: bivariateNormal(GAUSSIAN_CORRELATION) };
  const uniform: Built = { slug: 'uniform', family: 'one-dimensional', bmiId: 'normal_cdf-1v1-normal-0.75', bmiName: 'Uniform 1 × 1', sampler: transformed(binormal.sampler, normalCdfMap(1), normalCdfMap(1)) };
  const student11: Built = { slug: 'student-1x1-df1', family: 'one-dimensional', bmiId: 'student-identity-1-1-1', bmiName: 'Student-t 1 × 1 (dof=1)', sampler: studentIdentity(1, 1, 1) };
  out.push(binormal, uniform);
  for (const eps of [0.1, 0.75]) {
    out.push({ slug: `additive-noise-${eps}`, family: 'one-dimensional', bmiId: `1v1-additive-${eps}`, bmiName: `Uniform 1 × 1 (additive noise=${eps})`, sampler: additiveNoise(eps) });
  }
  out.push({ slug: 'bimodal', family: 'one-dimensional', bmiId: '1v1-bimodal-0.75', bmiName: 'Bimodal 1 × 1', sampler: transformed(uniform.sampler, bimodalMapX, bimodalMapY) });
  out.push({ slug: 'wiggly', family: 'one-dimensional', bmiId: 'wiggly-1v1-normal-0.75', bmiName: 'Wiggly @ Bivariate normal 1 × 1', sampler: transformed(binormal.sampler, elementwise(wigglyX, 1), elementwise(wigglyY, 1)) });
  out.push({ slug: 'half-cube', family: 'one-dimensional', bmiId: 'half_cube-1v1-normal-0.75', bmiName: 'Half-cube @ Bivariate normal 1 × 1', sampler: transformed(binormal.sampler, elementwise(halfCube, 1), elementwise(halfCube, 1)) });
  out.push(student11);
  out.push({ slug: 'asinh-student-1x1-df1', family: 'one-dimensional', bmiId: 'asinh-student-identity-1-1-1', bmiName: 'Asinh @ Student-t 1 × 1 (dof=1)', sampler: transformed(student11.sampler, asinhMap(1), asinhMap(1)) });
  // --- embeddings (EMBEDDINGS_TASKS) ---
  out.push({ slug: 'swissroll-2x1', family: 'embedding', bmiId: 'swissroll_x-normal_cdf-1v1-normal-0.75', bmiName: 'Swiss roll 2 × 1', sampler: transformed(uniform.sampler, swissRollMap, null) });
  // --- multinormal (MULTINORMAL_TASKS) ---
  for (const d of [2, 3, 5, 25, 50]) {
    out.push({ slug: `multinormal-dense-${dims(d, d)}`, family: 'multinormal', bmiId: `multinormal-dense-${d}-${d}-0.5`, bmiName: `Multinormal ${times(d, d)} (dense)`, sampler: splitMultinormal(d, d, denseCovariance(2 * d, 0.5)) });
  }
  const twoPair = new Map<number, Built>();
  for (const d of [2, 3, 5, 25]) {
    const b: Built = { slug: `multinormal-2pair-${dims(d, d)}`, family: 'multinormal', bmiId: `multinormal-sparse-${d}-${d}-2-2.0`, bmiName: `Multinormal ${times(d, d)} (2-pair)`, sampler: splitMultinormal(d, d, twoPairCorrelation(d, d, 2)) };
    twoPair.set(d, b);
    out.push(b);
  }
  // --- Student-t (STUDENT_TASKS) ---
  const students = new Map<string, Built>();
  for (const [d, nu] of [[2, 1], [2, 2], [3, 2], [3, 3], [5, 2], [5, 3]] as const) {
    const b: Built = { slug: `student-${dims(d, d)}-df${nu}`, family: 'student-t', bmiId: `student-identity-${d}-${d}-${nu}`, bmiName: `Student-t ${times(d, d)} (dof=${nu})`, sampler: studentIdentity(d, d, nu) };
    students.set(`${d}-${nu}`, b);
    out.push(b);
  }
  // --- transformed (TRANSFORMED_TASKS) ---
  const base = (d: number) => twoPair.get(d)!;
  const sizes = [3, 5, 25];
  for (const d of sizes) {
    const b = base(d);
    out.push({ slug: `normal-cdf-${b.slug}`, family: 'transformed', bmiId: `normal_cdf-${b.bmiId}`, bmiName: `Normal CDF @ ${b.bmiName}`, sampler: transformed(b.sampler, normalCdfMap(d), normalCdfMap(d)) });
  }
  for (const d of sizes) {
    const b = base(d);
    out.push({ slug: `half-cube-${b.slug}`, family: 'transformed', bmiId: `half_cube-${b.bmiId}`, bmiName: `Half-cube @ ${b.bmiName}`, sampler: transformed(b.sampler, halfCubeMap(d), halfCubeMap(d)) });
  }
  const spiral = (s: Sampler) => transformed(s, spiralMap(s.dimX, 0, 1), spiralMap(s.dimY, 1, 2));
  for (const d of sizes) {
    const b = base(d);
    out.push({ slug: `spiral-${b.slug}`, family: 'transformed', bmiId: `spiral-${b.bmiId}`, bmiName: `Spiral @ ${b.bmiName}`, sampler: spiral(b.sampler) });
  }
  for (const d of sizes) {
    const b = base(d);
    out.push({ slug: `spiral-normal-cdf-${b.slug}`, family: 'transformed', bmiId: `spiral-normal_cdf-${b.bmiId}`, bmiName: `Spiral @ Normal CDF @ ${b.bmiName}`, sampler: spiral(transformed(b.sampler, normalCdfMap(d), normalCdfMap(d))) });
  }
  for (const [d, nu] of [[2, 1], [3, 2], [5, 2]] as const) {
    const b = students.get(`${d}-${nu}`)!;
    out.push({ slug: `asinh-${b.slug}`, family: 'transformed', bmiId: `asinh-${b.bmiId}`, bmiName: `Asinh @ ${b.bmiName}`, sampler: transformed(b.sampler, asinhMap(d), asinhMap(d)) });
  }
  return out.map(task);
}

let suite: BmiTask[] | null = null;

/** The suite in BMI's order (built once, on first use: a few Cholesky factorisations). */
export function bmiSuite(): readonly BmiTask[] {
  suite ??= buildSuite();
  return suite;
}

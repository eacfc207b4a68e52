/**
 * The BMI samplers' common shape (BMI's `ISampler`, src/bmi/interface.py: `sample(n_points, rng)
 * → (x, y)`, `dim_x`, `dim_y`, `mutual_information()`), and BMI's `TransformedSampler`
 * (src/bmi/samplers/_transformed.py): the push-forward of a base distribution by a product map
 * f × g applied row by row. For injective, differentiable f and g, I(f(X); g(Y)) = I(X; Y), so a
 * transformed sampler keeps its base's MI (BMI's default; the Swiss roll embedding adds a
 * dimension and is injective too).
 */
import type { TaskRng } from '../../types.js';

export interface Sample {
  /** n×dimX row-major. */
  x: Float64Array;
  /** n×dimY row-major. */
  y: Float64Array;
}

export interface Sampler {
  readonly dimX: number;
  readonly dimY: number;
  /** Exact I(X; Y), nats. */
  readonly mi: number;
  sample(n: number, rng: TaskRng): Sample;
}

/** A map of one row (length inDim) to a new row (length outDim); may write into `out` only. */
export interface RowMap {
  inDim: number;
  outDim: number;
  apply(row: Float64Array, out: Float64Array): void;
}

/** Elementwise map t ↦ h(t) on every coordinate (BMI applies its 1-D transforms under jax.vmap). */
export function elementwise(h: (t: number) => number, dim: number): RowMap {
  return { inDim: dim, outDim: dim, apply(row, out) { for (let k = 0; k < dim; k++) out[k] = h(row[k]); } };
}

function applyRows(m: RowMap, a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * m.outDim);
  for (let i = 0; i < n; i++) {
    m.apply(a.subarray(i * m.inDim, (i + 1) * m.inDim), out.subarray(i * m.outDim, (i + 1) * m.outDim));
  }
  return out;
}

/** f(X), g(Y) from the base's sample; MI is the base's (f, g injective). */
export function transformed(base: Sampler, f: RowMap | null, g: RowMap | null): Sampler {
  if (f && f.inDim !== base.dimX) throw new RangeError(`transform of x expects dimension ${f.inDim}, base has ${base.dimX}`);
  if (g && g.inDim !== base.dimY) throw new RangeError(`transform of y expects dimension ${g.inDim}, base has ${base.dimY}`);
  return {
    dimX: f ? f.outDim : base.dimX,
    dimY: g ? g.outDim : base.dimY,
    mi: base.mi,
    sample(n, rng) {
      const s = base.sample(n, rng);
      return { x: f ? applyRows(f, s.x, n) : s.x, y: g ? applyRows(g, s.y, n) : s.y };
    },
  };
}

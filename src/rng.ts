/**
 * Seeded, splittable randomness. A stream is named by a key (e.g. ['data', seed]) hashed to a
 * 128-bit state for xoshiro128**; the same key always gives the same sequence on every engine
 * and platform. Separate keys give the data stream (shared by every estimator: common random
 * numbers) and the initialisation stream.
 */

/** cyrb128: a fast 128-bit string hash, used only to seed streams. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4; h2 ^= h1; h3 ^= h1; h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  private spare: number | null = null;

  constructor(key: ReadonlyArray<string | number>) {
    [this.a, this.b, this.c, this.d] = cyrb128(JSON.stringify(key));
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t; this.d = rotl(this.d, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Box–Muller, polar-free form; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The data stream: depends on the seed only, so every estimator and critic sees identical batches. */
export const dataStream = (seed: number): Rng => new Rng(['data', seed]);
/**
 * The initialisation stream: depends on seed, critic and shape but not on the estimator, so
 * estimators at one seed also start from identical weights (a stronger pairing than the
 * architecture notes' (seed, estimator, critic) key; see README "Randomness").
 */
export const initStream = (seed: number, critic: string, dim: number, hidden: number, embed: number, dimY = dim): Rng =>
  // dimY joins the key only when it differs from dim, so every equal-dimension stream is unchanged.
  new Rng(dimY === dim ? ['init', seed, critic, dim, hidden, embed] : ['init', seed, critic, dim, hidden, embed, dimY]);
/**
 * The derangement stream (cells with `negatives: 'derangement'`, src/bounds/derangement.ts): one σ
 * per step, from a key of its own so the data stream, and every existing cell, is unchanged.
 */
export const derangementStream = (seed: number): Rng => new Rng(['derangement', seed]);

/**
 * The bounds' passes (src/bounds/passes.ts, assembly/boundmath.ts) compute exp and log1p with
 * ports of fdlibm; they may replace Math.exp and Math.log1p only because they return the same
 * bits. Checked here on every class of input: ±0, ±∞, NaN, the overflow and underflow edges,
 * ±3 000 ulps around each of fdlibm's branch thresholds, uniform draws over several ranges,
 * random bit patterns, and the shapes the bounds feed them (float32 scores minus a shift).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expArray, log1pArray, passBackend } from '../src/bounds/passes.js';
import { Rng } from '../src/rng.js';

const f64 = new Float64Array(1);
const bits = new BigUint64Array(f64.buffer);

function around(values: number[], ulps: number): number[] {
  const out: number[] = [];
  for (const v of values) {
    f64[0] = v;
    const b = bits[0];
    for (let d = -ulps; d <= ulps; d++) { bits[0] = b + BigInt(d); out.push(f64[0]); }
  }
  return out;
}

/** Doubles whose high word is h (either sign), ±ulps around it: fdlibm branches on high words. */
function highWords(words: number[], ulps: number): number[] {
  const v: number[] = [];
  for (const h of words) for (const sign of [0n, 1n << 63n]) { bits[0] = (BigInt(h) << 32n) | sign; v.push(f64[0]); }
  return around(v, ulps);
}

function inputs(extra: number[], draws: (rng: Rng) => number[], count: number): Float64Array {
  const rng = new Rng(['vexp']);
  const out: number[] = [0, -0, Infinity, -Infinity, NaN, ...extra];
  for (let k = 0; k < count; k++) out.push(...draws(rng));
  return Float64Array.from(out);
}

function compare(name: string, a: Float64Array, f: (x: number) => number, input: Float64Array): void {
  let bad = 0, first = '';
  for (let i = 0; i < input.length; i++) {
    const want = f(input[i]);
    if (!(Object.is(a[i], want) || (Number.isNaN(a[i]) && Number.isNaN(want)))) {
      if (bad++ === 0) first = `${name}(${input[i]}) = ${a[i]}, Math gives ${want}`;
    }
  }
  assert.equal(bad, 0, `${bad} of ${input.length} differ; first: ${first}`);
}

test('the passes run in WebAssembly here (the build made assembly/boundmath.ts)', () => {
  assert.equal(passBackend(), 'wasm-simd');
});

test('exp: bit for bit Math.exp over 6 million inputs', () => {
  const rng = new Rng(['vexp-bits']);
  const x = inputs([
    ...around([700, -700, 709.782712893384, -745.1332191019411, -708.3964185322641, 1, -1, 2 ** -28, 2 ** -53, 5e-324, 1e-300], 3000),
    ...highWords([0x3fd62e42, 0x3fd62e43, 0x3ff0a2b1, 0x3ff0a2b2, 0x3e300000, 0x40862e42, 0x7ff00000], 3000),
  ], (r) => [
    (r.uniform() * 2 - 1) * 2, (r.uniform() * 2 - 1) * 50, (r.uniform() * 2 - 1) * 1500, (r.uniform() * 2 - 1) * 1e-6,
    // Random bit patterns (every exponent), and a float32 score minus log n(n − 1) and 1 (NWJ's argument).
    (bits[0] = (BigInt(Math.floor(rng.uniform() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng.uniform() * 2 ** 32)), f64[0]),
    Math.fround((r.uniform() * 2 - 1) * 60) - 1 - Math.log(1024 * 1023),
  ], 1_000_000);
  const a = x.slice();
  expArray(a);
  compare('exp', a, Math.exp, x);
});

test('log1p: bit for bit Math.log1p over 3 million inputs', () => {
  const rng = new Rng(['log1p-bits']);
  const x = inputs([
    ...around([1, -1, 0.41422, 0.4142135623730951, -0.2929, 2 ** -29, 2 ** -54, 1e-300, 1e300, 2 ** 53], 3000),
    ...highWords([0x3fda827a, 0x3e200000, 0x3c900000, 0x43400000, 0xbfd2bec3, 0x3ff00000], 3000),
  ], (r) => [
    r.uniform(), Math.exp(-r.uniform() * 50), r.uniform() * 2 - 1, (r.uniform() - 0.5) * 1e-6,
    (bits[0] = (BigInt(Math.floor(rng.uniform() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng.uniform() * 2 ** 32)), f64[0]),
  ], 600_000);
  const a = x.slice();
  log1pArray(a);
  compare('log1p', a, Math.log1p, x);
});

/**
 * The bounds' arithmetic is frozen (published cells depend on it): estimate, objective, state
 * and gradient of every bound, on Float32 score matrices (what the wasm engine hands over) and
 * Float64 ones, at n = 2 … 1 024 and scales from 0.1 to 900 (exp overflow included), must stay
 * bit for bit what the scalar float64 JavaScript gave before the n² passes were vectorised
 * (issue 10). The digests below were taken with that code (commit 8d1d6f5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { getBound } from '../src/bounds/index.js';
import { gradBuffer, passBackend, setPassBackend } from '../src/bounds/passes.js';
import { Rng } from '../src/rng.js';
import type { BoundOptions, BoundState, EstimatorName } from '../src/types.js';

export const BOUND_CASES: [EstimatorName, BoundOptions][] = [
  ['nwj', {}], ['dv', {}], ['mine', {}], ['smile', { tau: 1 }], ['smile', {}], ['infonce', {}], ['js', {}],
  ['tuba', {}], ['mice', {}], ['mice', { miceBlockPartition: false }], ['mice', { miceForm: 'nwj' }],
  ['mice', { miceForm: 'nwj', miceBlockPartition: false }], ['alpha-infonce', { alpha: 0.5 }], ['flatnce', {}],
];
export const SIZES = [2, 3, 16, 64, 257, 1024];
export const SCALES = [0.1, 3, 30, 900];

/** Score matrices: normal × scale (+ a raised diagonal), as Float32 (n ≤ 1024) and Float64 (n ≤ 64). */
export function matrices(): { key: string; n: number; s: Float32Array | Float64Array }[] {
  const out = [];
  for (const n of SIZES) {
    for (const scale of SCALES) {
      const rng = new Rng(['bounds-bitwise', n, scale]);
      const v = Array.from({ length: n * n }, (_, k) => scale * rng.normal() + (k % (n + 1) === 0 ? scale : 0));
      out.push({ key: `f32/${n}/${scale}`, n, s: Float32Array.from(v) });
      if (n <= 64) out.push({ key: `f64/${n}/${scale}`, n, s: Float64Array.from(v) });
    }
  }
  return out;
}

/** Two evaluations (the second with the first's state), digested: estimate, objective, state, grad bits. */
export function boundDigest(name: EstimatorName, options: BoundOptions, s: ArrayLike<number>, n: number, useGradOut = false): string {
  const b = getBound(name);
  const h = createHash('sha256');
  let state: BoundState | undefined;
  for (let r = 0; r < 2; r++) {
    const gradOut = useGradOut ? gradBuffer(n) : undefined;
    const out = b.evaluate(s, n, options, state, gradOut);
    if (gradOut) assert.equal(out.grad, gradOut, `${name}: grad written into gradOut`);
    state = out.state;
    h.update(new Uint8Array(Float64Array.of(out.estimate, out.objective, ...Object.values(out.state ?? {})).buffer));
    h.update(new Uint8Array(out.grad.buffer, out.grad.byteOffset, out.grad.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

/** One digest per bound case and n, over every scale and both float widths. */
export function allDigests(useGradOut = false): Record<string, string> {
  const per = new Map<string, string[]>();
  for (const m of matrices()) {
    for (const [name, o] of BOUND_CASES) {
      const key = `${name}${JSON.stringify(o)}/n=${m.n}`;
      per.set(key, [...(per.get(key) ?? []), boundDigest(name, o, m.s, m.n, useGradOut)]);
    }
  }
  const res: Record<string, string> = {};
  for (const [k, v] of per) res[k] = createHash('sha256').update(v.join(' ')).digest('hex').slice(0, 16);
  return res;
}

/** Digests from the scalar bounds of commit 8d1d6f5. */
const PINNED: Record<string, string> = {
  "nwj{}/n=2": "d343736034860700",
  "dv{}/n=2": "64916335381aa5ea",
  "mine{}/n=2": "c2427f862624d731",
  "smile{\"tau\":1}/n=2": "5ede4ec8f4b8ecb2",
  "smile{}/n=2": "b20cb41d3b887774",
  "infonce{}/n=2": "fe0ff7b736f2609b",
  "js{}/n=2": "9b3329e9b4f755ef",
  "tuba{}/n=2": "d78beb9c683b5d7a",
  "mice{}/n=2": "facb62cbb8b5efe4",
  "mice{\"miceBlockPartition\":false}/n=2": "64916335381aa5ea",
  "mice{\"miceForm\":\"nwj\"}/n=2": "8a167df8d3641371",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=2": "d343736034860700",
  "alpha-infonce{\"alpha\":0.5}/n=2": "beba7a7565e9ea14",
  "flatnce{}/n=2": "ba675b6916c6c39c",
  "nwj{}/n=3": "112fed77f53cd127",
  "dv{}/n=3": "997f180b906127df",
  "mine{}/n=3": "6b63236057d5cbd2",
  "smile{\"tau\":1}/n=3": "4924bffc2c02333b",
  "smile{}/n=3": "fd8e0528ca44075e",
  "infonce{}/n=3": "b68bbb8085b05767",
  "js{}/n=3": "d0904655058bfe4b",
  "tuba{}/n=3": "c205dd9a155a6298",
  "mice{}/n=3": "0bd2bdd985823939",
  "mice{\"miceBlockPartition\":false}/n=3": "997f180b906127df",
  "mice{\"miceForm\":\"nwj\"}/n=3": "fe689fe475349034",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=3": "112fed77f53cd127",
  "alpha-infonce{\"alpha\":0.5}/n=3": "dff381d9fedce266",
  "flatnce{}/n=3": "9d9fb1958c6cf19a",
  "nwj{}/n=16": "c88ef049b6461a52",
  "dv{}/n=16": "f8c04c707b4bc911",
  "mine{}/n=16": "e0f9f3aace70b4b1",
  "smile{\"tau\":1}/n=16": "9b919fe0350b9a08",
  "smile{}/n=16": "c2d6de67a2d0eb51",
  "infonce{}/n=16": "5d9e5da3817000e2",
  "js{}/n=16": "e423ad4124f18a38",
  "tuba{}/n=16": "300c30b4db9c276f",
  "mice{}/n=16": "d942562643d47bf7",
  "mice{\"miceBlockPartition\":false}/n=16": "f8c04c707b4bc911",
  "mice{\"miceForm\":\"nwj\"}/n=16": "f8298ac3fcc04a3b",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=16": "c88ef049b6461a52",
  "alpha-infonce{\"alpha\":0.5}/n=16": "2dd6351efe62de7c",
  "flatnce{}/n=16": "f0068df6f3a2dc4c",
  "nwj{}/n=64": "78ab4e24b0f4232e",
  "dv{}/n=64": "c00e57d04a91221d",
  "mine{}/n=64": "93fe9ce86a515c91",
  "smile{\"tau\":1}/n=64": "82ae6f4f12181d58",
  "smile{}/n=64": "cd2e7e8f813d2cfb",
  "infonce{}/n=64": "921d7e61a8f8157c",
  "js{}/n=64": "3821e134f1b75291",
  "tuba{}/n=64": "5fe65b8e80ad20b1",
  "mice{}/n=64": "b41fab92fc1ea97c",
  "mice{\"miceBlockPartition\":false}/n=64": "c00e57d04a91221d",
  "mice{\"miceForm\":\"nwj\"}/n=64": "da979f935c9132b8",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=64": "78ab4e24b0f4232e",
  "alpha-infonce{\"alpha\":0.5}/n=64": "b88f819a0f8153d0",
  "flatnce{}/n=64": "b6b7fa770418f3e2",
  "nwj{}/n=257": "c3a4c69f2aaafe4a",
  "dv{}/n=257": "23d93eee8ffe2055",
  "mine{}/n=257": "2005eb83091ab10c",
  "smile{\"tau\":1}/n=257": "759e3d29b5b6390e",
  "smile{}/n=257": "8d3f152801a235e9",
  "infonce{}/n=257": "7e67cb6773ed0aaf",
  "js{}/n=257": "1f0b564e4aa865b8",
  "tuba{}/n=257": "acbffb4c762d57b5",
  "mice{}/n=257": "134b4e6c5289b0e1",
  "mice{\"miceBlockPartition\":false}/n=257": "23d93eee8ffe2055",
  "mice{\"miceForm\":\"nwj\"}/n=257": "33f322c9dde2282e",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=257": "c3a4c69f2aaafe4a",
  "alpha-infonce{\"alpha\":0.5}/n=257": "7a426d4054e922e9",
  "flatnce{}/n=257": "0e154d79dd589218",
  "nwj{}/n=1024": "ab532a3cc5e05377",
  "dv{}/n=1024": "0bf0358c0b169a51",
  "mine{}/n=1024": "63596b9321832ffb",
  "smile{\"tau\":1}/n=1024": "3fe142f00682a06d",
  "smile{}/n=1024": "27ecd28ee4d41bcb",
  "infonce{}/n=1024": "f0bf31350fbe3b0a",
  "js{}/n=1024": "242c750087d3addf",
  "tuba{}/n=1024": "625986ed10f4d85c",
  "mice{}/n=1024": "3f80a352de514540",
  "mice{\"miceBlockPartition\":false}/n=1024": "0bf0358c0b169a51",
  "mice{\"miceForm\":\"nwj\"}/n=1024": "ca1a68c2f5b7c9b3",
  "mice{\"miceForm\":\"nwj\",\"miceBlockPartition\":false}/n=1024": "ab532a3cc5e05377",
  "alpha-infonce{\"alpha\":0.5}/n=1024": "5ef66fcc687a34af",
  "flatnce{}/n=1024": "d5f3c5d7eb7bad60",
};

test('every bound is bit for bit the pre-vectorisation scalar code, n = 2 … 1 024 (WebAssembly passes)', () => {
  assert.equal(passBackend(), 'wasm-simd', 'the boundmath module is built and loads (npm run build)');
  const got = allDigests();
  for (const [k, v] of Object.entries(PINNED)) assert.equal(got[k], v, k);
});

test('the same bits with the gradient written into gradBuffer (the training loop\'s path)', () => {
  const got = allDigests(true);
  for (const [k, v] of Object.entries(PINNED)) assert.equal(got[k], v, k);
});

test('the same bits from the plain-JavaScript passes (the fallback without WebAssembly SIMD)', () => {
  setPassBackend('js');
  try {
    const got = allDigests();
    for (const [k, v] of Object.entries(PINNED)) assert.equal(got[k], v, k);
  } finally {
    setPassBackend('wasm-simd');
  }
});

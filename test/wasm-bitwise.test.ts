/**
 * The wasm kernels' numerics are frozen (published cells are computed with them): scores,
 * gradient and Adam-updated parameters of two steps must stay bit for bit what the kernels gave
 * before cache blocking and the score-product changes (issue 10). The digests below were taken
 * with the pre-change kernels (commit 8d1d6f5) on this project's machine; a kernel change that
 * reorders any float32 sum breaks them. Each case: critic, n, spectral norm, both builds
 * (relaxed SIMD only when its madd is fused, as on every x86 with FMA3, where V8 emits vfmadd).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import type { CriticKind } from '../src/types.js';

interface Case { critic: CriticKind; n: number; sn: boolean; h: number }
export const BITWISE_CASES: Case[] = [
  { critic: 'separable', n: 16, sn: false, h: 256 },
  { critic: 'separable', n: 64, sn: true, h: 256 },
  { critic: 'separable', n: 64, sn: false, h: 256 },
  { critic: 'separable', n: 256, sn: false, h: 256 },
  { critic: 'separable', n: 1024, sn: false, h: 256 },
  { critic: 'separable', n: 37, sn: true, h: 40 },
  { critic: 'joint', n: 16, sn: false, h: 256 },
  { critic: 'joint', n: 64, sn: true, h: 256 },
  { critic: 'joint', n: 23, sn: false, h: 36 },
];

const digest = (a: Float32Array): string => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 16);

/** Two training steps with a fixed dLoss/dS; the digests of S, ∂L/∂θ and θ after each. */
export async function stepDigests(c: Case, variant: 'relaxed' | 'simd'): Promise<string[]> {
  const d = 20, e = 32;
  const layout = criticLayout(c.critic, d, c.h, e, c.sn);
  const rng = new Rng(['bitwise', c.critic, c.n, c.h]);
  const params = initParams(layout, rng);
  const us = initSpectralU(layout, rng);
  const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: us, variant }) as WasmCriticRuntime;
  const out: string[] = [];
  try {
    for (let step = 0; step < 2; step++) {
      const x = Float32Array.from({ length: c.n * d }, () => rng.normal());
      const y = Float32Array.from({ length: c.n * d }, () => rng.normal());
      const r = Float32Array.from({ length: c.n * c.n }, () => 0.01 * rng.normal());
      out.push(digest(rt.scores(x, y, c.n)));
      rt.step(r);
      out.push(digest(rt.gradient()), digest(rt.params()));
    }
  } finally {
    rt.dispose();
  }
  return out;
}

/** Digests from the pre-blocking kernels: S, ∂θ, θ after step 1, then after step 2. */
const PINNED: Record<string, string> = {
  "separable/16/256/nosn/relaxed": "c3c049fe8adfe3f8 b6b3c0b69e8f6f68 412b1db1e8b49dec e84d02d23a9f23ca 3da207da97652911 b90692eed9bb8e2d",
  "separable/16/256/nosn/simd": "4cbef2620557b38b 80b24191afd77e30 4275fa5ba20edbee 5491558f5bcec623 a9d72c0e87174972 367878eda9a89042",
  "separable/64/256/sn/relaxed": "9600a193a89154af f5e45932d112ef53 7ac8dd6806eae740 90a6981fe446f440 43f2f958dc02e4ba 6c3648249110677d",
  "separable/64/256/sn/simd": "badd32dd3744a9c6 674a708d296613dc 12e9b1206ba52e2e 730a0e519c1690e9 3462a1a997eb81b4 45a6bd1bfd5fc034",
  "separable/64/256/nosn/relaxed": "bc837f9ca14d1488 d7847d6717898392 96df21903d79d401 539a291144bbdf0b 26f07a507f669df8 c9e283b35c4e6e4c",
  "separable/64/256/nosn/simd": "0e27accbd4e1d52c 3ff60f8de4ecec80 b5cf75e4f2d7216f d1931434d96142c4 c7aaccf26a1240f3 6cd98735ffabed39",
  "separable/256/256/nosn/relaxed": "1ddf5dc4ad91cc67 26d09043bc79293c b32b1498b9c754cb 9fbf7303d9932a29 6f4501b6b068b64c 73c765a63aa361b9",
  "separable/256/256/nosn/simd": "4dbdd3edc9c3209d 7c4e1bca5526a906 ca87559411a12ffc 8548184d76dc2a3a b9a66f37690ac92f 339694ddf71ec242",
  "separable/1024/256/nosn/relaxed": "518139a4452bbf9b 92c9ee6073dd524e aede2b7a5406a258 dddbeb2f036c1b29 765d82aa438a1940 21ac9c925c17cfbe",
  "separable/1024/256/nosn/simd": "1e7736ce9374ca6a af5c49004347e8c2 c4d67d1467cd6270 cf4dabb5b5d35383 db7ff5ef1c5e0cda f31c531d16669b84",
  "separable/37/40/sn/relaxed": "c332c106a0742821 f6809a9b1a0ee62a 76f552279852c2cb 5eed2fa69311c46a b17958822c1f34af 93a69a618c67c743",
  "separable/37/40/sn/simd": "1367c6f7cecaaedd 12fad2102a89ee9c fa1076dc16f2770e 2a269a8fa789629d 2cfa0c6bb329a944 bfe30c2939309f7b",
  "joint/16/256/nosn/relaxed": "6f00b805a5af92be 694691e8c7a09d87 c255036945238c3d 6cf8b1afc56a99de 7028bba839ab4083 470df01a272157ba",
  "joint/16/256/nosn/simd": "579fe874f4ecc259 9167895cbef0b29d b82d3baa6cbf076d af75a3f6271a1b33 0b109aa404ce348a 483bb7e4940169c6",
  "joint/64/256/sn/relaxed": "c1cdaec24516841f 3259d35f4535d99e 35da9c8eb42b2490 54daafb8dafb077c 87f78f70f9f93c4c b6533cf48e5e352a",
  "joint/64/256/sn/simd": "b50311548a1b4568 13f11a432f3858b6 3b1ea29d715a0958 d2b1a5e2cdcb6abb d043c819b3ec0bbd 58b59a8889da734c",
  "joint/23/36/nosn/relaxed": "fa5527e1e69cbaad 8bb2f25ee4591dd9 e218fe827f24f4c9 7e32216a46fd2caf 5e02153161a52248 4d7354a76227a9eb",
  "joint/23/36/nosn/simd": "eaccf7902916e045 747feebb5ca8199e c5b8a612e923de67 cd1e4c0636e864dd db147fe1e18fca3c 111a4c3906df980e",
};

/**
 * Whether the relaxed build's madd is fused here: (1 + 2⁻¹²)² − (1 + 2⁻¹¹) is 2⁻²⁴ with one
 * rounding and 0 with two (a two-term dot product through gemm). The digests of the relaxed build hold only where it is fused.
 */
async function relaxedIsFused(): Promise<boolean> {
  if ((await bestVariant()) !== 'relaxed') return false;
  const layout = criticLayout('separable', 1, 1, 1, false);
  const rt = await wasmEngine.create(layout, new Float32Array(layout.size), { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [], variant: 'relaxed' }) as WasmCriticRuntime;
  try {
    const k = (rt as unknown as { k: import('../src/engine/wasm/kernels.js').KernelExports }).k;
    // After everything the runtime allocated: one fresh page.
    const base = k.memory.buffer.byteLength;
    k.memory.grow(1);
    const m = new Float32Array(k.memory.buffer, base, 5);
    // A = [−(1 + 2⁻¹¹), 1 + 2⁻¹²], B = [1, 1 + 2⁻¹²]ᵀ: the second madd adds (1 + 2⁻¹²)² to the first product.
    m.set([-(1 + 2 ** -11), 1 + 2 ** -12, 1, 1 + 2 ** -12, 0]);
    k.gemm(1, 1, 2, base, 2, 1, base + 8, 1, 1, base + 16, 1, 0, 0, 0);
    return m[4] !== 0;
  } finally {
    rt.dispose();
  }
}

const fused = await relaxedIsFused();

for (const c of BITWISE_CASES) {
  for (const variant of ['relaxed', 'simd'] as const) {
    const key = `${c.critic}/${c.n}/${c.h}/${c.sn ? 'sn' : 'nosn'}/${variant}`;
    const skip = variant === 'relaxed' && !fused ? 'relaxed SIMD unavailable or its madd is not fused here' : false;
    test(`kernels bitwise equal to the pre-blocking kernels: ${key}`, { skip }, async () => {
      assert.equal((await stepDigests(c, variant)).join(' '), PINNED[key]);
    });
  }
}

/**
 * Packing only copies bits (issue 10: A transposed in memory is packed several row blocks at a
 * time): a product whose A is stored transposed (rsA = 1) gives the bits of the same product
 * with A row-major, for m across 4-block groups of 5-row and 4-row tiles and their edges,
 * depths across KC blocks, accumulate, bias and ReLU.
 */
for (const variant of ['relaxed', 'simd'] as const) {
  const skip = variant === 'relaxed' && (await bestVariant()) !== 'relaxed' ? 'relaxed SIMD unavailable' : false;
  test(`kernels: a transposed A gives the row-major product's bits (${variant})`, { skip }, async () => {
    const layout = criticLayout('separable', 1, 1, 1, false);
    const rt = await wasmEngine.create(layout, new Float32Array(layout.size), { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [], variant }) as WasmCriticRuntime;
    try {
      const k = (rt as unknown as { k: import('../src/engine/wasm/kernels.js').KernelExports }).k;
      const rng = new Rng(['pack-transposed', variant]);
      let checked = 0;
      for (const m of [1, 4, 5, 9, 19, 20, 21, 24, 39, 40, 41, 44, 61, 77, 300]) {
        for (const [n, depth] of [[1, 3], [8, 256], [20, 300], [33, 513]]) {
          const flags = [rng.uniform() < 0.5 ? 1 : 0, rng.uniform() < 0.5, rng.uniform() < 0.5 ? 1 : 0] as const;
          const aRow = Float32Array.from({ length: m * depth }, () => rng.normal());
          const aT = new Float32Array(depth * m);
          for (let i = 0; i < m; i++) for (let p = 0; p < depth; p++) aT[p * m + i] = aRow[i * depth + p];
          const b = Float32Array.from({ length: depth * n }, () => rng.normal());
          const c0 = Float32Array.from({ length: m * n }, () => rng.normal());
          const bias = Float32Array.from({ length: n }, () => rng.normal());
          const bytes = 4 * (2 * m * depth + depth * n + 2 * m * n + n) + 1024;
          const base = k.memory.buffer.byteLength;
          k.memory.grow(Math.ceil(bytes / 65536));
          const f = new Float32Array(k.memory.buffer);
          const pA = base, pT = pA + 4 * m * depth, pB = pT + 4 * m * depth, pC1 = pB + 4 * depth * n, pC2 = pC1 + 4 * m * n, pBias = pC2 + 4 * m * n;
          f.set(aRow, pA / 4); f.set(aT, pT / 4); f.set(b, pB / 4); f.set(c0, pC1 / 4); f.set(c0, pC2 / 4); f.set(bias, pBias / 4);
          k.gemm(m, n, depth, pA, depth, 1, pB, n, 1, pC1, n, flags[0], flags[1] ? pBias : 0, flags[2]);
          k.gemm(m, n, depth, pT, 1, m, pB, n, 1, pC2, n, flags[0], flags[1] ? pBias : 0, flags[2]);
          const c1 = f.slice(pC1 / 4, pC1 / 4 + m * n), c2 = f.slice(pC2 / 4, pC2 / 4 + m * n);
          assert.ok(Buffer.from(c1.buffer).equals(Buffer.from(c2.buffer)), `m=${m} n=${n} k=${depth} flags=${flags.join(',')}`);
          checked++;
        }
      }
      assert.equal(checked, 60);
    } finally {
      rt.dispose();
    }
  });
}

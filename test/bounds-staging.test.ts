/**
 * The training step's hand-off to the bounds (src/bounds/passes.ts withStagedScores, issue 10):
 * float32 scores are staged as float32 and widened only where a pass reads float64, so every
 * bound gives the bits it gives from a float64 copy of the same scores; the divergence check made
 * in the staging read flags every ±∞ and NaN, the diagonal included; and NWJ's float32 pass hands
 * the engine dLoss/dS = −grad rounded to float32 directly, the bits negatedFloat32 gives — in
 * WebAssembly and in the plain-JavaScript passes alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBound } from '../src/bounds/index.js';
import { gradBuffer, negatedFloat32, passBackend, setPassBackend, withBoundPrecision, withStagedScores, type BoundPrecision } from '../src/bounds/passes.js';
import { Rng } from '../src/rng.js';
import type { BoundOptions, BoundOutput, EstimatorName } from '../src/types.js';

const CASES: [EstimatorName, BoundOptions][] = [
  ['nwj', {}], ['dv', {}], ['mine', {}], ['smile', { tau: 1 }], ['smile', {}], ['infonce', {}], ['js', {}],
  ['tuba', {}], ['mice', {}], ['mice', { miceBlockPartition: false }], ['mice', { miceForm: 'nwj' }],
  ['mice', { miceForm: 'nwj', miceBlockPartition: false }], ['alpha-infonce', { alpha: 0.5 }], ['flatnce', {}],
];
const BACKENDS = ['wasm-simd', 'js'] as const;
const PRECISIONS: BoundPrecision[] = ['float64', 'float32'];

function scores(n: number, scale: number, tag: string): Float32Array {
  const rng = new Rng(['bounds-staging', tag, n, scale]);
  return Float32Array.from({ length: n * n }, (_, k) => scale * rng.normal() + (k % (n + 1) === 0 ? scale : 0));
}

const hex = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const bits = (x: number): string => hex(Float64Array.of(x));

/** Two evaluations (the second with the first's state), copied out of the passes' memory. */
function evalTwice(name: EstimatorName, o: BoundOptions, s: ArrayLike<number>, n: number, staged: boolean): BoundOutput[] {
  const b = getBound(name);
  const outs: BoundOutput[] = [];
  let state: BoundOutput['state'];
  for (let r = 0; r < 2; r++) {
    const run = (): BoundOutput => b.evaluate(s, n, o, state, gradBuffer(n));
    const out = staged ? withStagedScores(s as Float32Array, n, run) : run();
    assert.ok(out, 'finite scores are evaluated');
    outs.push({ ...out, grad: Float64Array.from(out.grad), ...(out.dLoss32 ? { dLoss32: Float32Array.from(out.dLoss32) } : {}) });
    state = out.state;
  }
  return outs;
}

function withBackend<T>(backend: typeof BACKENDS[number], fn: () => T): T {
  setPassBackend(backend);
  try {
    return fn();
  } finally {
    setPassBackend('wasm-simd');
  }
}

test('float32 scores staged as float32 give every bound the bits of a float64 copy (both precisions, both pass backends)', () => {
  assert.equal(passBackend(), 'wasm-simd');
  for (const backend of BACKENDS) {
    for (const precision of PRECISIONS) {
      for (const n of [2, 3, 5, 16, 67, 300]) {
        for (const scale of [0.1, 3, 40]) {
          const s32 = scores(n, scale, 'copy');
          const s64 = Float64Array.from(s32);
          for (const [name, o] of CASES) {
            if (n === 300 && backend === 'js' && name !== 'nwj' && name !== 'infonce') continue;
            const what = `${backend} ${precision} ${name}${JSON.stringify(o)} n=${n} scale=${scale}`;
            const [ref, f32, pinned] = withBackend(backend, () => withBoundPrecision(precision, () => [
              evalTwice(name, o, s64, n, false), evalTwice(name, o, s32, n, false), evalTwice(name, o, s32, n, true),
            ]));
            for (const got of [f32, pinned]) {
              for (let r = 0; r < 2; r++) {
                assert.equal(bits(got[r].estimate), bits(ref[r].estimate), `${what} eval ${r}: estimate`);
                assert.equal(bits(got[r].objective), bits(ref[r].objective), `${what} eval ${r}: objective`);
                assert.equal(hex(got[r].grad), hex(ref[r].grad), `${what} eval ${r}: gradient`);
              }
            }
          }
        }
      }
    }
  }
});

test('withStagedScores: null (fn not called) for ±∞ or NaN at any position, the diagonal included; fn\'s value otherwise', () => {
  for (const backend of BACKENDS) {
    withBackend(backend, () => {
      for (const n of [2, 3, 4, 5, 9, 33]) {
        const base = scores(n, 2, 'finite');
        assert.equal(withStagedScores(base, n, () => 'ran'), 'ran', `${backend} n=${n}: finite scores run fn`);
        const positions = n <= 9 ? Array.from({ length: n * n }, (_, k) => k) : [0, 1, n, n + 1, 5 * n + 7, n * n - 2, n * n - 1];
        for (const k of positions) {
          for (const bad of [Infinity, -Infinity, NaN]) {
            const s = Float32Array.from(base);
            s[k] = bad;
            let called = false;
            assert.equal(withStagedScores(s, n, () => { called = true; return 'ran'; }), null, `${backend} n=${n}: ${bad} at ${k}`);
            assert.equal(called, false);
          }
        }
        // Extreme finite values are finite.
        const big = Float32Array.from(base);
        big[1] = 3.4028234663852886e38; big[0] = -3.4028234663852886e38;
        assert.equal(withStagedScores(big, n, () => 'ran'), 'ran', `${backend} n=${n}: ±FLT_MAX is finite`);
      }
    });
  }
});

test('NWJ\'s float32 pass hands the engine −grad as float32 (negatedFloat32\'s bits), the same in WebAssembly and JavaScript', () => {
  const nwjCases: [EstimatorName, BoundOptions][] = [['nwj', {}], ['mice', { miceForm: 'nwj', miceBlockPartition: false }]];
  let withDLoss = 0;
  for (const n of [2, 3, 5, 16, 67, 1024]) {
    for (const scale of [0.1, 3, 40]) {
      const s = scores(n, scale, 'dloss');
      // The one-pass route (and so dLoss32) needs c = e^(m − 1 − log n(n−1)) ≤ 1 (passes.ts nwjStagedF32).
      let m = -Infinity;
      for (let k = 0; k < n * n; k++) if (k % (n + 1) !== 0) m = Math.max(m, s[k]);
      const onePass = Math.exp(m - 1 - Math.log(n * (n - 1))) <= 1;
      for (const [name, o] of nwjCases) {
        const per = BACKENDS.map((backend) => withBackend(backend, () => withBoundPrecision('float32', () => evalTwice(name, o, s, n, true))));
        for (let b = 0; b < 2; b++) {
          for (const out of per[b]) {
            const what = `${BACKENDS[b]} ${name}${JSON.stringify(o)} n=${n} scale=${scale}`;
            assert.equal(out.dLoss32 !== undefined, onePass, `${what}: dLoss32 exactly when the one-pass route runs`);
            if (out.dLoss32) assert.equal(hex(out.dLoss32), hex(Float32Array.from(negatedFloat32(out.grad, n))), `${what}: dLoss32 = f32(−grad)`);
          }
        }
        if (onePass) {
          withDLoss++;
          for (let r = 0; r < 2; r++) assert.equal(hex(per[0][r].dLoss32!), hex(per[1][r].dLoss32!), `${name} n=${n} scale=${scale}: WebAssembly = JavaScript`);
        }
      }
    }
  }
  assert.ok(withDLoss >= 10, `the one-pass route ran in ${withDLoss} cases`);
  // Only where the pass itself made it: not in float64, not for bounds that reshape the gradient.
  const s = scores(16, 3, 'dloss');
  const none: [EstimatorName, BoundOptions, BoundPrecision][] = [
    ['nwj', {}, 'float64'], ['mice', { miceForm: 'nwj' }, 'float32'], ['dv', {}, 'float32'], ['smile', { tau: 1 }, 'float32'], ['infonce', {}, 'float32'],
  ];
  for (const [name, o, p] of none) {
    const out = withBoundPrecision(p, () => withStagedScores(s, 16, () => getBound(name).evaluate(s, 16, o, undefined, gradBuffer(16))));
    assert.equal(out?.dLoss32, undefined, `${name}${JSON.stringify(o)} ${p}: no dLoss32`);
  }
});

test('a maximum tied between −0 and +0 gives every bound the same bits whichever zero the staging read returns', () => {
  for (const backend of BACKENDS) {
    for (const precision of PRECISIONS) {
      for (const n of [3, 8, 37]) {
        for (const pattern of ['-0 first', '+0 first', 'only -0'] as const) {
          const rng = new Rng(['zero-tie', n, pattern]);
          const s32 = Float32Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 2 : -Math.abs(rng.normal()) - 0.01));
          const zeros = [1, n + 2 < n * n ? n + 2 : 2, n * n - 2];
          zeros.forEach((k, i) => { s32[k] = pattern === 'only -0' ? -0 : (i % 2 === 0) === (pattern === '-0 first') ? -0 : 0; });
          const s64 = Float64Array.from(s32);
          for (const [name, o] of CASES) {
            const what = `${backend} ${precision} ${name}${JSON.stringify(o)} n=${n} ${pattern}`;
            const [ref, pinned] = withBackend(backend, () => withBoundPrecision(precision, () => [evalTwice(name, o, s64, n, false), evalTwice(name, o, s32, n, true)]));
            for (let r = 0; r < 2; r++) {
              assert.equal(bits(pinned[r].estimate), bits(ref[r].estimate), `${what} eval ${r}: estimate`);
              assert.equal(bits(pinned[r].objective), bits(ref[r].objective), `${what} eval ${r}: objective`);
              assert.equal(hex(pinned[r].grad), hex(ref[r].grad), `${what} eval ${r}: gradient`);
            }
          }
        }
      }
    }
  }
});

/**
 * The wasm engine's variational critic and auxiliary networks (FLO's u tower on either critic,
 * DoE's marginal Gaussian) against the float64 reference (src/engine/reference.ts, itself checked
 * against finite differences in reference-fd-varcrit.test.ts): scores, auxiliary outputs and the
 * gradient of one step for a random dLoss/dS and dLoss/dAux, both kernel builds, at shapes that hit
 * the kernels' edge paths; and the memory estimate (src/engine/limits.ts) against what the runtime
 * allocates. Tolerances as test/wasm-gradient.test.ts: float32 kernels vs float64, relative to the
 * largest entry, 2e-5 for scores and outputs, 1e-4 for gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticLayout, initParams, initSpectralU } from '../src/critics/layout.js';
import { Rng } from '../src/rng.js';
import { referenceAux, referenceGradient } from '../src/engine/reference.js';
import { wasmEngine, bestVariant, type WasmCriticRuntime } from '../src/engine/wasm/index.js';
import { DEFAULT_ADAM } from '../src/engine/types.js';
import { wasmMemoryNeed } from '../src/engine/limits.js';
import type { BoundAux, CriticKind } from '../src/types.js';
import { normals, maxAbs, maxDiff } from './array-helpers.js';

interface Case { kind: CriticKind; aux?: BoundAux; n: number; d: number; dy: number; h: number; e: number }

const CASES: Case[] = [
  { kind: 'variational', n: 7, d: 5, dy: 3, h: 12, e: 1 },
  { kind: 'variational', n: 64, d: 20, dy: 20, h: 40, e: 1 },
  { kind: 'variational', aux: 'marginal', n: 9, d: 4, dy: 2, h: 8, e: 1 },
  { kind: 'separable', aux: 'u', n: 7, d: 5, dy: 5, h: 12, e: 6 },
  { kind: 'separable', aux: 'u', n: 64, d: 20, dy: 20, h: 40, e: 32 },
  { kind: 'joint', aux: 'u', n: 5, d: 3, dy: 3, h: 8, e: 1 },
  { kind: 'joint', aux: 'u', n: 20, d: 5, dy: 2, h: 36, e: 1 },
];

async function check(c: Case, variant: 'relaxed' | 'simd'): Promise<void> {
  const label = `${c.kind}${c.aux ? `+${c.aux}` : ''} n=${c.n} d=${c.d}×${c.dy} h=${c.h} ${variant}`;
  const layout = criticLayout(c.kind, c.d, c.h, c.e, false, c.dy, 'last', c.aux);
  const rng = new Rng(['wasm-varcrit', label]);
  const params = initParams(layout, rng);
  if (layout.aux?.kind === 'marginal') {
    for (let k = 0; k < c.dy; k++) { params[layout.aux.mean.offset + k] = 0.5 * rng.normal(); params[layout.aux.logVar.offset + k] = 0.4 * rng.normal(); }
  }
  const x = normals(rng, c.n * c.d), y = normals(rng, c.n * c.dy);
  const r = normals(rng, c.n * c.n, 0.1), ra = normals(rng, c.n, 0.3);
  const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: initSpectralU(layout, rng), variant }) as WasmCriticRuntime;
  try {
    const s = rt.scores(x, y, c.n);
    const ref = referenceGradient(layout, params, x, y, c.n, r);
    assert.ok(maxDiff(s, ref.scores) <= 2e-5 * Math.max(1, maxAbs(ref.scores)), `${label}: scores differ by ${maxDiff(s, ref.scores)}`);
    if (c.aux) {
      const a = rt.aux()!;
      const refAux = referenceAux(layout, params, x, y, c.n, ra, ref.grad);
      assert.ok(maxDiff(a, refAux) <= 2e-5 * Math.max(1, maxAbs(refAux)), `${label}: aux differs by ${maxDiff(a, refAux)}`);
    } else {
      assert.equal(rt.aux(), null);
    }
    rt.step(r, c.aux ? ra : undefined);
    const g = rt.gradient();
    const scale = maxAbs(ref.grad);
    assert.ok(scale > 1e-3, `${label}: reference gradient is trivially small`);
    assert.ok(maxDiff(g, ref.grad) <= 1e-4 * scale, `${label}: gradient differs by ${maxDiff(g, ref.grad)} (scale ${scale})`);
    if (layout.aux) {
      // The auxiliary tensors did get a gradient.
      const a = layout.aux;
      const from = a.kind === 'u' ? a.tower[0].weight.offset : a.mean.offset;
      assert.ok(maxAbs(g.subarray(from)) > 1e-3 * scale, `${label}: no gradient reached the auxiliary network`);
    }
  } finally {
    rt.dispose();
  }
}

const variants = async (): Promise<('relaxed' | 'simd')[]> => ((await bestVariant()) === 'relaxed' ? ['relaxed', 'simd'] : ['simd']);

for (const c of CASES) {
  test(`wasm engine matches the float64 reference: ${c.kind}${c.aux ? ` + ${c.aux}` : ''} n=${c.n} d=${c.d}×${c.dy} h=${c.h}`, async () => {
    for (const v of await variants()) await check(c, v);
  });
}

test('step without dLoss/dAux leaves the auxiliary network\'s gradient at zero; the batch size may change', async () => {
  for (const aux of ['u', 'marginal'] as BoundAux[]) {
    const kind: CriticKind = aux === 'u' ? 'separable' : 'variational';
    const layout = criticLayout(kind, 3, 8, 4, false, 3, 'last', aux);
    const rng = new Rng(['no-daux', aux]);
    const params = initParams(layout, rng);
    const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [] }) as WasmCriticRuntime;
    try {
      for (const n of [5, 12, 3]) {
        const x = normals(rng, n * 3), y = normals(rng, n * 3);
        rt.scores(x, y, n);
        const ref = referenceAux(layout, rt.params(), x, y, n);
        assert.ok(maxDiff(rt.aux()!, ref) <= 2e-5 * Math.max(1, maxAbs(ref)), `${aux} n=${n}`);
        rt.step(normals(rng, n * n, 0.1));
        const g = rt.gradient();
        const a = layout.aux!;
        const from = a.kind === 'u' ? a.tower[0].weight.offset : a.mean.offset;
        assert.ok(from > 0 && from < layout.size);
        for (let i = from; i < layout.size; i++) assert.equal(g[i], 0, `${aux}: aux gradient ${i}`);
        assert.ok(maxAbs(g.subarray(0, from)) > 0, `${aux}: the critic still gets its gradient`);
      }
    } finally {
      rt.dispose();
    }
  }
});

for (const [kind, aux, n] of [['variational', undefined, 256], ['separable', 'u', 256], ['joint', 'u', 32]] as [CriticKind, BoundAux | undefined, number][]) {
  test(`the memory estimate covers what the runtime allocates: ${kind}${aux ? ` + ${aux}` : ''}, n = ${n}`, async () => {
    const layout = criticLayout(kind, 20, 256, 32, false, 20, 'last', aux);
    const rng = new Rng(['limits-varcrit', kind]);
    const rt = await wasmEngine.create(layout, initParams(layout, rng), { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [], variant: 'simd' }) as WasmCriticRuntime;
    try {
      const x = new Float32Array(n * 20).fill(0.1);
      rt.scores(x, x, n);
      const need = wasmMemoryNeed(layout, n), used = rt.memoryBytes();
      assert.ok(used <= need.total, `used ${used} ≤ estimate ${need.total}`);
      assert.ok(used >= need.total - 5 * 2 ** 20, `estimate ${need.total} within 5 MiB of ${used}`);
    } finally {
      rt.dispose();
    }
  });
}

for (const [kind, aux, n] of [['variational', 'marginal', 64], ['separable', 'u', 8], ['joint', 'u', 20]] as [CriticKind, BoundAux, number][]) {
  test(`2 threads give bitwise the same steps as 1, every product split: ${kind} + ${aux}, n=${n}`, async () => {
    const layout = criticLayout(kind, 6, 16, 8, false, 6, 'last', aux);
    const rng = new Rng(['threads-varcrit', kind]);
    const params = initParams(layout, rng);
    const batches = Array.from({ length: 3 }, () => ({ x: normals(rng, n * 6), y: normals(rng, n * 6), r: normals(rng, n * n, 0.01), ra: normals(rng, n, 0.1) }));
    const runs: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      const rt = await wasmEngine.create(layout, params, { adam: DEFAULT_ADAM, backend: 'wasm', spectralU: [], threads }) as WasmCriticRuntime;
      try {
        assert.equal(rt.threads, threads);
        rt.splitMin = 0;
        const out: Float32Array[] = [];
        for (const b of batches) { out.push(Float32Array.from(rt.scores(b.x, b.y, n)), Float32Array.from(rt.aux()!)); rt.step(b.r, b.ra); }
        out.push(rt.params());
        runs.push(out);
      } finally {
        rt.dispose();
      }
    }
    runs[1].forEach((a, k) => assert.deepEqual(a, runs[0][k], `output ${k}`));
  });
}

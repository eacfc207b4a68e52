/**
 * The numerics fingerprint: guards CODE_VERSION (harness/sweep/hash.ts). A cell's address is
 * its spec plus CODE_VERSION, so a change that moves any cell's numbers without a bump would
 * silently mix old and new numbers under one address. This trains small fixed cells on every
 * engine (and kernel build), at the shapes the published stores use, evaluates every bound on
 * a fixed score matrix, and compares a sha256 of the exact numbers with NUMERICS_FINGERPRINT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CODE_VERSION, NUMERICS_FINGERPRINT } from '../harness/sweep/hash.js';
import { buildCellSpec } from '../harness/spec.js';
import { parseVariant } from '../src/variant.js';
import { runCell } from '../src/engine/run.js';
import { bestVariant } from '../src/engine/wasm/index.js';
import { getBound } from '../src/bounds/index.js';
import { Rng } from '../src/rng.js';
import { ESTIMATORS, type BoundOptions, type CellResult, type CellSpec } from '../src/types.js';

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 32);
/** Everything numeric a cell publishes, timing aside (JSON keeps a double's exact value). */
const cellNumbers = (r: CellResult) => ({ levels: r.levels, trajectory: r.trajectory });

interface Case { name: string; spec: CellSpec; variant?: 'relaxed' | 'simd' }

const paper = { mi: [2, 4], dim: 20, hidden: 256, embed: 32, batchSize: 64 };
const cellCases = (variant: 'relaxed' | 'simd'): Case[] => [
  // The headline store's shape: separable, n = 64, last-layer spectral norm, random ρ_batch.
  { name: `wasm-${variant}/separable/mice/paper-shape`, variant, spec: buildCellSpec({ ...parseVariant('mice:block=off'), ...paper, stepsPerLevel: 8, task: 'gaussian', batchRho: 'random', seed: 3, engine: 'wasm' }) },
  { name: `wasm-${variant}/separable/mice-sn-all/paper-shape`, variant, spec: buildCellSpec({ ...parseVariant('mice:block=off:sn=all'), ...paper, stepsPerLevel: 4, task: 'cubic', batchRho: 0.3, seed: 1, engine: 'wasm' }) },
  { name: `wasm-${variant}/joint/smile/paper-shape`, variant, spec: buildCellSpec({ ...parseVariant('smile:tau=1'), ...paper, stepsPerLevel: 3, task: 'cubic', batchRho: 0.3, seed: 2, engine: 'wasm' }) },
  // The consistency store's largest batch.
  { name: `wasm-${variant}/separable/infonce/n256`, variant, spec: buildCellSpec({ ...parseVariant('infonce'), ...paper, batchSize: 256, stepsPerLevel: 2, task: 'gaussian', seed: 0, engine: 'wasm' }) },
];
const tfjsCase: Case = {
  name: 'tfjs-cpu/separable/nwj/tiny',
  spec: buildCellSpec({ estimator: 'nwj', mi: [2, 4], stepsPerLevel: 5, batchSize: 16, dim: 4, hidden: 16, embed: 8, task: 'gaussian', batchRho: 0.2, seed: 5, engine: 'tfjs', backend: 'cpu' }),
};

function boundNumbers(): unknown {
  const rng = new Rng(['fingerprint', 'bounds']);
  const n = 7;
  const scores = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 2 : 0) + rng.normal());
  const options: [string, BoundOptions][] = ESTIMATORS.map((e) => [e, {}]);
  options.push(['smile', { tau: 1 }], ['smile', { tau: 5 }], ['alpha-infonce', { alpha: 0.3 }],
    ['mice', { miceForm: 'nwj', miceBlockPartition: false }], ['mice', { miceBlockPartition: false }]);
  return options.map(([name, o]) => {
    const out = getBound(name as never).evaluate(scores, n, o, name === 'mine' ? { ema: 1.5 } : undefined);
    return { name, o, estimate: out.estimate, objective: out.objective, grad: Array.from(out.grad), state: out.state ?? null };
  });
}

const hasRelaxed = (await bestVariant()) === 'relaxed';

async function actual(c: Case): Promise<string> {
  return digest(cellNumbers(await runCell(c.spec, {}, c.variant ? { variant: c.variant } : {})));
}

function check(name: string, got: string): void {
  const want = NUMERICS_FINGERPRINT[name];
  assert.equal(got, want,
    `numerics fingerprint '${name}' moved (pinned ${want ?? 'nothing'}, now ${got}) under CODE_VERSION ${CODE_VERSION}. ` +
    'If the change is meant to move cell numbers, bump CODE_VERSION in harness/sweep/hash.ts and pin the new digests there ' +
    '(published cells then re-run); otherwise make the change bit-identical.');
}

test('numerics fingerprint: every bound on a fixed score matrix', () => {
  check('bounds', digest(boundNumbers()));
});

for (const c of [...cellCases('simd'), ...cellCases('relaxed'), tfjsCase]) {
  const skip = c.variant === 'relaxed' && !hasRelaxed ? 'relaxed SIMD is not available in this runtime' : false;
  test(`numerics fingerprint: ${c.name}`, { skip }, async () => {
    check(c.name, await actual(c));
  });
}

test('the fingerprint is sensitive: the learning rate changed in its sixth digit moves it', async () => {
  const c = cellCases('simd')[0];
  const lr = c.spec.lr * (1 + 1e-6);
  assert.notEqual(await actual({ ...c, spec: { ...c.spec, lr } }), NUMERICS_FINGERPRINT[c.name]);
});

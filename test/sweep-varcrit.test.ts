/**
 * FLO and the variational-conditional estimators in sweeps and under BMI's finite-sample protocol:
 * a grid gives ba/club/l1out/doe their variational critic once whatever its critics axis (and a
 * 'variational' entry there never pairs with another estimator); buildCellSpec defaults their
 * critic; every existing estimator's grid is unchanged; and held-out evaluations of a bound with
 * heldOutSelection 'objective' are ranked by the objective, the estimate reported being the one
 * at the best objective (src/engine/finiteSample.ts), checked with a scripted runtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoundDefinition, CellSpec } from '../src/types.js';
import type { CriticRuntime } from '../src/engine/types.js';
import { buildCellSpec, validateCellSpec } from '../harness/spec.js';
import { expandGrid } from '../harness/sweep/grid.js';
import { preset } from '../harness/sweep/presets.js';
import { parseVariant, variantLabel } from '../src/variant.js';
import { clearPluginBounds, registerBound } from '../src/bounds/index.js';
import { trainFiniteSample } from '../src/engine/finiteSample.js';
import { UsageError } from '../src/errors.js';

test('buildCellSpec: ba, club, l1out, doe default to the variational critic; flo and the rest to separable', () => {
  for (const e of ['ba', 'club', 'l1out', 'doe']) assert.equal(validateCellSpec(buildCellSpec({ estimator: e })).critic, 'variational', e);
  for (const e of ['flo', 'nwj', 'mice']) assert.equal(buildCellSpec({ estimator: e }).critic, 'separable', e);
  assert.throws(() => validateCellSpec(buildCellSpec({ estimator: 'ba', critic: 'joint' })), (e: unknown) => e instanceof UsageError && /^critic: ba reads log q\(y\|x\)/.test(e.message));
  const usage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof UsageError && re.test(e.message));
  usage(() => validateCellSpec(buildCellSpec({ estimator: 'nwj', critic: 'variational' })), /^critic: only ba, club, l1out, doe read the variational critic/);
  usage(() => validateCellSpec(buildCellSpec({ ...parseVariant('club:sn=on') })), /^spectralNorm: club has no spectrally normalised variant/);
  assert.equal(variantLabel(parseVariant('l1out')), 'l1out');
});

test('a grid gives the variational estimators their critic once; other estimators skip a variational entry', () => {
  const g = { ...preset('smoke'), estimators: ['nwj', 'flo', 'ba', 'club'], critics: ['joint', 'separable', 'variational'] as CellSpec['critic'][], seeds: [0] };
  const jobs = expandGrid(g) as CellSpec[];
  const pairs = jobs.map((j) => `${j.estimator}/${j.critic}`);
  const count = (p: string) => pairs.filter((x) => x === p).length;
  const perCritic = jobs.length / new Set(pairs).size;
  assert.ok(perCritic >= 1 && Number.isInteger(perCritic));
  for (const p of ['nwj/joint', 'nwj/separable', 'flo/joint', 'flo/separable', 'ba/variational', 'club/variational']) assert.equal(count(p), perCritic, p);
  assert.deepEqual([...new Set(pairs)].sort(), ['ba/variational', 'club/variational', 'flo/joint', 'flo/separable', 'nwj/joint', 'nwj/separable']);
  // Without 'variational' on the axis the variational estimators still get it; the others' cells are as before.
  const plain = expandGrid({ ...g, critics: ['joint', 'separable'] }) as CellSpec[];
  assert.deepEqual(plain.map((j) => `${j.estimator}/${j.critic}`), jobs.map((j) => `${j.estimator}/${j.critic}`));
  const old = expandGrid({ ...g, estimators: ['nwj'], critics: ['joint', 'separable'] });
  assert.deepEqual(old, plain.filter((j) => j.estimator === 'nwj'));
});

test('finite-sample protocol: a bound with heldOutSelection "objective" reports the estimate at the best held-out objective', () => {
  // Scores are scripted per call; the bound reads estimate = S[0][0] and objective = S[0][1].
  // Held-out evaluations (one batch each: 16 held-out points, n = 16) see, in turn:
  //   (estimate, objective) = (5, 1), (0.5, 3), (9, 2), (7, 0), (8, -1)
  // The best objective is 3 (second evaluation): its estimate 0.5 is reported — neither the
  // highest estimate (9, BMI's rule) nor the lowest; training stops after two evaluations without
  // a better objective.
  const evals = [[5, 1], [0.5, 3], [9, 2], [7, 0], [8, -1]];
  let call = 0, trainCalls = 0;
  const n = 16, every = 2;
  const rt = {
    engine: 'wasm', backend: 'scripted',
    scores(_x: Float32Array, _y: Float32Array, m: number): Float32Array {
      call++;
      const s = new Float32Array(m * m);
      // Every (every + 1)-th call is a held-out evaluation (after `every` training steps).
      const k = Math.floor(call / (every + 1)) - 1;
      if (call % (every + 1) === 0) { s[0] = evals[k][0]; s[1] = evals[k][1]; } else trainCalls++;
      return s;
    },
    step() {},
    params: () => new Float32Array(0), spectralU: () => [], dispose() {},
  } as unknown as CriticRuntime;
  for (const selection of ['objective', undefined] as const) {
    call = 0; trainCalls = 0;
    const bound: BoundDefinition = {
      name: 'scripted-selection', lowerBound: false, ...(selection ? { heldOutSelection: selection } : {}),
      evaluate: (s, m) => ({ estimate: s[0], objective: s[1], grad: new Float64Array(m * m) }),
    };
    clearPluginBounds();
    registerBound(bound, 'test');
    try {
      const spec = buildCellSpec({ estimator: 'scripted-selection', task: 'gaussian', dim: 2, mi: [1], stepsPerLevel: 40, batchSize: n, finiteSample: { size: 32, testShare: 0.5, evalEvery: every } });
      const out = trainFiniteSample(spec, rt);
      if (selection) {
        assert.equal(out.heldOut!.estimate, 0.5);
        assert.deepEqual(out.heldOut!.evals.map((e) => e.estimate), [5, 0.5, 9, 7]);
        assert.equal(out.stoppedAt, 4 * every);
      } else {
        // BMI's rule, unchanged: the highest estimate, stopping two evaluations after it.
        assert.equal(out.heldOut!.estimate, 9);
        assert.deepEqual(out.heldOut!.evals.map((e) => e.estimate), [5, 0.5, 9, 7, 8]);
      }
      assert.ok(trainCalls > 0);
    } finally {
      clearPluginBounds();
    }
  }
});

test('display labels: the bare names; H(Y), filled by the loop, never shows', async () => {
  const { estimatorLabel } = await import('../src/labels.js');
  for (const e of ['flo', 'ba', 'club', 'l1out', 'doe']) assert.equal(estimatorLabel({ estimator: e, boundOptions: {}, spectralNorm: false }), e);
  assert.equal(estimatorLabel({ estimator: 'ba', boundOptions: { entropyY: 28.4 }, spectralNorm: false }), 'ba');
  assert.equal(estimatorLabel({ estimator: 'nwj', boundOptions: { bogus: 1 } as never, spectralNorm: false }), 'nwj(bogus=1)', 'unknown options still show');
});

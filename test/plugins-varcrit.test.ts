/**
 * The bound contract's optional fields of issue 22 are open to plugins: validatePlugin checks
 * them, and a plugin bound that declares an auxiliary network (aux 'u') or the variational critic
 * trains exactly as the built-in that declares the same (the engine builds the network from the
 * declaration); a plugin task that states entropyY lets Barber–Agakov run on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoundDefinition, CellSpec, TaskDefinition } from '../src/types.js';
import { validatePlugin, PluginError } from '../src/plugins/validate.js';
import { clearPluginBounds, getBound, registerBound } from '../src/bounds/index.js';
import { clearPluginTasks, paperTask, registerTask } from '../src/tasks/registry.js';
import { runCell } from '../src/engine/run.js';
import { buildCellSpec, validateCellSpec } from '../harness/spec.js';

const ok = { name: 'b', lowerBound: false, evaluate: () => ({}) };

test('validatePlugin checks the optional bound and task fields', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ upperBound: 'yes' }, /bounds\[0\]\.upperBound must be a boolean/],
    [{ lowerBound: true, upperBound: true }, /both a lower and an upper bound/],
    [{ critics: ['deep'] }, /bounds\[0\]\.critics must be a non-empty list of joint, separable, variational/],
    [{ critics: [] }, /critics must be a non-empty list/],
    [{ aux: 'v' }, /bounds\[0\]\.aux must be 'u' or 'marginal'/],
    [{ needsEntropyY: 1 }, /needsEntropyY must be a boolean/],
    [{ heldOutSelection: 'estimate' }, /heldOutSelection must be 'objective'/],
  ];
  for (const [extra, re] of bad) assert.throws(() => validatePlugin({ bounds: [{ ...ok, ...extra }] }), (e: unknown) => e instanceof PluginError && re.test(e.message), JSON.stringify(extra));
  assert.equal(validatePlugin({ bounds: [{ ...ok, upperBound: true, critics: ['variational'], aux: 'marginal', needsEntropyY: true, heldOutSelection: 'objective' }] }).bounds.length, 1);
  const task = { id: 't', dimX: 1, dimY: 1, sample: () => ({}) };
  assert.throws(() => validatePlugin({ tasks: [{ ...task, entropyY: 'x' }] }), /tasks\[0\]\.entropyY must be a finite number/);
  assert.equal(validatePlugin({ tasks: [{ ...task, entropyY: 1.4 }] }).tasks.length, 1);
});

test('a plugin bound declaring aux "u" trains exactly as FLO; a plugin task stating H(Y) takes BA', async () => {
  const flo = getBound('flo');
  const mine: BoundDefinition = { name: 'my-flo', lowerBound: true, aux: 'u', evaluate: flo.evaluate };
  clearPluginBounds();
  clearPluginTasks();
  registerBound(mine, 'hash');
  const g = paperTask('gaussian', 3);
  const task: TaskDefinition = { id: 'my-gauss', family: 'test', description: 'the Gaussian staircase at d = 3', dimX: 3, dimY: 3, entropyY: g.entropyY, sample: g.sample };
  registerTask(task, 'hash');
  try {
    const base: Partial<CellSpec> = { critic: 'separable', task: 'gaussian', mi: [1], stepsPerLevel: 20, batchSize: 8, dim: 3, hidden: 8, embed: 4, engine: 'wasm' };
    const a = await runCell(buildCellSpec({ ...base, estimator: 'flo' }));
    const b = await runCell({ ...buildCellSpec({ ...base, estimator: 'flo' }), estimator: 'my-flo' });
    assert.deepEqual(b.trajectory.estimate, a.trajectory.estimate);
    const ba = validateCellSpec(buildCellSpec({ estimator: 'ba', task: 'my-gauss', dim: 3, mi: [1], stepsPerLevel: 20, batchSize: 8, hidden: 8 }));
    const viaPlugin = await runCell(ba);
    const viaPaper = await runCell(buildCellSpec({ estimator: 'ba', task: 'gaussian', dim: 3, mi: [1], stepsPerLevel: 20, batchSize: 8, hidden: 8 }));
    assert.equal(viaPlugin.critic, 'variational');
    assert.deepEqual(viaPlugin.trajectory.estimate, viaPaper.trajectory.estimate, 'same sampler, same H(Y): same run');
  } finally {
    clearPluginBounds();
    clearPluginTasks();
  }
});

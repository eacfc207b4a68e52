/**
 * The published stores hold every cell of their presets: `npx harness sweep --preset P` on a fresh
 * clone re-runs nothing. A change that moves a published cell's address (a spec field that is no
 * longer absent at its default, a numerics version bump, a preset edit) fails here, before a
 * sweep would quietly spend hours re-running it. The field preset is still being computed
 * (docs/field.md) and is left out until it is complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { planJobs } from '../harness/sweep/sweep.js';
import { preset, PRESET_STORES, type PresetName } from '../harness/sweep/presets.js';
import { CellStore } from '../harness/sweep/store.js';
import { twinHash } from '../harness/sweep/gpuLane.js';
import { ROOT } from './cli-helpers.js';

const PUBLISHED: PresetName[] = ['paper', 'paper-joint', 'consistency', 'gan', 'bmi', 'quick', 'gan-v1'];

test('every published preset is complete in its committed store: a sweep re-runs 0 cells', () => {
  for (const name of PUBLISHED) {
    const store = new CellStore(join(ROOT, PRESET_STORES[name]));
    const jobs = planJobs(preset(name), null);
    const pending = jobs.filter((p) => {
      if (store.check(p.hash).state === 'ok') return false;
      const twin = twinHash(p.job);
      return !(twin && store.check(twin).state === 'ok');
    });
    assert.equal(pending.length, 0, `${name}: ${pending.length} of ${jobs.length} jobs not in ${PRESET_STORES[name]} (e.g. ${pending[0]?.hash})`);
  }
});

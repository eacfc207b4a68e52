/**
 * runCell: one cell in, one CellResult out, on the engine the spec asks for (./select.ts);
 * the training itself is ./cell.ts.
 */
import type { CellResult, CellSpec } from '../types.js';
import { selectEngine } from './select.js';
import { trainCell } from './cell.js';
import { wasmOnlyReason } from './support.js';
import type { TrainOptions } from './train.js';
import type { RuntimeOptions } from './types.js';

/** `engineOptions` passes engine hints through (the wasm kernel variant, threads); results record what ran. */
export async function runCell(
  spec: CellSpec, options: TrainOptions = {}, engineOptions: Pick<RuntimeOptions, 'variant' | 'threads'> = {},
): Promise<CellResult> {
  // The variational critic and the auxiliary networks are wasm-only (./support.ts): auto picks wasm.
  const engine = spec.engine === 'auto' && wasmOnlyReason(spec) ? 'wasm' : spec.engine;
  return trainCell(await selectEngine(engine, spec.backend), spec, options, engineOptions);
}

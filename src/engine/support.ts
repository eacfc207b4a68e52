/**
 * What only the wasm engine trains (issue 22): the variational critic (src/critics/layout.ts) and
 * the auxiliary networks of FLO and DoE, whose forward and backward passes are written for that
 * engine alone (src/engine/wasm/runtime.ts). The tfjs and WebGPU engines refuse such a cell with
 * one line, and `--engine auto` picks the wasm engine for it (./run.ts).
 */
import type { CellSpec } from '../types.js';
import { getBound } from '../bounds/index.js';

/** Why only the wasm engine can train this cell, as a noun phrase, or null when any engine can. */
export function wasmOnlyReason(spec: Pick<CellSpec, 'critic' | 'estimator'>): string | null {
  if (spec.critic === 'variational') return 'the variational critic';
  let aux: string | undefined;
  try { aux = getBound(spec.estimator).aux; } catch { return null; }
  return aux ? `${spec.estimator}'s auxiliary network (${aux === 'u' ? 'u(x, y)' : 'the marginal p(y)'})` : null;
}

/** Messages between the playground page (web/playground.ts) and its worker (playground-worker.ts). */
import type { CellSpec, LevelStats } from '../src/types.js';

export interface RunMessage { type: 'run'; spec: CellSpec }

export type WorkerMessage =
  | { type: 'started'; backend: string; steps: number }
  /** New points since the last message: every `stride`-th step's estimate and its EMA. */
  | { type: 'progress'; step: number[]; estimate: (number | null)[]; ema: (number | null)[]; done: number }
  | { type: 'done'; levels: LevelStats[]; msPerStep: number; wallMs: number; backend: string; steps: number; divergedAt: number | null; logN: number }
  | { type: 'error'; message: string };

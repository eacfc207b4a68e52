/**
 * The wasm engine's helper thread: instantiates the threaded kernel build on the runtime's shared
 * memory and runs one half of a large product whenever the main thread posts one. Protocol over
 * an Int32Array control block in that memory (see threads.ts): [0] job sequence number (−1 to
 * stop), [1] last finished job, [2..15] the gemm's arguments.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, type WasmMemory, type WasmModule } from './kernels.js';

interface HelperData { module: WasmModule; memory: WasmMemory; scratch: number; ctrl: number }

const { module, memory, scratch, ctrl } = workerData as HelperData;
const k = instantiate(module, memory);
k.setScratch(scratch);
const c = new Int32Array(memory.buffer, ctrl, 16);
parentPort!.postMessage('ready');

let seen = 0;
for (;;) {
  Atomics.wait(c, 0, seen);
  const job = Atomics.load(c, 0);
  if (job < 0) break;
  if (job === seen) continue;
  seen = job;
  k.gemm(c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]);
  Atomics.store(c, 1, job);
  Atomics.notify(c, 1);
}

/**
 * Optional 2-thread split of the wasm engine's large matrix products: a helper worker shares the
 * runtime's WebAssembly memory and computes one half of C (rows, or columns when C has few rows)
 * while the calling thread computes the other; the halves write disjoint parts of C and each
 * thread packs into its own scratch. Synchronisation is one Atomics.notify / Atomics.wait pair
 * per product, so only products of at least SPLIT_MIN multiply-adds are split.
 */
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './kernels.js';

/**
 * Products smaller than this (m·n·k) run on the calling thread alone. Measured on 2 idle-ish
 * cores: splitting the separable critic's 64×256×256 products (4.2·10⁶) made its step slower
 * (1.77 vs 1.59 ms: the handoff costs more than half a 0.2 ms product saves), while the joint
 * critic's 4096×256×256 products (2.7·10⁸) split well (24 vs 36 ms per step).
 */
export const SPLIT_MIN = 16_000_000;

export class GemmHelper {
  private seq = 0;
  private closed = false;

  private constructor(private readonly worker: Worker, private readonly ctrl: Int32Array) {}

  /** Start the helper; resolves once it has instantiated the kernels. */
  static async start(module: WasmModule, memory: WasmMemory, scratch: number, ctrlPtr: number): Promise<GemmHelper> {
    const ctrl = new Int32Array(memory.buffer, ctrlPtr, 16);
    ctrl.fill(0);
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { module, memory, scratch, ctrl: ctrlPtr } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`wasm engine: helper thread exited (${code}) before starting`)));
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    // A helper that dies mid-run surfaces as wait()'s timeout, not as an unhandled event.
    worker.on('error', () => {});
    // Never keep the process alive for the helper alone.
    worker.unref();
    return new GemmHelper(worker, ctrl);
  }

  /** Hand the helper one gemm (the 14 arguments of KernelExports.gemm); returns at once. */
  post(args: readonly number[]): void {
    if (this.closed) throw new Error('wasm engine: helper thread used after dispose()');
    for (let i = 0; i < 14; i++) this.ctrl[2 + i] = args[i];
    this.seq += 1;
    Atomics.store(this.ctrl, 0, this.seq);
    Atomics.notify(this.ctrl, 0);
  }

  /** Block until the helper has finished the last posted gemm (a half product takes milliseconds). */
  wait(): void {
    for (;;) {
      const done = Atomics.load(this.ctrl, 1);
      if (done === this.seq) return;
      if (Atomics.wait(this.ctrl, 1, done, 30_000) === 'timed-out' && Atomics.load(this.ctrl, 1) !== this.seq) {
        throw new Error('wasm engine: helper thread did not answer within 30 s');
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}

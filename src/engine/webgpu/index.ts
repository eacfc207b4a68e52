/**
 * The `webgpu` engine: the critics, their backward passes, spectral norm and Adam in the
 * project's own WGSL kernels (./wgsl.ts), K cells per dispatch (./runtime.ts), trained by the
 * batched copy of the shared loop (./loop.ts). Asked for explicitly (`--engine webgpu`) it takes
 * any adapter, software ones included (SwiftShader: tests); the sweep's GPU lane under
 * `--engine auto` takes only a hardware adapter (./gpu.ts).
 */
import type { BackendChoice, CellResult, CellSpec } from '../../types.js';
import type { BatchEngine } from '../types.js';
import type { TrainOptions } from '../train.js';
import { UsageError } from '../../errors.js';
import { acquireGpu } from './gpu.js';
import { trainBatch } from './loop.js';

export { acquireGpu, releaseGpu, describeAdapter, type AdapterInfo, type GpuHandle, type GpuProbe } from './gpu.js';
export { batchKey, unsupported, trainBatch, type GpuRun } from './loop.js';
export { WebGpuBatch, batchBytes, type BatchCell } from './runtime.js';

export const webgpuEngine: BatchEngine = {
  name: 'webgpu',
  async available(backend: BackendChoice): Promise<boolean> {
    if (backend !== 'auto') return false;
    return (await acquireGpu(true)).ok;
  },
  async trainBatch(specs: CellSpec[], options?: TrainOptions): Promise<CellResult[]> {
    const probe = await acquireGpu(true);
    if (!probe.ok) throw new UsageError(`--engine webgpu: ${probe.why}`);
    for (const s of specs) {
      if (s.backend !== 'auto') throw new UsageError(`--backend ${s.backend}: the webgpu engine takes no backend (leave --backend auto)`);
    }
    return trainBatch(probe.handle, specs, options);
  },
};

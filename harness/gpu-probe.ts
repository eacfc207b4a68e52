/**
 * Is there a WebGPU adapter, and which? Asked of a child process (./gpu-probe-child.ts) so that
 * the Vulkan loader's and Dawn's native stderr lines never reach the user: a sweep on a machine
 * without a GPU stays quiet, and an error stays one line. ~0.3–1 s; once per command.
 */
import { execFile } from 'node:child_process';
import type { AdapterInfo } from '../src/engine/webgpu/gpu.js';

export type WebGpuProbe =
  | { ok: true; info: AdapterInfo; limits: { maxStorageBufferBindingSize: number } }
  | { ok: false; why: string; info?: AdapterInfo };

const CHILD = new URL('./gpu-probe-child.js', import.meta.url);
const PROBE_TIMEOUT_MS = 60_000;

let cached: Promise<WebGpuProbe> | null = null;

export function probeWebGpu(): Promise<WebGpuProbe> {
  cached ??= new Promise<WebGpuProbe>((resolve) => {
    execFile(process.execPath, [CHILD.pathname], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, encoding: 'utf8' }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as WebGpuProbe);
      } catch {
        const why = err && (err as { killed?: boolean }).killed ? `the adapter probe timed out after ${PROBE_TIMEOUT_MS / 1000}s`
          : `the adapter probe failed${err ? ` (${String(err.message).split('\n')[0]})` : ''}`;
        resolve({ ok: false, why });
      }
    });
  });
  return cached;
}

/** A usable adapter for `auto` (hardware only) or for an explicit request (software allowed). */
export function usable(p: WebGpuProbe, allowSoftware: boolean): p is Extract<WebGpuProbe, { ok: true }> {
  return p.ok && (allowSoftware || !p.info.fallback);
}

/** One line for the user: what the probe found. */
export function describeProbe(p: WebGpuProbe): string {
  if (!p.ok) return p.why;
  return `${p.info.fallback ? 'software adapter only' : 'adapter'} ${p.info.description}${p.info.fallback ? ' (taken only by --engine webgpu or --allow-software-gpu)' : ''}`;
}

/**
 * A software WebGPU adapter for the tests: Dawn (the `webgpu` package) on SwiftShader, the
 * Vulkan driver Debian's chromium package ships (`dpkg -L chromium-common | grep
 * swiftshader_icd`), chosen by setting VK_ICD_FILENAMES in this process only — never globally.
 * MI_HARNESS_TEST_VK_ICD names another ICD file instead (e.g. Mesa's lavapipe, lvp_icd.json,
 * about 10× faster than SwiftShader where Mesa ≥ 25 is installed). Where no adapter can be had
 * the suites say so loudly and skip, as the Slurm suite does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { acquireGpu, type GpuHandle } from '../src/engine/webgpu/index.js';

const KNOWN = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/** The ICD file the tests use, or null. */
export function softwareIcd(): string | null {
  const own = process.env.MI_HARNESS_TEST_VK_ICD;
  if (own) return existsSync(own) ? own : null;
  try {
    const listed = execFileSync('dpkg', ['-L', 'chromium-common'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').find((l) => l.endsWith('vk_swiftshader_icd.json'));
    if (listed && existsSync(listed)) return listed;
  } catch { /* no dpkg or no chromium: try the known paths */ }
  return KNOWN.find((p) => existsSync(p)) ?? null;
}

/** Environment for child processes (the CLI) that should find the same adapter. */
export function gpuEnv(): Record<string, string> {
  const icd = softwareIcd();
  return icd ? { VK_ICD_FILENAMES: icd } : {};
}

export interface TestGpu {
  handle: GpuHandle | null;
  /** Why there is no adapter (null when there is one). */
  skip: string | null;
}

let cached: Promise<TestGpu> | null = null;

/** Point Dawn at the software driver and take its adapter; prints a banner when there is none. */
export function testGpu(suite: string): Promise<TestGpu> {
  cached ??= (async (): Promise<TestGpu> => {
    const icd = softwareIcd();
    let skip: string | null = null;
    let handle: GpuHandle | null = null;
    if (!icd) skip = 'no software Vulkan driver (install Debian\'s chromium, which ships SwiftShader, and libvulkan1)';
    else {
      process.env.VK_ICD_FILENAMES = icd;
      const probe = await acquireGpu(true);
      if (probe.ok) handle = probe.handle; else skip = `no WebGPU adapter on ${icd}: ${probe.why}`;
    }
    if (skip) process.stderr.write(`\n${'!'.repeat(78)}\n!! WEBGPU TESTS SKIPPED (${suite}): ${skip}\n${'!'.repeat(78)}\n\n`);
    return { handle, skip };
  })();
  return cached;
}

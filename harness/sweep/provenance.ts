/**
 * The machine-level half of a cell's provenance, gathered once in the main thread (the worker
 * adds engine, backend and timings). Every lookup is best effort: a missing git or package
 * yields null, never an error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { cpus, platform, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PACKAGE_VERSION } from './hash.js';

export interface MachineProvenance {
  versions: { node: string; miHarness: string; tfjs: string | null };
  cpu: string;
  platform: string;
  gitCommit: string | null;
}

const require = createRequire(import.meta.url);

export function machineProvenance(): MachineProvenance {
  return {
    versions: { node: process.versions.node, miHarness: PACKAGE_VERSION, tfjs: tfjsVersion() },
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    platform: `${platform()}-${arch()}`,
    gitCommit: gitCommit(),
  };
}

function tfjsVersion(): string | null {
  try { return (require('@tensorflow/tfjs-core/package.json') as { version: string }).version; } catch { return null; }
}

function gitCommit(): string | null {
  try {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    // Only mi-harness's own checkout: installed under someone's node_modules, `git` would
    // report the enclosing repository's commit.
    if (!existsSync(join(root, '.git'))) return null;
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const sha = out.toString().trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  } catch { return null; }
}

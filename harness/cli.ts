#!/usr/bin/env node
/**
 * `harness`: the command line. Thin by design: each command parses its flags, validates them
 * into a typed spec, and calls the library or the orchestrator. Bad input → one line on stderr
 * naming what is wrong, exit code 2.
 */
import { tmpdir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../src/errors.js';
import { EXIT } from './exit.js';
import { releaseGpu } from '../src/engine/webgpu/gpu.js';
import * as run from './commands/run.js';
import * as sweep from './commands/sweep.js';
import * as merge from './commands/merge.js';
import * as bench from './commands/bench.js';
import * as report from './commands/report.js';
import * as compare from './commands/compare.js';
import * as gan from './commands/gan.js';
import * as site from './commands/site.js';
import * as tasks from './commands/tasks.js';
import * as sample from './commands/sample.js';
import * as checkPlugin from './commands/checkPlugin.js';
import * as readdress from './commands/readdress.js';
import * as compact from './commands/compact.js';
import * as pack from './commands/pack.js';
import * as doctor from './commands/doctor.js';

export interface CommandModule {
  register(program: Command): void;
}

// Dawn's Vulkan window-system code (Wayland) prints "XDG_RUNTIME_DIR is invalid or not set"
// twice on stderr when the variable is unset, as in containers and CI; the WebGPU engine computes
// and never opens a window, so a set variable (the OS temp directory) keeps that noise out of
// `harness run --engine webgpu`. Inherited by the sweep's workers and the GPU probe's child.
if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = tmpdir();

const program = new Command('harness')
  .description('Benchmark neural mutual-information estimators (MICE and its baselines)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .showHelpAfterError(false);

for (const m of [run, sweep, merge, bench, report, compare, gan, site, tasks, sample, checkPlugin, readdress, compact, pack, doctor] as CommandModule[]) m.register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
} finally {
  // Dawn's instance keeps Node alive while referenced; nothing is loaded unless a command used it.
  await releaseGpu().catch(() => undefined);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message; help/version are successes.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`harness: ${err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`harness: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  return EXIT.crash;
}

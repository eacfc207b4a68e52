/**
 * `harness sweep`: run a grid of cells on a worker pool into a content-addressed cell store,
 * resumably, then write the summary / report. See docs/sweep.md. Exit codes: 0 all done,
 * 3 completed with failures, 2 bad input (store untouched), 1 crash, 130 interrupted.
 */
import { checkOutputDir } from '../output.js';
import type { Command } from 'commander';
import type { SweepFlags } from '../sweep/flags.js';
import { PRESET_NAMES, DEFAULT_PRESET } from '../sweep/presets.js';
import { AUTO_FLOAT32_FROM } from '../../src/bounds/passes.js';
import { SHARD_COUNT_ENV } from '../sweep/shard.js';
import { collect, loadPlugins } from '../../workers/plugins.js';
import { DEFAULT_GPU_BATCH } from '../sweep/gpuLane.js';
import { parseInteger } from '../parse.js';

export function register(program: Command): void {
  program.command('sweep')
    .description('run a grid of benchmark cells on a worker pool (resumable, content-addressed store)')
    .option('--preset <name>', `grid preset: ${PRESET_NAMES.join(', ')} (default ${DEFAULT_PRESET})`)
    .option('--config <file>', 'grid from a JSON or YAML file (keys as in docs/sweep.md); flags override it')
    .option('--estimators <list>', "estimator variants, e.g. nwj,smile:tau=1,smile:tau=inf,mice:form=nwj")
    .option('--critics <list>', 'joint,separable')
    .option('--tasks <list>', 'task ids (`harness tasks`): gaussian,cubic,asinh,half-cube,student-t, mix:x,…, bmi:binormal,…, plugin tasks; or a suite: staircases, mixtures, bmi')
    .option('--batch-rho <list>', "within-batch correlations ρ_batch, e.g. 0,0.1,random")
    .option('--seeds <N|list>', 'N seeds (0..N-1), a range a..b, or a list 0,3,7')
    .option('--batch-sizes <list>', 'batch sizes n (consistency sweeps), e.g. 16,32,64,128,256')
    .option('--mi <list>', 'staircase of true MI values, nats')
    .option('--steps-per-level <N>', 'training steps per MI level')
    .option('--dim <D>', 'dimension d of x and y')
    .option('--hidden <H>', 'hidden width')
    .option('--embed <E>', 'separable critic embedding width')
    .option('--lr <lr>', 'Adam learning rate')
    .option('--engine <engine>', 'auto (wasm on the CPUs, plus a WebGPU lane where a hardware adapter is found) | wasm | tfjs | webgpu (every cell on WebGPU, software adapters included)')
    .option('--backend <backend>', 'auto | tensorflow | wasm | cpu')
    .option('--bound-precision <p>', `the bounds' n² exponentials: auto (default: float64 below n = ${AUTO_FLOAT32_FROM}, float32 from it) | float64 | float32`)
    .option('--workers <N>', 'worker threads (default: one per core)')
    .option('--retries <N>', 'retries per failing cell (default 2)')
    .option('--timeout <dur>', 'per-attempt time limit, e.g. 90s, 20m, 4h; 0 = none (default 4h)')
    .option('--worker-heap-mb <MB>', 'V8 heap limit per worker (default 4096)')
    .option('--out <dir>', 'cell store and report directory (default: the preset’s store: results/ for paper, paper-joint, paper-full, consistency and gan; results/quick, results/nightly, results/smoke)')
    .option('--shard <i/n>', `run slice i of n (1-based); also from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX + ${SHARD_COUNT_ENV}; 'off' ignores those`)
    .option('--json', 'machine output: one JSON event per line on stdout')
    .option('--dry-run', 'list the jobs this command would consider, touch nothing')
    .option('--no-gpu', 'never give a worker the GPU (skip the CUDA and WebGPU probes)')
    .option('--gpu-batch <K>', `cells per WebGPU batch (default ${DEFAULT_GPU_BATCH}; cut to what the device's buffers hold)`)
    .option('--allow-software-gpu', 'let --engine auto use a software WebGPU adapter (SwiftShader, lavapipe): for tests, slower than wasm')
    .option('--plugin <file>', 'load bounds and tasks from an ES module, in this process and in every worker (repeatable)', collect)
    .action(async (flags: SweepFlags) => {
      // Loaded here, not at the top: every `harness` command pays for what its module imports.
      const [{ gridFromFlags, runFlags }, { resolveShard }, { dryRun, planJobs, runSweep }, { Progress }] = await Promise.all([
        import('../sweep/flags.js'), import('../sweep/shard.js'), import('../sweep/sweep.js'), import('../sweep/progress.js'),
      ]);
      const plugins = await loadPlugins(flags.plugin);
      const grid = gridFromFlags(flags);
      const run = runFlags(flags);
      const gpuBatch = flags.gpuBatch !== undefined ? parseInteger('--gpu-batch', flags.gpuBatch, 1) : DEFAULT_GPU_BATCH;
      const shard = resolveShard(flags.shard, process.env);
      const jobs = planJobs(grid, shard);
      const print = (s: string) => { process.stdout.write(s); };
      // `harness sweep … | head`: a closed stdout ends a dry run quietly and never stops a sweep.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        if (flags.dryRun) process.exit(0);
      });
      if (flags.dryRun) { dryRun(jobs, print, flags.json); return; }
      checkOutputDir('--out', run.out);
      const progress = new Progress(flags.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain');
      if (shard && shard.source !== '--shard' && !flags.json) {
        process.stderr.write(`shard ${shard.index}/${shard.count} (from ${shard.source})\n`);
      }
      const interrupt = new AbortController();
      const onSigint = () => {
        if (interrupt.signal.aborted) process.exit(130);
        progress.stop();
        process.stderr.write('interrupted: stopping workers (finished cells are kept; run the same command to resume)\n');
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        process.exitCode = await runSweep({
          grid, out: run.out, shard, workers: run.workers, retries: run.retries, timeoutMs: run.timeoutMs,
          heapMb: run.heapMb, cuda: flags.gpu === false ? false : 'probe',
          webgpu: { batch: gpuBatch, allowSoftware: flags.allowSoftwareGpu === true, off: flags.gpu === false },
          plugins: plugins.map(({ path, hash }) => ({ path, hash })), reportWith: run.reportWith, reportPlots: run.reportPlots,
          onEvent: (e) => progress.event(e), print: flags.json ? null : print, signal: interrupt.signal,
        }, jobs);
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}

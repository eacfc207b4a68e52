/**
 * `harness run`: train one cell and print its statistics (a table, or one JSON object with
 * --json). The JSON is deterministic for a given command except the timing fields
 * (msPerStep, wallMs).
 */
import type { Command } from 'commander';
import type { CellResult } from '../../src/types.js';
import { runCell } from '../../src/engine/run.js';
import { UsageError } from '../../src/errors.js';
import { isUpperBound, knownEstimators } from '../../src/bounds/index.js';
import { VARIATIONAL_ESTIMATORS } from '../../src/types.js';
import { AUTO_FLOAT32_FROM } from '../../src/bounds/passes.js';
import { CELL_DEFAULTS } from '../spec.js';
import { estimatorLabel } from '../../src/labels.js';
import { FINITE_SAMPLE_DEFAULTS, specFromFlags, type RunFlags } from '../runSpec.js';
import { collect, loadPlugins } from '../../workers/plugins.js';
import { checkOutputFile, writeOutputFile } from '../output.js';

export function register(program: Command): void {
  program.command('run')
    .description('train one critic on one task and report per-level bias / variance / MSE')
    .option('--estimator <name>', `estimator: ${knownEstimators().join(', ')}, or a plugin's bound`)
    .option('--tau <T>', 'SMILE clip threshold τ (inf = DV)', '1')
    .option('--alpha <a>', 'α-InfoNCE interpolation α', '0.5')
    .option('--ema-rate <r>', 'MINE moving-average rate', '0.01')
    .option('--mice-form <form>', "MICE form: 'dv' (Algorithm 1, default) or 'nwj' (eq. 14)", 'dv')
    .option('--partition-grad', 'MICE ablation: do not block the partition function gradient')
    .option('--fdime-f <f>', "f-DIME's f-divergence: kl (default) | gan | hd")
    .option('--negatives <which>', "product-of-marginals samples: all (the n(n−1) off-diagonal pairs; default, except fdime) | derangement (the n pairs (x_i, y_σ(i)) of a random derangement σ, f-DIME's default; the joint critic then evaluates 2n pairs, not n²)")
    .option('--spectral-norm', 'spectrally normalise the last layer (default: on for mice only)')
    .option('--no-spectral-norm', 'MICE ablation: no spectral normalisation')
    .option('--spectral-norm-layers <which>', "which layers spectral norm applies to: 'last' (paper eq. 13–14, default) or 'all' (every linear layer, Miyato et al.; implies --spectral-norm)")
    .option('--critic <kind>', `joint | separable | variational (default ${CELL_DEFAULTS.critic}; for ${VARIATIONAL_ESTIMATORS.join(', ')} the variational critic, the only one they train)`, CELL_DEFAULTS.critic)
    .option('--task <task>', 'a staircase (gaussian, cubic, asinh, half-cube, student-t), a mixture such as mix:x, a BMI task such as bmi:binormal (see `harness tasks`), or a plugin task', CELL_DEFAULTS.task)
    .option('--mi <list>', 'staircase of true MI values, nats (staircase tasks; a fixed-MI task uses its own)', CELL_DEFAULTS.mi.join(','))
    .option('--steps-per-level <N>', 'training steps per MI level', String(CELL_DEFAULTS.stepsPerLevel))
    .option('--batch-size <N>', 'batch size n', String(CELL_DEFAULTS.batchSize))
    .option('--dim <D>', 'dimension d of x and y (staircase tasks; other tasks fix their own)', String(CELL_DEFAULTS.dim))
    .option('--batch-rho <R>', "within-batch correlation ρ_batch in [0, 1), or 'random' (U(0, 0.5))", String(CELL_DEFAULTS.batchRho))
    .option('--seed <S>', 'seed (data and initialisation streams)', String(CELL_DEFAULTS.seed))
    .option('--hidden <H>', 'hidden width', String(CELL_DEFAULTS.hidden))
    .option('--embed <E>', 'separable critic embedding width', String(CELL_DEFAULTS.embed))
    .option('--lr <lr>', 'Adam learning rate', String(CELL_DEFAULTS.lr))
    .option('--engine <engine>', 'auto | tfjs | wasm | webgpu (auto: tfjs on CUDA, else wasm; webgpu: our WGSL kernels on any WebGPU adapter, software ones included)', CELL_DEFAULTS.engine)
    .option('--backend <backend>', 'auto | tensorflow | wasm | cpu', CELL_DEFAULTS.backend)
    .option('--sample-size <N>', "BMI's finite-sample protocol: one fixed sample of N points, train on a split, report the best held-out estimate")
    .option('--test-share <s>', `finite-sample protocol: share of the sample held out (default ${FINITE_SAMPLE_DEFAULTS.testShare})`)
    .option('--eval-every <N>', `finite-sample protocol: evaluate on the held-out part every N steps (default ${FINITE_SAMPLE_DEFAULTS.evalEvery})`)
    .option('--bound-precision <p>', `the bounds' exponentials over the n² scores: auto (default: float64 below n = ${AUTO_FLOAT32_FROM}, float32 from it) | float64 (bit for bit Math.exp) | float32 (SIMD, NWJ's pass ~4× faster at n = 1 024; estimates within float32 rounding)`)
    .option('--plugin <file>', 'load bounds and tasks from an ES module (repeatable; see examples/plugins/)', collect)
    .option('--json', 'print one JSON object')
    .option('--out <file>', 'also write the full JSON result to FILE (written only on success)')
    .action(async (flags: RunFlags, cmd: Command) => {
      await loadPlugins(flags.plugin);
      const spec = specFromFlags(flags, (k) => cmd.getOptionValueSource(k) === 'cli');
      if (flags.out !== undefined) checkOutputFile('--out', flags.out);
      if (spec.engine === 'webgpu') {
        // Probe in a child first: where there is no adapter, Dawn's native warnings stay there.
        const { probeWebGpu, describeProbe } = await import('../gpu-probe.js');
        const probe = await probeWebGpu();
        if (!probe.ok) throw new UsageError(`--engine webgpu: not available on this machine: ${describeProbe(probe)}`);
      }
      const result = await runCell(spec);
      const json = JSON.stringify(publicResult(result));
      if (flags.out !== undefined) writeOutputFile('--out', flags.out, JSON.stringify(result, null, 2) + '\n');
      process.stdout.write(flags.json ? json + '\n' : table(result));
    });
}

/** The --json object: the run's identity, engine, timing, level statistics and trajectory. */
function publicResult(r: CellResult) {
  return {
    estimator: r.estimator, critic: r.critic, task: r.task, seed: r.seed,
    boundOptions: r.spec.boundOptions, spectralNorm: r.spec.spectralNorm,
    spectralNormLayers: r.spec.spectralNorm ? r.spec.spectralNormLayers ?? 'last' : undefined, batchRho: r.spec.batchRho,
    batchSize: r.spec.batchSize, dim: r.spec.dim, ...(r.spec.dimY !== undefined ? { dimY: r.spec.dimY } : {}),
    engine: r.engine, backend: r.backend, steps: r.steps, msPerStep: r.msPerStep, wallMs: r.wallMs,
    window: 'last half of each level',
    levels: r.levels, logN: r.logN, trajectory: r.trajectory,
    ...(r.heldOut ? { heldOut: r.heldOut } : {}),
    ...(r.spec.plugins ? { plugins: r.spec.plugins } : {}),
    ...(r.spec.boundPrecision ? { boundPrecision: r.spec.boundPrecision } : {}),
    ...(r.spec.negatives ? { negatives: r.spec.negatives } : {}),
    ...(r.gpu ? { gpu: r.gpu } : {}),
  };
}

function table(r: CellResult): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  const lines = [
    `${r.estimator === 'fdime' || r.spec.negatives ? estimatorLabel(r.spec) : r.estimator} · ${r.critic} critic · ${r.task} · seed ${r.seed} · ${r.engine}/${r.backend}${r.gpu ? ` (${r.gpu.adapter}${r.gpu.fallback ? ', software' : ''})` : ''} · ${r.msPerStep.toFixed(2)} ms/step`,
    // An upper bound's violations are the estimates below the truth (src/engine/levelStats.ts).
    `true MI   mean     bias     variance  MSE      ${isUpperBound(r.estimator) ? '<' : '>'}MI share  non-finite`,
    ...r.levels.map((l) => [f(l.trueMi).padEnd(9), f(l.mean).padEnd(8), f(l.bias).padEnd(8), f(l.variance).padEnd(9), f(l.mse).padEnd(8), f(l.violations).padEnd(10), String(l.nonFinite)].join(' ')),
  ];
  if (r.heldOut) {
    const h = r.heldOut;
    lines.push(`held-out estimate (best of ${h.evals.length} evaluations on ${h.testSize} points, BMI's protocol): ${f(h.estimate)} · last ${f(h.final)} · true MI ${f(r.levels[0].trueMi)} · ${h.steps} steps`);
  }
  return lines.join('\n') + '\n';
}

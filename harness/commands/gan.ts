/**
 * `harness gan`: train one GAN on 25 Gaussians (paper §5.3), vanilla or with an MI regulariser
 * estimated by MINE or MICE, and report modes captured and the high-quality share; optionally
 * write an SVG scatter of the generated samples beside the target (like the paper's Fig. 4).
 * The JSON is deterministic for a given command except the timing fields (wallMs, msPerStep).
 */
import { checkOutputFile, writeOutputFile } from '../output.js';
import type { Command } from 'commander';
import type { GanResult, GanSpec } from '../../src/types.js';
import { BACKENDS, ENGINES, GAN_VARIANTS } from '../../src/types.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_GAN_BETA, DEFAULT_GAN_MICE_BLOCK_PARTITION, DEFAULT_GAN_STEPS, GAN_DEFAULTS, ganSpec, MAX_GAN_BATCH_SIZE } from '../../src/gan/config.js';
import { MAX_RUN_STEPS } from '../spec.js';
import { GRID_SIGMA, sampleGrid } from '../../src/gan/data.js';
import { DEFAULT_GRID_BETA, GAN_SETUPS, GRID_SETUP, gridSpec } from '../../src/gan/setup.js';
import { reverseKlUniform } from '../../src/gan/modes.js';
import { ganArmLabel } from '../../src/labels.js';
import { Rng } from '../../src/rng.js';
import { ganScatterSvg } from '../../src/report/ganScatter.js';
import { parseChoice, parseInteger, parseNumber } from '../parse.js';

interface GanFlags {
  variant?: string; seed: string; steps?: string; beta?: string; backend: string; engine?: string; setup: string;
  code?: string; batchSize?: string; json?: boolean; out?: string; progress?: boolean; miceBlockPartition?: boolean;
  miceForm?: string; tau?: string; lr?: string; discLr?: string; emaDecay?: string; schedule?: string;
}

const GRID_ONLY = ['code', 'engine', 'miceForm', 'tau', 'lr', 'discLr', 'emaDecay', 'schedule'] as const;
const FLAG_NAME: Record<(typeof GRID_ONLY)[number], string> = {
  code: '--code', engine: '--engine', miceForm: '--mice-form', tau: '--tau', lr: '--lr', discLr: '--disc-lr', emaDecay: '--ema-decay', schedule: '--schedule',
};

export function register(program: Command): void {
  program.command('gan')
    .description('train a GAN on 25 Gaussians, vanilla or with an MI regulariser (MINE / MICE / SMILE / InfoNCE), and count modes')
    .option('--variant <v>', `${GAN_VARIANTS.join(' | ')}`)
    .option('--setup <name>', "configuration: grid (PacGAN-style networks, the headline) | v1 (the first one, tfjs only)", 'grid')
    .option('--seed <S>', 'seed (data, noise and initialisation streams)', '0')
    .option('--steps <N>', `training steps (default: grid ${GRID_SETUP.steps}, v1 ${DEFAULT_GAN_STEPS})`)
    .option('--beta <B>', `weight β of the MI term (default: grid ${DEFAULT_GRID_BETA}, v1 ${DEFAULT_GAN_BETA}; 0 for vanilla)`)
    .option('--code <c>', 'grid: the code C of eq. 21, continuous (U(0,1)², default) | categorical (one-hot over 25)')
    .option('--batch-size <N>', `batch size, also the MI estimator's n (default: grid ${GRID_SETUP.batchSize}, v1 ${GAN_DEFAULTS.batchSize})`)
    .option('--engine <engine>', 'grid: auto | wasm | tfjs (default auto: wasm when its kernels load)')
    .option('--backend <backend>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--mice-block-partition', "MICE: train the critic with Algorithm 1's blocked partition gradient (diverges here; see docs/gan.md)")
    .option('--mice-form <form>', 'grid, MICE: dv (Algorithm 1, default) | nwj (eq. 14)')
    .option('--tau <T>', 'grid, SMILE: clip threshold τ (default 1)')
    .option('--lr <lr>', `grid: Adam learning rate of G and the critic (default ${GRID_SETUP.lrG})`)
    .option('--disc-lr <lr>', `grid: Adam learning rate of D (default ${GRID_SETUP.lrD})`)
    .option('--ema-decay <d>', `grid: decay of the EMA of G's weights that is evaluated, 0 = none (default ${GRID_SETUP.emaDecay})`)
    .option('--schedule <s>', `grid: learning-rate schedule constant | linear | cosine (default ${GRID_SETUP.schedule})`)
    .option('--json', 'print one JSON object')
    .option('--out <file>', 'write an SVG scatter of generated samples beside the target')
    .option('--progress', 'print losses and the MI estimate every 500 steps to stderr')
    .action(async (flags: GanFlags) => {
      if (flags.variant === undefined) throw new UsageError(`--variant: required (${GAN_VARIANTS.join(' | ')})`);
      const variant = parseChoice('--variant', flags.variant, GAN_VARIANTS);
      const setup = parseChoice('--setup', flags.setup, GAN_SETUPS);
      const beta = flags.beta === undefined ? undefined : parseNumber('--beta', flags.beta);
      if (beta !== undefined) {
        if (!(beta >= 0) || !Number.isFinite(beta)) throw new UsageError(`--beta: must be a finite number >= 0, got ${flags.beta}`);
        if (variant === 'vanilla' && beta !== 0) throw new UsageError(`--beta: vanilla has no MI term; use --variant ${GAN_VARIANTS.filter((v) => v !== 'vanilla').join(' | ')}`);
      }
      if (flags.miceBlockPartition && variant !== 'mice') throw new UsageError('--mice-block-partition: only for --variant mice');
      const seed = parseInteger('--seed', flags.seed, 0);
      // The loop keeps the last tenth of its MI estimates: MAX_RUN_STEPS bounds that as it does a cell's.
      const steps = flags.steps === undefined ? undefined : parseInteger('--steps', flags.steps, 1, MAX_RUN_STEPS);
      const backend = parseChoice('--backend', flags.backend, BACKENDS);
      let spec: GanSpec;
      if (setup === 'v1') {
        for (const k of GRID_ONLY) if (flags[k] !== undefined) throw new UsageError(`${FLAG_NAME[k]}: only for --setup grid`);
        if (variant === 'smile' || variant === 'infonce') throw new UsageError(`--variant: ${variant} needs --setup grid`);
        const batchSize = parseInteger('--batch-size', flags.batchSize ?? String(GAN_DEFAULTS.batchSize), 2, MAX_GAN_BATCH_SIZE);
        spec = ganSpec(variant, seed, {
          steps: steps ?? DEFAULT_GAN_STEPS, beta: beta ?? DEFAULT_GAN_BETA, backend,
          ...(batchSize !== GAN_DEFAULTS.batchSize ? { batchSize } : {}),
          ...(flags.miceBlockPartition ? { miceBlockPartition: true } : {}),
        });
      } else {
        if (flags.miceForm !== undefined && variant !== 'mice') throw new UsageError('--mice-form: only for --variant mice');
        if (flags.tau !== undefined && variant !== 'smile') throw new UsageError('--tau: only for --variant smile');
        const positive = (flag: string, raw: string | undefined, max = Infinity) => {
          if (raw === undefined) return undefined;
          const v = parseNumber(flag, raw);
          if (!(v > 0 && v <= max)) throw new UsageError(`${flag}: must be a number in (0, ${max}], got ${raw}`);
          return v;
        };
        const ema = flags.emaDecay === undefined ? undefined : parseNumber('--ema-decay', flags.emaDecay);
        if (ema !== undefined && !(ema >= 0 && ema < 1)) throw new UsageError(`--ema-decay: must be in [0, 1), got ${flags.emaDecay}`);
        spec = gridSpec(variant, seed, {
          ...(steps !== undefined ? { steps } : {}),
          ...(beta !== undefined ? { beta } : {}),
          backend,
          ...(flags.engine !== undefined ? { engine: parseChoice('--engine', flags.engine, ENGINES) } : {}),
          ...(flags.code !== undefined ? { code: parseChoice('--code', flags.code, ['continuous', 'categorical'] as const) } : {}),
          ...(flags.batchSize !== undefined ? { batchSize: parseInteger('--batch-size', flags.batchSize, 2, MAX_GAN_BATCH_SIZE) } : {}),
          ...(flags.miceBlockPartition ? { miceBlockPartition: true } : {}),
          ...(flags.miceForm !== undefined ? { miceForm: parseChoice('--mice-form', flags.miceForm, ['dv', 'nwj'] as const) } : {}),
          ...(flags.tau !== undefined ? { tau: positive('--tau', flags.tau) } : {}),
          ...(flags.lr !== undefined ? { lr: positive('--lr', flags.lr, 1) } : {}),
          ...(flags.discLr !== undefined ? { discLr: positive('--disc-lr', flags.discLr, 1) } : {}),
          ...(ema !== undefined ? { emaDecay: ema } : {}),
          ...(flags.schedule !== undefined ? { schedule: parseChoice('--schedule', flags.schedule, ['constant', 'linear', 'cosine'] as const) } : {}),
        });
      }
      if (flags.out !== undefined) checkOutputFile('--out', flags.out);
      // tfjs loads only when a GAN actually runs (keeps every other command's start-up light).
      const { runGanCell } = await import('../../src/gan/run.js');
      const result = await runGanCell(spec, flags.progress ? {
        progressEvery: 500,
        onProgress: (p) => process.stderr.write(`step ${p.step}/${p.steps}  lossD ${p.lossD.toFixed(3)}  lossG ${p.lossG.toFixed(3)}  MI ${p.mi.toFixed(3)}\n`),
      } : {});
      if (flags.out !== undefined) writeOutputFile('--out', flags.out, scatter(result));
      process.stdout.write(flags.json ? JSON.stringify(publicResult(result)) + '\n' : summary(result, flags.out));
    });
}

function publicResult(r: GanResult) {
  const grid = r.spec.setup === 'grid';
  const batchSize = r.spec.batchSize ?? (grid ? GRID_SETUP.batchSize : GAN_DEFAULTS.batchSize);
  return {
    variant: r.variant, seed: r.seed, modes: r.modes, highQuality: r.highQuality,
    beta: r.spec.beta, code: r.spec.code ?? 'continuous', engine: r.engine, backend: r.backend,
    setup: r.spec.setup ?? 'v1', steps: r.spec.steps, batchSize,
    ...(r.variant === 'mice' ? {
      miceBlockPartition: r.spec.miceBlockPartition ?? DEFAULT_GAN_MICE_BLOCK_PARTITION,
      ...(grid ? { miceForm: r.spec.miceForm ?? 'dv' } : {}),
    } : {}),
    ...(r.variant === 'smile' ? { tau: r.spec.tau ?? 1 } : {}),
    ...(r.miEstimate !== undefined ? { miEstimate: r.miEstimate } : {}),
    ...(r.perMode ? { reverseKl: reverseKlUniform(r.perMode) } : {}),
    sigma: GRID_SIGMA, evalSamples: GAN_DEFAULTS.evalSamples, minPerMode: GAN_DEFAULTS.minPerMode,
    wallMs: r.wallMs, msPerStep: r.msPerStep,
  };
}

function summary(r: GanResult, out?: string): string {
  const lines = [
    `GAN on 25 Gaussians (σ = ${GRID_SIGMA}), setup ${r.spec.setup ?? 'v1'}, variant ${r.variant}, ${r.spec.code ?? 'continuous'} code, seed ${r.seed}, ${r.spec.steps} steps, β = ${r.spec.beta}, ${r.engine} (${r.backend})`,
    `modes captured: ${r.modes}/25 (≥ ${GAN_DEFAULTS.minPerMode} of ${GAN_DEFAULTS.evalSamples} samples within 3σ)`,
    `high-quality samples: ${(100 * r.highQuality).toFixed(1)}% (within 3σ of a mode)`,
  ];
  if (r.perMode) lines.push(`reverse KL of the mode histogram from uniform: ${reverseKlUniform(r.perMode).toFixed(3)} nats`);
  if (r.miEstimate !== undefined) lines.push(`MI estimate I(G(z, c); c), last 10% of steps: ${r.miEstimate.toFixed(3)} nats`);
  lines.push(`time: ${(r.wallMs / 1000).toFixed(1)} s (${(r.msPerStep ?? 0).toFixed(1)} ms/step)`);
  if (out) lines.push(`scatter: ${out}`);
  return lines.join('\n') + '\n';
}

function scatter(r: GanResult): string {
  const flat = sampleGrid(new Rng(['gan-target-plot', 0]), r.samples.length);
  const target: [number, number][] = [];
  for (let i = 0; i < r.samples.length; i++) target.push([flat[2 * i], flat[2 * i + 1]]);
  const name = ganArmLabel(r.spec, { beta: false });
  return ganScatterSvg([
    { title: 'target', points: target },
    { title: `${name} (seed ${r.seed})`, subtitle: `modes ${r.modes}/25 · high quality ${(100 * r.highQuality).toFixed(1)}%`, points: r.samples },
  ], { title: `25 Gaussians, ${r.spec.steps} steps${r.variant === 'vanilla' ? '' : `, β = ${r.spec.beta}`}` });
}

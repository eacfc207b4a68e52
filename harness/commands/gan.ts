/**
 * `harness gan`: train one GAN on 25 Gaussians (paper §5.3), vanilla or with an MI regulariser
 * estimated by MINE or MICE, and report modes captured and the high-quality share; optionally
 * write an SVG scatter of the generated samples beside the target (like the paper's Fig. 4).
 * The JSON is deterministic for a given command except the timing fields (wallMs, msPerStep).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { GanResult } from '../../src/types.js';
import { BACKENDS, GAN_VARIANTS } from '../../src/types.js';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_GAN_BETA, DEFAULT_GAN_MICE_BLOCK_PARTITION, DEFAULT_GAN_STEPS, GAN_DEFAULTS, ganSpec } from '../../src/gan/config.js';
import { GRID_SIGMA, sampleGrid } from '../../src/gan/data.js';
import { Rng } from '../../src/rng.js';
import { ganScatterSvg } from '../../src/report/ganScatter.js';
import { parseChoice, parseInteger, parseNumber } from '../parse.js';

interface GanFlags {
  variant?: string; seed: string; steps: string; beta?: string; backend: string;
  batchSize?: string; json?: boolean; out?: string; progress?: boolean; miceBlockPartition?: boolean;
}

export function register(program: Command): void {
  program.command('gan')
    .description('train a GAN on 25 Gaussians, vanilla or with an MI regulariser (MINE / MICE), and count modes')
    .option('--variant <v>', `${GAN_VARIANTS.join(' | ')}`)
    .option('--seed <S>', 'seed (data, noise and initialisation streams)', '0')
    .option('--steps <N>', 'training steps', String(DEFAULT_GAN_STEPS))
    .option('--beta <B>', `weight β of the MI term (default ${DEFAULT_GAN_BETA}; 0 for vanilla)`)
    .option('--batch-size <N>', 'batch size (also the MI estimator\'s n)', String(GAN_DEFAULTS.batchSize))
    .option('--backend <backend>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--mice-block-partition', "MICE: train the critic with Algorithm 1's blocked partition gradient (diverges here; see docs/gan.md)")
    .option('--json', 'print one JSON object')
    .option('--out <file>', 'write an SVG scatter of generated samples beside the target')
    .option('--progress', 'print losses and the MI estimate every 500 steps to stderr')
    .action(async (flags: GanFlags) => {
      if (flags.variant === undefined) throw new UsageError('--variant: required (vanilla | mine | mice)');
      const variant = parseChoice('--variant', flags.variant, GAN_VARIANTS);
      let beta = DEFAULT_GAN_BETA;
      if (flags.beta !== undefined) {
        beta = parseNumber('--beta', flags.beta);
        if (!(beta >= 0) || !Number.isFinite(beta)) throw new UsageError(`--beta: must be a finite number >= 0, got ${flags.beta}`);
        if (variant === 'vanilla' && beta !== 0) throw new UsageError('--beta: vanilla has no MI term; use --variant mine or mice');
      }
      const batchSize = parseInteger('--batch-size', flags.batchSize ?? String(GAN_DEFAULTS.batchSize), 2);
      const spec = ganSpec(variant, parseInteger('--seed', flags.seed, 0), {
        steps: parseInteger('--steps', flags.steps, 1),
        beta,
        backend: parseChoice('--backend', flags.backend, BACKENDS),
        ...(batchSize !== GAN_DEFAULTS.batchSize ? { batchSize } : {}),
        ...(flags.miceBlockPartition ? { miceBlockPartition: true } : {}),
      });
      if (flags.miceBlockPartition && variant !== 'mice') throw new UsageError('--mice-block-partition: only for --variant mice');
      // tfjs loads only when a GAN actually runs (keeps every other command's start-up light).
      const { runGanCell } = await import('../../src/gan/run.js');
      const result = await runGanCell(spec, flags.progress ? {
        progressEvery: 500,
        onProgress: (p) => process.stderr.write(`step ${p.step}/${p.steps}  lossD ${p.lossD.toFixed(3)}  lossG ${p.lossG.toFixed(3)}  MI ${p.mi.toFixed(3)}\n`),
      } : {});
      if (flags.out) writeFileSync(flags.out, scatter(result));
      process.stdout.write(flags.json ? JSON.stringify(publicResult(result)) + '\n' : summary(result, flags.out));
    });
}

function publicResult(r: GanResult) {
  return {
    variant: r.variant, seed: r.seed, modes: r.modes, highQuality: r.highQuality,
    engine: r.engine, backend: r.backend, steps: r.spec.steps, beta: r.spec.beta,
    batchSize: r.spec.batchSize ?? GAN_DEFAULTS.batchSize,
    ...(r.variant === 'mice' ? { miceBlockPartition: r.spec.miceBlockPartition ?? DEFAULT_GAN_MICE_BLOCK_PARTITION } : {}),
    ...(r.miEstimate !== undefined ? { miEstimate: r.miEstimate } : {}),
    sigma: GRID_SIGMA, evalSamples: GAN_DEFAULTS.evalSamples, minPerMode: GAN_DEFAULTS.minPerMode,
    wallMs: r.wallMs, msPerStep: r.msPerStep,
  };
}

function summary(r: GanResult, out?: string): string {
  const lines = [
    `GAN on 25 Gaussians (σ = ${GRID_SIGMA}), variant ${r.variant}, seed ${r.seed}, ${r.spec.steps} steps, β = ${r.spec.beta}, ${r.backend}`,
    `modes captured: ${r.modes}/25 (≥ ${GAN_DEFAULTS.minPerMode} of ${GAN_DEFAULTS.evalSamples} samples within 3σ)`,
    `high-quality samples: ${(100 * r.highQuality).toFixed(1)}% (within 3σ of a mode)`,
  ];
  if (r.miEstimate !== undefined) lines.push(`MI estimate I(G(z, c); c), last 10% of steps: ${r.miEstimate.toFixed(3)} nats`);
  lines.push(`time: ${(r.wallMs / 1000).toFixed(1)} s (${(r.msPerStep ?? 0).toFixed(1)} ms/step)`);
  if (out) lines.push(`scatter: ${out}`);
  return lines.join('\n') + '\n';
}

function scatter(r: GanResult): string {
  const flat = sampleGrid(new Rng(['gan-target-plot', 0]), r.samples.length);
  const target: [number, number][] = [];
  for (let i = 0; i < r.samples.length; i++) target.push([flat[2 * i], flat[2 * i + 1]]);
  const name = (r.variant === 'vanilla' ? 'GAN' : `GAN + ${r.variant.toUpperCase()}`) + (r.spec.miceBlockPartition ? ' (blocked ∂Z)' : '');
  return ganScatterSvg([
    { title: 'target', points: target },
    { title: `${name} (seed ${r.seed})`, subtitle: `modes ${r.modes}/25 · high quality ${(100 * r.highQuality).toFixed(1)}%`, points: r.samples },
  ], { title: `25 Gaussians, ${r.spec.steps} steps${r.variant === 'vanilla' ? '' : `, β = ${r.spec.beta}`}` });
}

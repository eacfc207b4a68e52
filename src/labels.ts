/**
 * Display labels: the one place that turns a spec into the names a reader sees. An estimator's
 * label carries the options that distinguish it from its defaults (the defaults are those of
 * src/variant.ts): `smile(τ=1)`, `smile(τ=∞)`, `mice`, `mice(form=nwj)`,
 * `mice(no-block)`, `mice(no-sn)`, `mice(sn=all)` (every layer normalised), `nwj(+sn)`, `alpha-infonce(α=0.3)`, `mine(ema=0.05)`,
 * `fdime(f=kl)`, `fdime(f=gan, all-pairs)` (f-DIME with all n(n−1) negatives, not its default
 * derangement), `nwj(deranged)` (any other estimator with negatives by derangement).
 * FLO and the variational-conditional estimators have no options: `flo`, `ba`, `club`, `l1out`,
 * `doe` (their critic, 'variational' for the last four, is part of the context, not the label).
 * SMILE always shows τ, because τ = 1 and τ = ∞ are different estimators in the paper; f-DIME its f.
 * JSON has no Infinity: an absent or null τ means no clipping (∞).
 */
import type { BoundOptions, CellSpec } from './types.js';

type LabelSpec = Pick<CellSpec, 'estimator' | 'spectralNorm'> & { boundOptions?: BoundOptions | null; spectralNormLayers?: string | null; negatives?: string | null };

const DEFAULT_ALPHA = 0.5;
const DEFAULT_EMA = 0.01;
// entropyY (Barber–Agakov's H(Y)) is filled by the training loop from the task, never a variant's
// option: it never distinguishes two estimators.
const KNOWN_OPTIONS = new Set(['tau', 'alpha', 'emaRate', 'miceForm', 'miceBlockPartition', 'fdimeF', 'entropyY']);

export function estimatorLabel(spec: LabelSpec): string {
  const o: Record<string, unknown> = { ...(spec.boundOptions ?? {}) };
  const parts: string[] = [];
  switch (spec.estimator) {
    case 'smile': {
      const tau = o.tau;
      parts.push(`τ=${typeof tau === 'number' && Number.isFinite(tau) ? num(tau) : '∞'}`);
      break;
    }
    case 'alpha-infonce':
      if (typeof o.alpha === 'number' && o.alpha !== DEFAULT_ALPHA) parts.push(`α=${num(o.alpha)}`);
      break;
    case 'mine':
      if (typeof o.emaRate === 'number' && o.emaRate !== DEFAULT_EMA) parts.push(`ema=${num(o.emaRate)}`);
      break;
    case 'mice':
      if (o.miceForm === 'nwj') parts.push('form=nwj');
      if (o.miceBlockPartition === false) parts.push('no-block');
      break;
    case 'fdime':
      parts.push(`f=${typeof o.fdimeF === 'string' ? o.fdimeF : 'kl'}`);
      break;
    default:
      break;
  }
  const deranged = spec.negatives === 'derangement';
  if (deranged !== (spec.estimator === 'fdime')) parts.push(deranged ? 'deranged' : 'all-pairs');
  const snDefault = spec.estimator === 'mice';
  if (spec.spectralNorm && spec.spectralNormLayers === 'all') parts.push(snDefault ? 'sn=all' : '+sn=all');
  else if (spec.spectralNorm !== undefined && spec.spectralNorm !== snDefault) parts.push(spec.spectralNorm ? '+sn' : 'no-sn');
  // Options this file does not know yet still distinguish estimators: show them verbatim.
  for (const k of Object.keys(o).sort()) {
    if (!KNOWN_OPTIONS.has(k) && o[k] !== undefined) parts.push(`${k}=${String(o[k])}`);
  }
  return parts.length ? `${spec.estimator}(${parts.join(', ')})` : spec.estimator;
}

/** ρ_batch as written in tables and file names. */
export function rhoLabel(rho: number | 'random' | null | undefined): string {
  if (rho === 'random') return 'random';
  return typeof rho === 'number' ? num(rho) : '0';
}

/** A short, stable number spelling for labels (no trailing zeros, no exponent for ordinary values). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : 'NaN';
  return String(Number(x.toPrecision(6)));
}

/** A file-name-safe slug: lowercase ASCII, digits, '-', '_' and '.', nothing else. */
export function slug(s: string): string {
  return s
    .replace(/τ/g, 'tau').replace(/α/g, 'alpha').replace(/ρ/g, 'rho').replace(/∞/g, 'inf')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The fields of a GAN spec that name its arm (src/types.ts GanSpec). */
export interface GanLabelSpec {
  variant: string;
  beta?: number;
  code?: string | null;
  miceBlockPartition?: boolean | null;
  miceForm?: string | null;
  tau?: number | null;
}

/**
 * A GAN variant with the options that distinguish it: `vanilla`, `mine`, `mice`,
 * `mice(blocked)` (Algorithm 1's blocked partition gradient in the critic), `mice(form=nwj)`,
 * `smile(τ=1)`, `infonce`. The GAN's default MICE reading (DV form, critic unblocked) is bare `mice`.
 */
export function ganVariantLabel(s: GanLabelSpec): string {
  const parts: string[] = [];
  if (s.variant === 'mice') {
    if (s.miceForm === 'nwj') parts.push('form=nwj');
    if (s.miceBlockPartition === true) parts.push('blocked');
  }
  if (s.variant === 'smile') parts.push(`τ=${typeof s.tau === 'number' ? num(s.tau) : '1'}`);
  return parts.length ? `${s.variant}(${parts.join(', ')})` : s.variant;
}

/** A reader's name for a GAN arm, e.g. `GAN + MICE(blocked), β = 0.1, categorical code`. */
export function ganArmLabel(s: GanLabelSpec, o: { beta?: boolean; code?: boolean } = {}): string {
  const v = ganVariantLabel(s);
  const name = s.variant === 'vanilla' ? 'GAN' : `GAN + ${v.replace(/^[a-z]+/, (m) => m.toUpperCase())}`;
  const extra: string[] = [];
  if ((o.beta ?? true) && s.variant !== 'vanilla' && typeof s.beta === 'number') extra.push(`β = ${num(s.beta)}`);
  if (o.code ?? true) extra.push(`${s.code ?? 'continuous'} code`);
  return extra.length ? `${name}, ${extra.join(', ')}` : name;
}

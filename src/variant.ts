/**
 * Estimator variants: one grid axis entry names an estimator plus its bound options, so one
 * preset can hold SMILE at τ = 1 and τ = ∞ (paper Fig. 2) or MICE's NWJ form next to its DV form.
 *
 *   variant := estimator (':' key '=' value)*
 *   smile:tau=1   smile:tau=inf   mice:form=nwj   mice:block=off   mice:sn=off
 *   alpha-infonce:alpha=0.3   mine:ema=0.05   nwj:sn=on
 *   fdime:f=gan   fdime:f=kl:neg=all   nwj:neg=derangement
 *
 * Keys: tau (smile; number > 0 or inf; default 1, as `harness run`), alpha (alpha-infonce; [0, 1];
 * default 0.5), ema (mine; (0, 1]; default 0.01), form (mice; dv | nwj; default dv = Algorithm 1),
 * block (mice; on | off: block the partition function's gradient; default on), sn (any estimator;
 * on | last | all | off: spectral normalisation of the last layer (on = last) or of every linear
 * layer (all); default on for mice only), f (fdime; kl | gan | hd; default kl), neg (any estimator
 * whose bound supports it; all | derangement: the product-of-marginals samples, all n(n−1)
 * off-diagonal pairs or the n pairs of a random derangement (src/bounds/derangement.ts); default
 * derangement for fdime, as f-DIME, and all for every other estimator).
 * SMILE's τ = ∞ is stored as an absent tau (BoundOptions: absent means no clipping), because JSON
 * has no Infinity. `variantLabel` is the canonical spelling; parseVariant(variantLabel(x)) = x.
 */
import type { BoundOptions, CellSpec, EstimatorId, EstimatorName } from './types.js';
import { UsageError } from './errors.js';
import { getBound, knownEstimators } from './bounds/index.js';
import { FDIME_DIVERGENCES } from './bounds/fdime.js';
import { assertDerangementSupported } from './bounds/derangement.js';

export interface Variant {
  /** A built-in estimator or a plugin bound (which takes only the `sn` key). */
  estimator: EstimatorId;
  boundOptions: BoundOptions;
  spectralNorm: boolean;
  spectralNormLayers?: 'all';
  /** Negatives by derangement (CellSpec.negatives); absent: all pairs. */
  negatives?: 'derangement';
}

const KEYS: Record<string, readonly EstimatorName[] | 'all'> = {
  tau: ['smile'], alpha: ['alpha-infonce'], ema: ['mine'], form: ['mice'], block: ['mice'], sn: 'all',
  f: ['fdime'], neg: 'all',
};

/** Parse one variant string; the error message names the variant, for the caller to prefix. */
export function parseVariant(raw: string): Variant {
  const [name, ...opts] = raw.trim().split(':');
  if (!knownEstimators().includes(name)) {
    throw new UsageError(`unknown estimator '${name}' (known: ${knownEstimators().join(', ')}; plugin bounds need --plugin)`);
  }
  const estimator = name as EstimatorName;
  const set = new Map<string, string>();
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const applies = KEYS[key];
    if (eq < 0 || applies === undefined || (applies !== 'all' && !applies.includes(estimator))) {
      const known = Object.keys(KEYS).filter((k) => KEYS[k] === 'all' || (KEYS[k] as readonly string[]).includes(estimator));
      throw new UsageError(`'${raw}': unknown option '${o}' for ${estimator} (known: ${known.map((k) => `${k}=…`).join(', ')})`);
    }
    if (set.has(key)) throw new UsageError(`'${raw}': option '${key}' given twice`);
    set.set(key, o.slice(eq + 1));
  }
  const num = (key: string, ok: (v: number) => boolean, what: string): number | undefined => {
    const s = set.get(key);
    if (s === undefined) return undefined;
    const v = s === 'inf' || s === 'infinity' ? Infinity : s.trim() === '' ? NaN : Number(s);
    if (!ok(v)) throw new UsageError(`'${raw}': ${key} must be ${what}, got '${s}'`);
    return v;
  };
  const flag = (key: string): boolean | undefined => {
    const s = set.get(key);
    if (s === undefined) return undefined;
    if (s === 'on' || s === 'true') return true;
    if (s === 'off' || s === 'false') return false;
    throw new UsageError(`'${raw}': ${key} must be ${key === 'sn' ? 'on, last, all or off' : 'on or off'}, got '${s}'`);
  };
  const boundOptions: BoundOptions = {};
  if (estimator === 'smile') {
    const tau = num('tau', (v) => v > 0, 'a number > 0 or inf') ?? 1;
    if (Number.isFinite(tau)) boundOptions.tau = tau;
  }
  if (estimator === 'alpha-infonce') boundOptions.alpha = num('alpha', (v) => v >= 0 && v <= 1, 'in [0, 1]') ?? 0.5;
  if (estimator === 'mine') boundOptions.emaRate = num('ema', (v) => v > 0 && v <= 1, 'in (0, 1]') ?? 0.01;
  if (estimator === 'mice') {
    const form = set.get('form') ?? 'dv';
    if (form !== 'dv' && form !== 'nwj') throw new UsageError(`'${raw}': form must be dv or nwj, got '${form}'`);
    boundOptions.miceForm = form;
    boundOptions.miceBlockPartition = flag('block') ?? true;
  }
  if (estimator === 'fdime') {
    const f = set.get('f') ?? 'kl';
    if (!(FDIME_DIVERGENCES as readonly string[]).includes(f)) throw new UsageError(`'${raw}': f must be ${FDIME_DIVERGENCES.join(', ')}, got '${f}'`);
    boundOptions.fdimeF = f as (typeof FDIME_DIVERGENCES)[number];
  }
  const neg = set.get('neg') ?? (estimator === 'fdime' ? 'derangement' : 'all');
  if (neg !== 'all' && neg !== 'derangement') throw new UsageError(`'${raw}': neg must be all or derangement, got '${neg}'`);
  if (neg === 'derangement') assertDerangementSupported(getBound(estimator), estimator, `'${raw}'`, 'use neg=all');
  const negatives = neg === 'derangement' ? { negatives: 'derangement' as const } : {};
  const sn = set.get('sn');
  if (sn === 'all') return { estimator, boundOptions, spectralNorm: true, spectralNormLayers: 'all', ...negatives };
  if (sn === 'last') return { estimator, boundOptions, spectralNorm: true, ...negatives };
  return { estimator, boundOptions, spectralNorm: flag('sn') ?? estimator === 'mice', ...negatives };
}

/** Canonical name of a spec's (or variant's) estimator variant: defaults are left out, except τ and f. */
export function variantLabel(v: Pick<CellSpec, 'estimator' | 'boundOptions' | 'spectralNorm' | 'spectralNormLayers' | 'negatives'>): string {
  const o = v.boundOptions;
  const parts: string[] = [v.estimator];
  if (v.estimator === 'smile') parts.push(`tau=${o.tau === undefined || o.tau === Infinity ? 'inf' : o.tau}`);
  if (v.estimator === 'alpha-infonce' && o.alpha !== undefined && o.alpha !== 0.5) parts.push(`alpha=${o.alpha}`);
  if (v.estimator === 'mine' && o.emaRate !== undefined && o.emaRate !== 0.01) parts.push(`ema=${o.emaRate}`);
  if (v.estimator === 'mice') {
    if (o.miceForm === 'nwj') parts.push('form=nwj');
    if (o.miceBlockPartition === false) parts.push('block=off');
  }
  // f-DIME's three divergences are three estimators: f is always shown, as SMILE's τ.
  if (v.estimator === 'fdime') parts.push(`f=${o.fdimeF ?? 'kl'}`);
  const deranged = v.negatives === 'derangement';
  if (deranged !== (v.estimator === 'fdime')) parts.push(`neg=${deranged ? 'derangement' : 'all'}`);
  if (v.spectralNorm && v.spectralNormLayers === 'all') parts.push('sn=all');
  else if (v.spectralNorm !== (v.estimator === 'mice')) parts.push(`sn=${v.spectralNorm ? 'on' : 'off'}`);
  return parts.join(':');
}

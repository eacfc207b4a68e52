/**
 * Statistics of the GAN experiment (paper §5.3) from a store's GAN records: one arm per
 * (setup, steps, variant with its reading, code, β); per arm the mean over seeds with bootstrap
 * 95% CIs of modes captured, high-quality share and the reverse KL of the mode histogram from
 * uniform, and the share of seeds that captured all 25 modes; per regularised arm, paired
 * Wilcoxon signed-rank tests against the vanilla GAN of the same setup, steps and code at the
 * same seeds (a seed fixes the data, noise and G/D initialisation: src/gan/loop.ts), for the three
 * metrics, Holm-corrected over all of them together. Higher is better for modes and high quality,
 * lower for the reverse KL.
 *
 * This is also the interface for claims about the experiment (REPRODUCTION.md's "a GAN
 * regularised by MICE captures all 25 modes where a vanilla GAN fails"): `ganSummary` gives every
 * arm and every test against vanilla; `ganArm` finds an arm, `vanillaOf` the vanilla arm it is paired with.
 */
import { num } from '../labels.js';
import { bootstrapCi, type Interval } from './bootstrap.js';
import { mean } from './describe.js';
import { canReachSignificance, holm, wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
import type { GanRecord } from './records.js';

export type GanMetric = 'modes' | 'highQuality' | 'reverseKl';
export const GAN_METRICS: readonly GanMetric[] = ['modes', 'highQuality', 'reverseKl'];
/** Whether a larger value of the metric is better. */
export const GAN_HIGHER_IS_BETTER: Record<GanMetric, boolean> = { modes: true, highQuality: true, reverseKl: false };

export interface GanGroup {
  /** Unique display label: the variant label plus whichever of β, code, setup and steps vary in the store. */
  label: string;
  /** Canonical identity of the arm. */
  key: string;
  setup: string;
  steps: number;
  variant: string;
  /** Variant with its reading, e.g. `mice(blocked)` (src/labels.ts ganVariantLabel). */
  variantLabel: string;
  code: 'continuous' | 'categorical';
  beta: number;
  /** One record per seed, sorted by seed. */
  records: GanRecord[];
  modes: Interval;
  highQuality: Interval;
  /** NaN-valued interval when the records carry no per-mode counts (v1 cells). */
  reverseKl: Interval;
  /** Share of seeds with all 25 modes captured. */
  allModes: number;
  /** Mean MI estimate over seeds (NaN for vanilla). */
  miEstimate: number;
}

export interface GanTest {
  metric: GanMetric;
  /** The regularised arm's label. */
  a: string;
  /** The vanilla arm's label (same setup, steps, code). */
  b: string;
  test: WilcoxonResult;
  pHolm: number;
  familySize: number;
  canReach: boolean;
  /** The better arm's label when pHolm ≤ α, else null. */
  better: string | null;
  /** Mean over the paired seeds of a − b. */
  meanDiff: number;
}

export interface GanSummary { groups: GanGroup[]; tests: GanTest[] }

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const finite = (xs: number[]) => xs.filter(Number.isFinite);
const VARIANT_ORDER = ['vanilla', 'mine', 'mice', 'smile', 'infonce'];

function keyOf(r: GanRecord): string {
  return JSON.stringify([r.setup, r.steps, r.variantLabel, r.code, r.variant === 'vanilla' ? 0 : r.beta]);
}

/** The arm of a store matching every given field (undefined when none or several match). */
export function ganArm(s: GanSummary, q: Partial<Pick<GanGroup, 'setup' | 'steps' | 'variantLabel' | 'code' | 'beta'>>): GanGroup | undefined {
  const hits = s.groups.filter((g) => (Object.keys(q) as (keyof typeof q)[]).every((k) => g[k] === q[k]));
  return hits.length === 1 ? hits[0] : undefined;
}

/** The vanilla arm a regularised arm is compared with: same setup, steps and code (undefined when the store has none). */
export function vanillaOf(s: GanSummary, g: Pick<GanGroup, 'setup' | 'steps' | 'code'>): GanGroup | undefined {
  return s.groups.find((x) => x.variant === 'vanilla' && x.setup === g.setup && x.steps === g.steps && x.code === g.code);
}

export function ganSummary(gans: readonly GanRecord[], B: number, alpha = 0.05): GanSummary {
  const byKey = new Map<string, GanRecord[]>();
  for (const r of [...gans].sort((a, b) => cmp(a.file, b.file))) {
    const k = keyOf(r);
    const list = byKey.get(k) ?? [];
    if (list.some((x) => x.seed === r.seed)) continue; // one record per seed and arm
    list.push(r);
    byKey.set(k, list);
  }
  // Label parts that vary across the store (a store of one setup, code and β per variant keeps
  // the short labels `vanilla`, `mine`, `mice`).
  const all = [...byKey.values()].map((l) => l[0]);
  const varies = (f: (r: GanRecord) => unknown) => new Set(all.map((r) => JSON.stringify(f(r)))).size > 1;
  const betaVaries = [...new Set(all.map((r) => r.variantLabel))].some((v) => new Set(all.filter((r) => r.variantLabel === v).map((r) => r.beta)).size > 1);
  const showCode = varies((r) => r.code), showSetup = varies((r) => [r.setup, r.steps]);
  const groups: GanGroup[] = [...byKey.entries()].map(([key, records]) => {
    const r = records[0];
    const parts: string[] = [];
    if (betaVaries && r.variant !== 'vanilla') parts.push(`β=${num(r.beta)}`);
    if (showCode) parts.push(r.code);
    if (showSetup) parts.push(`${r.setup}, ${num(r.steps)} steps`);
    const label = parts.length ? `${r.variantLabel} [${parts.join(', ')}]` : r.variantLabel;
    records.sort((a, b) => a.seed - b.seed);
    const ci = (xs: number[], what: string) => bootstrapCi(finite(xs), mean, { resamples: B, seedKey: ['gan', label, what] });
    return {
      label, key, setup: r.setup, steps: r.steps, variant: r.variant, variantLabel: r.variantLabel, code: r.code,
      beta: r.variant === 'vanilla' ? 0 : r.beta, records,
      modes: ci(records.map((x) => x.modes), 'modes'),
      highQuality: ci(records.map((x) => x.highQuality), 'hq'),
      reverseKl: ci(records.map((x) => x.reverseKl), 'rkl'),
      allModes: records.filter((x) => x.modes === 25).length / records.length,
      miEstimate: mean(finite(records.map((x) => x.miEstimate))),
    };
  });
  groups.sort((a, b) => cmp(a.setup, b.setup) || a.steps - b.steps || cmp(a.code, b.code)
    || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant) || cmp(a.variantLabel, b.variantLabel) || a.beta - b.beta);

  const family: Omit<GanTest, 'pHolm' | 'familySize' | 'canReach' | 'better'>[] = [];
  for (const metric of GAN_METRICS) {
    for (const g of groups) {
      if (g.variant === 'vanilla') continue;
      const v = vanillaOf({ groups, tests: [] }, g);
      if (!v) continue;
      const vb = new Map(v.records.map((r) => [r.seed, r[metric]]));
      const pairs = g.records.filter((r) => vb.has(r.seed) && Number.isFinite(r[metric]) && Number.isFinite(vb.get(r.seed)!));
      if (pairs.length === 0) continue;
      const xa = pairs.map((r) => r[metric]), xb = pairs.map((r) => vb.get(r.seed)!);
      family.push({ metric, a: g.label, b: v.label, test: wilcoxonSignedRank(xa, xb), meanDiff: mean(xa.map((x, i) => x - xb[i])) });
    }
  }
  const adj = holm(family.map((f) => f.test.p));
  const tests = family.map((f, q): GanTest => {
    const aHigher = f.test.wPlus > f.test.wMinus;
    const aBetter = GAN_HIGHER_IS_BETTER[f.metric] ? aHigher : !aHigher;
    return {
      ...f, pHolm: adj[q], familySize: family.length,
      canReach: canReachSignificance(f.test.minP, family.length, alpha),
      better: adj[q] <= alpha ? (aBetter ? f.a : f.b) : null,
    };
  });
  return { groups, tests };
}

/**
 * Limits are errors (issue 21, item 6): a property-based fuzz of every command's numeric and list
 * flags (and, for the commands that have none, of their paths and arguments). Each case runs the
 * built CLI as a child process with one to three flags set to values drawn from what breaks
 * parsers: huge (1e15, 1e300, 1e400, 2^53 + 1), negative, fractional, NaN, ±inf, -0, hex, empty,
 * blank, garbage, and lists with empty entries and duplicates of valid items. The property: the
 * command succeeds (exit 0), or refuses with exit 2 and exactly one line on stderr, never a stack
 * trace ("    at …"), an internal error (exit 1), an abort (134) or a signal, and never runs past
 * CASE_TIMEOUT_MS.
 *
 * Kept cheap: every base command line is tiny (4 training steps, d = 2, h = 4; sweeps are dry
 * runs, or one 4-step cell into a temporary store); and valid values large enough to make a
 * command legitimately slow are left out, per flag, by a zone (cheap, refused] that the
 * generator may hit and the precondition skips: above the zone the flag's cap or the memory
 * check refuses at once whatever the other flags are, below it a case costs well under a second.
 * Each zone's reason is written beside it. fast-check draws a new seed on every run (printed on
 * failure, with the shrunk command line; MI_HARNESS_FUZZ_SEED=s MI_HARNESS_FUZZ_PATH=p replay it);
 * MI_HARNESS_FUZZ_RUNS=k multiplies the number of cases for a deeper local run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CLI, ROOT, cli, why, type Run } from './cli-helpers.js';

const CASE_TIMEOUT_MS = 60_000;
const SCALE = Math.max(1, Number(process.env.MI_HARNESS_FUZZ_RUNS) || 1);
/** MI_HARNESS_FUZZ_SEED (and MI_HARNESS_FUZZ_PATH) replay a failure fast-check reported. */
const REPLAY = process.env.MI_HARNESS_FUZZ_SEED ? {
  seed: Number(process.env.MI_HARNESS_FUZZ_SEED), ...(process.env.MI_HARNESS_FUZZ_PATH ? { path: process.env.MI_HARNESS_FUZZ_PATH } : {}),
} : {};

let dir = '';
let store = '';
const PLUGIN = join(ROOT, 'examples', 'plugins', 'my-infonce.mjs');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mi-fuzz-'));
  store = join(dir, 'store');
  // A two-cell store for report, site, merge, compare, readdress, compact and pack, written by the CLI itself.
  const r = await cli(['sweep', '--preset', 'smoke', '--estimators', 'nwj', '--seeds', '2', '--steps-per-level', '20', '--mi', '2',
    '--dim', '2', '--hidden', '4', '--embed', '4', '--workers', '1', '--no-gpu', '--shard', 'off', '--out', store]);
  assert.equal(r.code, 0, why(r));
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** A value as a flag receives it: a number's many spellings and what is not a number at all. */
const scalar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e300', '1e15', '1e9', '4294967296', '9007199254740993', '2147483648', 'NaN', 'nan', 'inf', '-inf',
    'Infinity', '-0', '0', '-1', '0.5', '1.5', '1e-400', '5e-324', '0x10', '1_000', '', ' ', 'abc', '1,', ',1', '..', '1..'),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(String),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
  fc.string({ maxLength: 6 }).filter((s) => !s.includes('\0')),
);

/**
 * A path-like argument: a drawn string made a harmless name inside the case's working directory
 * (never '/', '..' or another real path: merge and readdress write), or one of the strings a
 * parser may treat specially ('' and option look-alikes).
 */
const path: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '-1', '-', '--', '1e400', 'NaN'),
  scalar.filter((v) => v !== '').map((v) => `p-${encodeURIComponent(v)}`),
);

/** A comma-separated list: scalars and valid items, duplicates and empty entries included. */
const listOf = (valid: string[]): fc.Arbitrary<string> => {
  const item = valid.length ? fc.oneof(fc.constantFrom(...valid), scalar) : scalar;
  return fc.oneof(
    fc.array(item, { minLength: 0, maxLength: 5 }).map((a) => a.join(',')),
    fc.array(item, { minLength: 1, maxLength: 3 }).map((a) => [...a, ...a].join(',')),
  );
};

/** A YAML scalar or list in the spellings a config file may use (.nan, .inf, 1e400 = Infinity). */
const yamlValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '.nan', '.inf', '-.inf', '1e15', '1e9', '9007199254740993', '-1', '0', '0.5', '2', '""', 'null', '[]', '[1, 1]', '[0, 0, 1]', '[2, ""]', 'abc'),
  fc.integer({ min: -1000, max: 100_000 }).map(String),
  fc.double({ noNaN: true }).map((v) => (Number.isFinite(v) ? String(v) : v > 0 ? '.inf' : '-.inf')),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(0.5, 1e15, 1e300)), { maxLength: 4 }).map((a) => `[${a.join(', ')}]`),
);

/** A sweep config file: one to four keys of the grid (docs/sweep.md), each set to a drawn value. */
const CONFIG_KEYS = ['seeds', 'stepsPerLevel', 'dim', 'hidden', 'embed', 'batchSizes', 'mi', 'lr', 'batchRho', 'jointMaxInputs',
  'finiteSample.size', 'finiteSample.testShare', 'finiteSample.evalEvery', 'ksg.k', 'gan.steps', 'gan.beta'];
const configText: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom('smoke', 'bmi', 'gan', 'consistency'),
  fc.uniqueArray(fc.constantFrom(...CONFIG_KEYS), { minLength: 1, maxLength: 4 }),
).chain(([preset, keys]) => fc.tuple(...keys.map((k) => yamlValue.map((v) => [k, v] as const))).map((kv) => {
  const top: string[] = [`preset: ${preset}`];
  const nested = new Map<string, string[]>();
  for (const [k, v] of kv) {
    const [a, b] = k.split('.');
    if (b === undefined) top.push(`${a}: ${v}`);
    else nested.set(a, [...(nested.get(a) ?? []), `  ${b}: ${v}`]);
  }
  for (const [a, lines] of nested) {
    // finiteSample needs all three keys: fill the others with valid values so the drawn one is what is judged.
    const fill = a === 'finiteSample' ? ['size: 200', 'testShare: 0.5', 'evalEvery: 10'].filter((l) => !lines.some((x) => x.trim().startsWith(l.split(':')[0]))).map((l) => `  ${l}`) : [];
    top.push(`${a}:`, ...lines, ...fill);
  }
  return top.join('\n') + '\n';
}));

interface Flag {
  flag: string;
  values: fc.Arbitrary<string>;
  /**
   * (cheap, refused]: values valid but expensive, skipped (see the header). Every number in the
   * value (each list item; both ends of a seed range) is checked.
   */
  slow?: [number, number];
  /** The value is a file's text: the flag gets the path of a new file holding it. */
  file?: boolean;
}
const num = (flag: string, slow?: [number, number]): Flag => ({ flag, values: scalar, ...(slow ? { slow } : {}) });
const list = (flag: string, valid: string[] = [], slow?: [number, number]): Flag => ({ flag, values: listOf(valid), ...(slow ? { slow } : {}) });

interface Command {
  name: string;
  /** The cheap, valid command line the fuzzed flags are added to (later flags override). */
  base: () => string[];
  flags: Flag[];
  runs: number;
  /** Exit codes that are a success here besides 0 (a sweep whose cells fail after a tiny --timeout: 3). */
  alsoOk?: number[];
}

const TINY_RUN = ['--steps-per-level', '4', '--mi', '2', '--dim', '2', '--hidden', '4', '--embed', '4', '--batch-size', '4'];

const COMMANDS: Command[] = [
  {
    name: 'run', runs: 14,
    base: () => ['run', '--estimator', 'nwj', ...TINY_RUN],
    flags: [
      num('--tau'), num('--alpha'), num('--ema-rate'), num('--lr'), num('--batch-rho'), num('--seed'),
      list('--mi', ['0', '2', '4']),
      // Above 10⁸ steps (levels × steps) the run is refused; below 50 a case is fast.
      num('--steps-per-level', [50, 1e8]),
      // Above these the critic cannot fit a 4 GiB WebAssembly memory at any other flag's value
      // (10⁵ pairs: 2·10¹⁰ scores; 10⁶ hidden: 10¹² parameters; 10⁹ inputs or embeddings: ≥ 2·10⁹
      // parameters × 16 bytes); below 64 / 256 a step costs microseconds.
      num('--batch-size', [64, 1e5]), num('--hidden', [256, 1e6]), num('--dim', [256, 1e9]), num('--embed', [256, 1e9]),
      num('--sample-size'), num('--test-share'), num('--eval-every'),
    ],
  },
  {
    name: 'run (finite sample)', runs: 6,
    base: () => ['run', '--estimator', 'nwj', '--task', 'bmi:binormal', '--steps-per-level', '4', '--hidden', '4', '--embed', '4', '--batch-size', '4', '--sample-size', '40'],
    // Above 2·10⁷ pairs the sample is refused (MAX_SAMPLE_VALUES); below 2 000 it is drawn at once.
    flags: [num('--sample-size', [2000, 2e7]), num('--test-share'), num('--eval-every')],
  },
  {
    name: 'sweep --dry-run', runs: 14,
    base: () => ['sweep', '--preset', 'smoke', '--dry-run', '--shard', 'off', '--out', join(dir, 'never-written')],
    flags: [
      // A dry run lists every job: above 10⁵ seeds the grid is refused; up to 100 seeds, times the
      // other list flags drawn here (≤ 6 items each), it lists a few thousand jobs at once.
      { flag: '--seeds', values: fc.oneof(listOf(['0', '1', '3']), fc.tuple(scalar, scalar).map(([a, b]) => `${a}..${b}`)), slow: [100, 1e5] },
      list('--estimators', ['nwj', 'smile:tau=1', 'mice', 'mice:block=off']), list('--critics', ['joint', 'separable']),
      list('--tasks', ['gaussian', 'cubic', 'bmi:binormal']), list('--batch-rho', ['0', '0.1', 'random']), list('--batch-sizes', ['8', '16']),
      list('--mi', ['2', '4']), num('--steps-per-level'), num('--dim'), num('--hidden'), num('--embed'), num('--lr'),
      num('--workers'), num('--retries'), num('--worker-heap-mb'), num('--gpu-batch'),
      { flag: '--timeout', values: fc.oneof(scalar, fc.tuple(scalar, fc.constantFrom('ms', 's', 'm', 'h')).map(([v, u]) => v + u)) },
      { flag: '--shard', values: fc.oneof(scalar, fc.tuple(scalar, scalar).map(([i, n]) => `${i}/${n}`)) },
    ],
  },
  {
    name: 'sweep --config (dry run)', runs: 8,
    base: () => ['sweep', '--dry-run', '--shard', 'off', '--out', join(dir, 'never-written')],
    flags: [{ flag: '--config', values: configText, file: true }],
  },
  {
    name: 'sweep (one cell, temporary store)', runs: 5, alsoOk: [3],
    base: () => ['sweep', '--preset', 'smoke', '--estimators', 'nwj', '--seeds', '1', '--steps-per-level', '4', '--mi', '2', '--dim', '2',
      '--hidden', '4', '--embed', '4', '--no-gpu', '--shard', 'off', '--workers', '1', '--out', mkdtempSync(join(dir, 'sweep-'))],
    flags: [
      num('--workers'), num('--retries'), num('--worker-heap-mb'), num('--gpu-batch'),
      // A valid huge retry count costs nothing unless the cell fails; a tiny timeout fails it (exit 3).
      { flag: '--timeout', values: fc.oneof(scalar, fc.tuple(scalar, fc.constantFrom('ms', 's', 'm', 'h')).map(([v, u]) => v + u)) },
    ],
  },
  {
    name: 'bench', runs: 7,
    base: () => ['bench', '--engine', 'wasm', '--critic', 'separable', '--steps', '3', '--batch-size', '8', '--bound-precision', 'float64'],
    flags: [
      list('--gpu-batch', ['1', '16']),
      // The bench critic is d = 20, h = 256, e = 32: above 2·10⁴ pairs its step cannot fit, below 64 it is instant.
      list('--batch-size', ['8', '16'], [64, 2e4]),
      // Capped at 2 000 steps and 100 rounds.
      num('--steps', [20, 2000]), num('--rounds', [2, 100]),
      list('--bound-precision', ['auto', 'float64', 'float32']),
    ],
  },
  {
    name: 'gan', runs: 7,
    base: () => ['gan', '--variant', 'smile', '--steps', '2', '--batch-size', '8'],
    flags: [
      num('--seed'), num('--beta'), num('--tau'), num('--lr'), num('--disc-lr'), num('--ema-decay'),
      // Capped at 10⁸ steps and a batch of 4 096 (its n² scores); a GAN step at n ≤ 32 takes milliseconds.
      num('--steps', [20, 1e8]), num('--batch-size', [32, 4096]),
    ],
  },
  {
    name: 'report', runs: 4,
    base: () => ['report', store, '--no-plots'],
    // Capped at 10⁵ resamples; a two-cell store takes 3 000 at once.
    flags: [num('--resamples', [3000, 1e5])],
  },
  {
    name: 'site', runs: 4,
    base: () => ['site', store, '--no-svg', '--out', join(dir, 'site')],
    flags: [num('--resamples', [3000, 1e5]), num('--port')],
  },
  {
    name: 'sample', runs: 8,
    base: () => ['sample', '--task', 'gaussian', '--n', '3', '--mi', '1', '--dim', '2'],
    // Above 2·10⁷ values (n × 2d) the sample is refused at any other value; below 300 it prints at once.
    flags: [num('--n', [300, 2e7]), num('--seed'), num('--mi'), num('--dim', [300, 2e7])],
  },
  // No numeric flags: their arguments are paths, fuzzed as strings beside valid ones.
  {
    name: 'merge', runs: 4,
    base: () => ['merge', store, '--out', join(dir, 'merged')],
    flags: [{ flag: '--out', values: path }],
  },
  { name: 'tasks', runs: 3, base: () => ['tasks'], flags: [{ flag: '--plugin', values: fc.oneof(path, fc.constant(PLUGIN)) }] },
];

/** Commands whose fuzzed part is their positional arguments. */
const POSITIONAL: { name: string; args: (a: string[]) => string[]; pool: () => string[]; runs: number }[] = [
  { name: 'merge (sources)', runs: 3, args: (a) => ['merge', ...a, '--out', join(dir, 'merged')], pool: () => [store] },
  { name: 'compare', runs: 3, args: (a) => ['compare', ...a], pool: () => [store] },
  { name: 'readdress', runs: 3, args: (a) => ['readdress', ...a], pool: () => [readdressCopy()] },
  { name: 'compact', runs: 2, args: (a) => ['compact', ...a], pool: () => [readdressCopy()] },
  { name: 'pack', runs: 3, args: (a) => ['pack', ...a], pool: () => [readdressCopy()] },
  { name: 'check-plugin', runs: 3, args: (a) => ['check-plugin', ...a], pool: () => [PLUGIN, join(ROOT, 'examples', 'plugins', 'gaussian-channel.mjs')] },
  { name: 'doctor', runs: 2, args: (a) => ['doctor', ...a], pool: () => ['--json'] },
];

let copies = 0;
/** readdress, compact and pack move cells: each case gets its own copy of the store. */
function readdressCopy(): string {
  const to = join(dir, `readdress-${copies++}`);
  cpSync(store, to, { recursive: true });
  return to;
}

/** Every number a value spells: list items, both ends of a range or shard. */
function numbersIn(value: string): number[] {
  return value.split(/,|\.\.|\//).map((p) => p.trim()).filter((p) => p !== '').map(Number).filter((v) => Number.isFinite(v));
}

let files = 0;
function writeCase(text: string): string {
  const file = join(dir, `case-${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** A config whose seed count a dry run lists for long (between 100 and the 10⁵-job cap). */
function configIsSlow(text: string): boolean {
  const m = /^seeds: (.*)$/m.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) && n > 100 && n <= 1e5;
}

function isSlow(f: Flag, value: string): boolean {
  if (!f.slow) return false;
  const [lo, hi] = f.slow;
  if (f.flag === '--seeds') {
    // A count N, a range a..b (b − a + 1 seeds) or a list (its length, never slow).
    const range = /^\s*(\S+)\.\.(\S+)\s*$/.exec(value);
    const count = range ? Number(range[2]) - Number(range[1]) + 1 : value.includes(',') ? 0 : Number(value);
    return Number.isFinite(count) && count > lo && count <= hi;
  }
  return numbersIn(value).some((v) => v > lo && v <= hi);
}

function runCli(args: string[]): Promise<Run & { ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: CASE_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < 4000) stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 }));
  });
}

/** The property itself: exit 0 (or a documented success code), or exit 2 with one line and no stack. */
function verdict(args: string[], r: Run & { ms: number }, alsoOk: number[] = []): string | null {
  const shown = `harness ${args.map((a) => JSON.stringify(a)).join(' ')}`;
  if (r.signal) return `${shown}: killed by ${r.signal} after ${r.ms} ms${r.ms >= CASE_TIMEOUT_MS - 1000 ? ' (ran past the case limit: a valid value that runs this long needs a cap, or a slow zone with its reason)' : ''}`;
  if (/\n\s+at /.test('\n' + r.stderr)) return `${shown}: a stack trace on stderr (exit ${r.code}):\n${r.stderr.slice(0, 2000)}`;
  if (/internal error/.test(r.stderr)) return `${shown}: an internal error (exit ${r.code}): ${r.stderr.slice(0, 500)}`;
  if (r.code === 0 || alsoOk.includes(r.code ?? -1)) return null;
  if (r.code === 2) {
    const lines = r.stderr.replace(/\n$/, '').split('\n');
    return lines.length === 1 && lines[0] !== '' ? null : `${shown}: exit 2 with ${lines[0] === '' ? 'nothing' : `${lines.length} lines`} on stderr, not one:\n${r.stderr.slice(0, 1000)}`;
  }
  return `${shown}: exit ${r.code}:\n${r.stderr.slice(0, 1000)}`;
}

for (const c of COMMANDS) {
  test(`fuzz: harness ${c.name}: numeric and list flags end in success or one line and exit 2`, { timeout: 20 * 60_000 }, async () => {
    // Plain [flag, value] pairs, so a counterexample prints as the command line it stands for.
    const picks = fc.uniqueArray(fc.constantFrom(...c.flags.map((_, i) => i)), { minLength: 1, maxLength: Math.min(3, c.flags.length) })
      .chain((idx) => fc.tuple(...idx.map((i) => c.flags[i].values.map((v) => [c.flags[i].flag, v] as [string, string]))));
    const byName = new Map(c.flags.map((f) => [f.flag, f]));
    await fc.assert(fc.asyncProperty(picks, async (set) => {
      fc.pre(!set.some(([name, v]) => isSlow(byName.get(name)!, v) || (byName.get(name)!.file && configIsSlow(v))));
      const args = [...c.base(), ...set.map(([name, v]) => `${name}=${byName.get(name)!.file ? writeCase(v) : v}`)];
      const problem = verdict(args, await runCli(args), c.alsoOk);
      assert.equal(problem, null, problem ?? '');
    }), { ...REPLAY, numRuns: c.runs * SCALE, maxSkipsPerRun: 100, includeErrorInReport: true });
  });
}

for (const p of POSITIONAL) {
  test(`fuzz: harness ${p.name}: arguments end in success or one line and exit 2`, { timeout: 10 * 60_000 }, async () => {
    const arg = fc.oneof(path, fc.constant('__valid__'));
    await fc.assert(fc.asyncProperty(fc.array(arg, { minLength: 0, maxLength: 3 }), async (raw) => {
      const pool = p.pool();
      const args = p.args(raw.map((a, i) => (a === '__valid__' ? pool[i % pool.length] : a)));
      const problem = verdict(args, await runCli(args));
      assert.equal(problem, null, problem ?? '');
    }), { ...REPLAY, numRuns: p.runs * SCALE, includeErrorInReport: true });
  });
}

test('fuzz: the property can fail (a stack trace, a multi-line exit 2, exit 1 and a signal are each caught)', () => {
  const args = ['run'];
  const base = { stdout: '', ms: 10 };
  assert.equal(verdict(args, { ...base, code: 2, signal: null, stderr: 'harness: --x: bad\n' }), null);
  assert.equal(verdict(args, { ...base, code: 0, signal: null, stderr: 'harness: warning: w\n' }), null);
  assert.match(verdict(args, { ...base, code: 2, signal: null, stderr: 'harness: a\nsecond line\n' }) ?? '', /2 lines/);
  assert.match(verdict(args, { ...base, code: 2, signal: null, stderr: '' }) ?? '', /nothing/);
  assert.match(verdict(args, { ...base, code: 1, signal: null, stderr: 'harness: internal error: RangeError: x\n    at f (file.js:1:1)\n' }) ?? '', /stack trace/);
  assert.match(verdict(args, { ...base, code: 134, signal: null, stderr: 'FATAL ERROR: heap out of memory\n' }) ?? '', /exit 134/);
  assert.match(verdict(args, { ...base, code: null, signal: 'SIGKILL', stderr: '', ms: CASE_TIMEOUT_MS }) ?? '', /ran past the case limit/);
  assert.match(verdict(args, { ...base, code: 3, signal: null, stderr: 'x\n' }) ?? '', /exit 3/);
  assert.equal(verdict(args, { ...base, code: 3, signal: null, stderr: 'x\n' }, [3]), null);
  // The slow zones: values inside are skipped, values beyond and below run.
  const steps = num('--steps', [20, 2000]);
  assert.equal(isSlow(steps, '500'), true);
  assert.equal(isSlow(steps, '1e400'), false);
  assert.equal(isSlow(steps, '2001'), false);
  assert.equal(isSlow(steps, '3'), false);
  assert.equal(isSlow(list('--batch-size', [], [64, 2e4]), '8,100'), true);
  assert.equal(isSlow({ flag: '--seeds', values: scalar, slow: [100, 1e5] }, '0..999'), true);
  assert.equal(isSlow({ flag: '--seeds', values: scalar, slow: [100, 1e5] }, '0..1e9'), false);
  assert.equal(configIsSlow('preset: smoke\nseeds: 5000\n'), true);
  assert.equal(configIsSlow('preset: smoke\nseeds: 1e9\n'), false);
});

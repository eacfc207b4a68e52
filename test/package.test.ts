/**
 * The npm package is the library and the CLI (issue 21, item 3): `npm pack` the checkout as it
 * would be published, check what the tarball holds (≤ 3 MB; dist/ for the library, the CLI, the
 * pool's worker, the kernels and the site's assets; README, LICENSE, docs, examples; no results/,
 * tests, TypeScript sources or source maps), then install it into an empty directory exactly as a
 * user would (`npm install ./mi-harness-*.tgz`) and use it there: `npx harness tasks`, `run`,
 * `check-plugin` on the example plugins copied beside it, a two-worker `sweep` and `site` from the
 * store it wrote, `doctor`, and the library's entry from an ES module.
 *
 * The install omits optional dependencies (`webgpu`, 130 MB of Dawn builds): the package must work
 * without it, and `doctor` must say so. `--prefer-offline` takes every tarball from npm's cache,
 * which `npm ci` has just filled in CI, and asks the registry only for what is missing. Needs the
 * npm registry; skips, loudly, only when `npm ping` cannot reach it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { ROOT, type Run } from './cli-helpers.js';

const MAX_PACKED_BYTES = 3 * 1024 * 1024;

/** The npm that runs this suite (`npm test` sets npm_execpath), else the one on PATH. */
const NPM_CLI = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
const NPX_CLI = NPM_CLI && existsSync(join(dirname(NPM_CLI), 'npx-cli.js')) ? join(dirname(NPM_CLI), 'npx-cli.js') : null;

/**
 * The environment without what `npm test` exports for its own script: npm reads npm_config_* as
 * configuration, and npm_config_local_prefix (this checkout) would make the child install INTO
 * the repository. Kept: the cache, the registry, TLS, proxy and rc-file settings a user chose.
 */
function childEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|fetch_.*)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keep.test(k)) continue;
    if (k === 'INIT_CWD' || k === 'MI_HARNESS_FAULT') continue;
    env[k] = v;
  }
  return env;
}

function exec(js: string | null, bin: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const [cmd, argv] = js ? [process.execPath, [js, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
const npm = (args: string[], cwd: string, timeoutMs = 5 * 60_000) => exec(NPM_CLI, 'npm', args, cwd, timeoutMs);
/** `npx --no harness …`: the installed bin only, never a download. */
const npxHarness = (args: string[], cwd: string, timeoutMs = 3 * 60_000) => exec(NPX_CLI, 'npx', ['--no', 'harness', ...args], cwd, timeoutMs);

const show = (r: Run) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stderr\n${r.stderr.slice(-4000)}\n--- stdout\n${r.stdout.slice(-4000)}`;

interface PackFile { path: string; size: number }
interface PackResult { filename: string; size: number; unpackedSize: number; entryCount: number; files: PackFile[] }

/**
 * Relative module and file references of a built file: static and dynamic imports, re-exports,
 * `require('…')` and `new URL('…', import.meta.url)` (the kernels, the pool's worker, the Python
 * baselines). Each must resolve to a file in the tarball, or the installed CLI breaks on the
 * command that reaches it, even one this suite does not run.
 */
function references(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\bnew URL\s*\(\s*)(['"])(\.\.?\/[^'"]*)\1/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[2]);
  return out;
}

test('the npm tarball holds the library, the CLI and their assets, and nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-harness-pack-'));
  try {
    // --ignore-scripts: `npm test` has just built dist/; `prepare` would build it again.
    const r = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    assert.equal(r.code, 0, show(r));
    const [pack] = JSON.parse(r.stdout) as PackResult[];
    const paths = pack.files.map((f) => f.path);
    const have = new Set(paths);
    t.diagnostic(`${pack.filename}: ${(pack.size / 1024).toFixed(0)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${pack.entryCount} files`);
    assert.ok(pack.size <= MAX_PACKED_BYTES, `packed size ${pack.size} B > ${MAX_PACKED_BYTES} B`);

    for (const p of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/harness/cli.js',
      'dist/workers/cell.js', 'dist/kernels/kernels.mjs', 'dist/kernels/kernels-simd.wasm', 'dist/kernels/boundmath.mjs',
      'dist/web/site.js', 'dist/web/site.css', 'dist/web/playground-worker.js', 'bench/torch_step.py',
      'examples/plugins/my-infonce.mjs', 'examples/plugins/gaussian-channel.mjs', 'docs/sweep.md']) {
      assert.ok(have.has(p), `${p} is missing from the tarball`);
    }
    const unwanted = paths.filter((p) =>
      /^(results|test|test-browser|test-slurm|src|harness|workers|web|assembly|scripts|\.ci|\.github)\//.test(p)
      || /^dist\/test/.test(p) || /\.map$/.test(p) || (/\.ts$/.test(p) && !/\.d\.ts$/.test(p))
      || /(^|\/)(cells|plots)\//.test(p) || /\.csv$/.test(p) || p === 'package-lock.json');
    assert.deepEqual(unwanted, [], 'results, tests, sources, maps or bench data in the tarball');

    const { license } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), new RegExp(`\\b${license} License\\b`), 'LICENSE is not the licence package.json names');

    const dangling: string[] = [];
    for (const p of paths) {
      if (!/\.(m?js)$/.test(p) || p.startsWith('dist/web/')) continue; // dist/web: browser bundles, self-contained
      for (const spec of references(readFileSync(join(ROOT, p), 'utf8'))) {
        if (spec.endsWith('/')) continue; // a directory (provenance's checkout root), not a file
        const target = normalize(join(dirname(p), spec)).replace(/\\/g, '/');
        if (!have.has(target)) dangling.push(`${p} → ${spec} (${target})`);
      }
    }
    assert.deepEqual(dangling, [], 'files in the tarball refer to files it lacks');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const registry = await npm(['ping'], tmpdir(), 60_000).catch((e: Error): Run => ({ code: null, signal: null, stdout: '', stderr: String(e) }));
const skipReason = registry.code === 0 ? null : `the npm registry is unreachable (npm ping: ${(registry.stderr.trim().split('\n').pop() ?? '').slice(0, 200)})`;
if (skipReason) process.stderr.write(`\n${'!'.repeat(78)}\n!! PACKAGE INSTALL TEST SKIPPED: ${skipReason}\n${'!'.repeat(78)}\n\n`);

test('installed from its tarball into an empty directory, the package runs: npx harness tasks, run, check-plugin, sweep, site, doctor; the library imports', { timeout: 15 * 60_000 }, async (t) => {
  if (skipReason) { t.skip(`SKIPPED: ${skipReason}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'mi-harness-install-'));
  let keep = true;
  try {
    const packed = await npm(['pack', '--ignore-scripts', '--pack-destination', dir], ROOT);
    assert.equal(packed.code, 0, show(packed));
    const tgz = readdirSync(dir).find((f) => /^mi-harness-.*\.tgz$/.test(f));
    assert.ok(tgz, `no tarball in ${dir}`);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-mi-harness', private: true, type: 'module' }, null, 2));

    const t0 = Date.now();
    const inst = await npm(['install', '--no-audit', '--no-fund', '--omit=optional', '--prefer-offline', `../${tgz}`], app, 10 * 60_000);
    assert.equal(inst.code, 0, show(inst));
    t.diagnostic(`npm install ./${tgz}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const pkg = join(app, 'node_modules', 'mi-harness');
    assert.ok(existsSync(join(pkg, 'dist', 'harness', 'cli.js')), 'dist/ is not in the installed package');
    assert.ok(!existsSync(join(pkg, 'results')) && !existsSync(join(pkg, 'test')), 'results/ or test/ was installed');
    assert.ok(!existsSync(join(app, 'node_modules', 'webgpu')), '--omit=optional still installed webgpu');

    const tasks = await npxHarness(['tasks'], app);
    assert.equal(tasks.code, 0, show(tasks));
    assert.match(tasks.stdout, /^gaussian\s/m);
    assert.match(tasks.stdout, /^bmi:binormal\s/m);

    const run = await npxHarness(['run', '--estimator', 'mice', '--steps-per-level', '50', '--mi', '2,4', '--dim', '4', '--hidden', '16', '--batch-size', '16', '--json'], app);
    assert.equal(run.code, 0, show(run));
    const result = JSON.parse(run.stdout) as { estimator: string; steps: number; levels: { trueMi: number; mean: number }[] };
    assert.equal(result.estimator, 'mice');
    assert.equal(result.steps, 100);
    assert.deepEqual(result.levels.map((l) => l.trueMi), [2, 4]);
    assert.ok(result.levels.every((l) => Number.isFinite(l.mean)), 'a level estimate is not finite');

    // The example plugins, copied out of the installed package as a user starting their own would.
    cpSync(join(pkg, 'examples', 'plugins'), join(app, 'plugins'), { recursive: true });
    const check = await npxHarness(['check-plugin', 'plugins/my-infonce.mjs', 'plugins/gaussian-channel.mjs'], app);
    assert.equal(check.code, 0, show(check));
    assert.match(check.stdout, /^(\d+) of \1 checks passed$/m);
    const withPlugin = await npxHarness(['run', '--plugin', 'plugins/my-infonce.mjs', '--estimator', 'my-infonce', '--task', 'example:gaussian-channel-3x2',
      '--plugin', 'plugins/gaussian-channel.mjs', '--steps-per-level', '50', '--hidden', '16', '--batch-size', '16'], app);
    assert.equal(withPlugin.code, 0, show(withPlugin));

    // The pool's workers (dist/workers), the store, the report and the site's assets (dist/web,
    // dist/kernels, vega from the dependencies) from the installed copy.
    const sweep = await npxHarness(['sweep', '--preset', 'smoke', '--estimators', 'mice,nwj', '--seeds', '2', '--steps-per-level', '50', '--mi', '2,4',
      '--dim', '4', '--hidden', '16', '--workers', '2', '--no-gpu', '--shard', 'off', '--out', 'store'], app);
    assert.equal(sweep.code, 0, show(sweep));
    assert.ok(existsSync(join(app, 'store', 'LEADERBOARD.md')), 'the sweep wrote no report');
    const site = await npxHarness(['site', 'store', '--out', 'site'], app);
    assert.equal(site.code, 0, show(site));
    for (const f of ['index.html', 'playground.html', 'assets/site.js', 'assets/vega.min.js', 'assets/kernels-simd.wasm']) {
      assert.ok(existsSync(join(app, 'site', f)), `site/${f} missing`);
    }

    // Without the optional webgpu package: doctor says so and still exits 0.
    const doctor = await npxHarness(['doctor'], app);
    assert.equal(doctor.code, 0, show(doctor));
    assert.match(doctor.stdout, /^webgpu\b.*not available.*webgpu.*not installed/m);

    // The library, as `import … from 'mi-harness'`: a bound evaluated on a 2×2 score matrix.
    writeFileSync(join(app, 'lib.mjs'), [
      "import { evaluateBound, UsageError, Rng } from 'mi-harness';",
      "const r = evaluateBound('infonce', [[1, 0], [0, 1]]);",
      "console.log(JSON.stringify({ estimate: r.estimate, usage: typeof UsageError, rng: new Rng(1).uniform() >= 0 }));",
    ].join('\n'));
    const lib = await exec(null, process.execPath, ['lib.mjs'], app, 60_000);
    assert.equal(lib.code, 0, show(lib));
    const out = JSON.parse(lib.stdout) as { estimate: number; usage: string; rng: boolean };
    // InfoNCE on [[1, 0], [0, 1]]: 1 − log(e + 1) + log 2.
    assert.ok(Math.abs(out.estimate - (1 - Math.log(Math.E + 1) + Math.log(2))) < 1e-12, `infonce estimate ${out.estimate}`);
    assert.equal(out.usage, 'function');
    assert.equal(out.rng, true);
    assert.ok(existsSync(join(pkg, 'dist', 'src', 'index.d.ts')), 'the library ships no type declarations');

    // README's library example, as printed there.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /### As a package[^]*?```js\n([^]*?)```/.exec(readme)?.[1];
    assert.ok(example, "README has no ```js example under 'As a package'");
    writeFileSync(join(app, 'readme-example.mjs'), example);
    const ex = await exec(null, process.execPath, ['readme-example.mjs'], app, 3 * 60_000);
    assert.equal(ex.code, 0, show(ex));
    const lines = ex.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, -1).map((l) => Number(/^true (\d+) /.exec(l)?.[1])), [2, 4, 6, 8, 10], ex.stdout);
    assert.ok(lines.slice(0, -1).every((l) => /mean -?\d+\.\d\d {2}MSE \d+\.\d\d$/.test(l)), ex.stdout);
    // NWJ on [[2, 0], [0, 2]]: mean diag T − e^(−1) · mean over the off-diagonal of e^T = 2 − e^(−1).
    assert.ok(Math.abs(Number(lines.at(-1)) - (2 - Math.exp(-1))) < 1e-12, ex.stdout);
    keep = false;
  } finally {
    if (keep) process.stderr.write(`package test: kept ${dir} for inspection\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
});

// Bundle the browser code under web/ (the leaderboard site's script, the playground and its
// training worker) into dist/web/ with esbuild, after type-checking it against the DOM library
// (web/tsconfig.json). The playground's worker bundles the same src/ modules as Node (training
// loop, bounds, tasks, rng, wasm engine); the Node built-ins those modules import for Node-only
// paths (node:v8 to enable relaxed SIMD on Node 20, node:worker_threads for the 2-thread gemm)
// become stubs that throw if ever called. Any other node: import reachable from web/ fails the
// build, so library code that grows I/O cannot slip into the browser bundle unnoticed.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}web/tsconfig.json`], { stdio: 'inherit' });

const STUBS = {
  'node:v8': 'export function setFlagsFromString() { throw new Error("node:v8 is not available in a browser"); }\n',
  'node:worker_threads': 'export class Worker { constructor() { throw new Error("node:worker_threads is not available in a browser"); } }\nexport const parentPort = null;\nexport const workerData = undefined;\n',
};

const nodeStubs = {
  name: 'node-stubs',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (!(args.path in STUBS)) return { errors: [{ text: `${args.path} imported by ${args.importer}: the browser bundle has no Node built-ins (only ${Object.keys(STUBS).join(', ')} are stubbed)` }] };
      return { path: args.path, namespace: 'node-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};

await build({
  entryPoints: {
    site: `${root}web/site.ts`,
    playground: `${root}web/playground.ts`,
    'playground-worker': `${root}web/playground-worker.ts`,
  },
  outdir: `${root}dist/web`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome114', 'firefox115', 'safari16.4'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  plugins: [nodeStubs],
  logLevel: 'warning',
});
mkdirSync(`${root}dist/web`, { recursive: true });
copyFileSync(`${root}web/site.css`, `${root}dist/web/site.css`);
console.log('web: dist/web/site.js, playground.js, playground-worker.js, site.css');

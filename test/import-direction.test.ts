/**
 * Dependencies point down: harness → workers → src, and within src, report → stats (statistics
 * need names, src/labels.ts, not reporting). This suite reads every TypeScript source's static
 * and dynamic import specifiers and fails on an upward one:
 *   src/**       never imports harness/ or workers/;
 *   src/stats/** never imports src/report/;
 *   workers/**   never imports harness/.
 * The checker is tested on a synthetic violation too, so the suite can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from './cli-helpers.js';

interface Rule { from: string; mayNot: string; why: string }

const RULES: Rule[] = [
  { from: 'src/', mayNot: 'harness/', why: 'the library never depends on the CLI' },
  { from: 'src/', mayNot: 'workers/', why: 'the library never depends on the pool' },
  { from: 'src/stats/', mayNot: 'src/report/', why: 'statistics do not need reporting (names live in src/labels.ts)' },
  { from: 'workers/', mayNot: 'harness/', why: 'the worker never depends on the CLI' },
];

/** Relative specifiers of `import … from '…'`, `export … from '…'`, `import('…')` (string literals). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.[^'"]*)\1/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[2]);
  return out;
}

/** Upward imports of one file (path relative to the repository root). */
export function violations(file: string, text: string): string[] {
  const found: string[] = [];
  for (const spec of specifiers(text)) {
    const target = normalize(join(dirname(file), spec)).replace(/\\/g, '/');
    for (const r of RULES) {
      if (file.startsWith(r.from) && target.startsWith(r.mayNot)) found.push(`${file} imports ${spec} (${target}): ${r.why}`);
    }
  }
  return found;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

test('no upward import: src ↛ harness/workers, src/stats ↛ src/report, workers ↛ harness', () => {
  const files = [...sources('src'), ...sources('workers')];
  assert.ok(files.length > 50, `found ${files.length} source files under ${relative(process.cwd(), ROOT) || '.'}`);
  const found = files.flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(found, []);
});

test('the checker catches each kind of upward import', () => {
  assert.deepEqual(violations('src/stats/x.ts', "import { num } from '../report/format.js';").length, 1);
  assert.deepEqual(violations('src/engine/x.ts', "const m = await import('../../harness/cli.js');").length, 1);
  assert.deepEqual(violations('src/x.ts', "export { y } from '../workers/cell.js';").length, 1);
  assert.deepEqual(violations('workers/x.ts', "import type { Job } from '../harness/sweep/grid.js';").length, 1);
  assert.deepEqual(violations('src/report/x.ts', "import { median } from '../stats/describe.js';"), [], 'report may use stats');
  assert.deepEqual(violations('harness/x.ts', "import { a } from '../workers/plugins.js';"), [], 'harness may use workers');
});

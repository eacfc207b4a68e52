// Make the CLI entry executable after tsc (npm links it as the `harness` bin).
import { chmodSync, existsSync } from 'node:fs';
const cli = new URL('../dist/harness/cli.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);

/**
 * A throw-away single-node Slurm cluster for the integration test: the real Debian daemons
 * (munged, slurmctld, slurmd from `slurm-wlm` and `munge`), everything they write in one temp
 * directory (key, socket, pid files, state, spool, logs), on two free TCP ports, so it neither
 * needs nor disturbs a system Slurm or munge. Started as root; stopped through its pid files.
 *
 * The node is described by `slurmd -C` (the host's real CPUs and memory). Its partition lets up
 * to 3 jobs share a core (OverSubscribe=FORCE:3): the test runs 3 one-core array tasks on a
 * 2-core machine and checks that they run at the same time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The daemons live in /usr/sbin, which a non-login shell's PATH may lack.
for (const dir of ['/usr/sbin', '/sbin']) {
  if (!(process.env.PATH ?? '').split(':').includes(dir)) process.env.PATH = `${process.env.PATH ?? ''}:${dir}`;
}

export const SLURM_PROGRAMS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'sinfo', 'scancel', 'squeue'];

/** Why a local Slurm cannot be started here, or null when it can. */
export function slurmUnavailable(): string | null {
  const missing = SLURM_PROGRAMS.filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0);
  if (missing.length) {
    return `Slurm is not installed here (missing: ${missing.join(', ')}). Install it as root with ` +
      '`apt-get install slurm-wlm munge` (Debian/Ubuntu); .ci/run does so before running this suite.';
  }
  if (process.getuid?.() !== 0) return 'the local Slurm test starts munged, slurmctld and slurmd as root, and this process is not root.';
  return null;
}

export interface LocalSlurm {
  dir: string;
  conf: string;
  node: string;
  /** Environment for Slurm's client commands (sbatch, squeue, …). */
  env: Record<string, string>;
  /** The daemons' logs, for failure messages. */
  logs(): string;
  /** Stop every daemon through its pid file (SIGTERM, then SIGKILL). Safe to call twice. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidFrom(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch { return null; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitFor(what: string, ok: () => boolean, ms: number, logs: () => string): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`local Slurm: ${what} did not happen within ${ms / 1000} s\n${logs()}`);
    await sleep(250);
  }
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), 'mi-slurm-'));
  // munged insists that every directory above its socket is searchable by all.
  chmodSync(dir, 0o711);
  for (const d of ['state', 'spool']) mkdirSync(join(dir, d));
  const p = (name: string) => join(dir, name);
  const pidFiles = [p('slurmd.pid'), p('slurmctld.pid'), p('munged.pid')];
  const logs = () => ['munged.log', 'slurmctld.log', 'slurmd.log']
    .map((f) => { try { return `--- ${f} (last lines)\n${readFileSync(p(f), 'utf8').split('\n').slice(-15).join('\n')}`; } catch { return `--- ${f}: none`; } })
    .join('\n');

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pids = pidFiles.map(pidFrom).filter((x): x is number => x !== null);
    for (const pid of pids) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
    const t0 = Date.now();
    while (pids.some(alive) && Date.now() - t0 < 15_000) await sleep(200);
    for (const pid of pids.filter(alive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  };
  // Last resort if the test process exits without running its hooks (e.g. an uncaught error).
  process.once('exit', () => {
    if (stopped) return;
    for (const f of pidFiles) { const pid = pidFrom(f); if (pid !== null) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  });

  try {
    execFileSync('mungekey', ['--create', `--keyfile=${p('munge.key')}`], { stdio: 'pipe' });
    execFileSync('munged', [`--key-file=${p('munge.key')}`, `--socket=${p('munge.socket')}`, `--pid-file=${p('munged.pid')}`,
      `--log-file=${p('munged.log')}`, `--seed-file=${p('munged.seed')}`], { stdio: 'pipe' });
    await waitFor('munged socket', () => existsSync(p('munge.socket')), 20_000, logs);

    // `slurmd -C`: "NodeName=<host> CPUs=… Boards=… SocketsPerBoard=… CoresPerSocket=… ThreadsPerCore=… RealMemory=…"
    const nodeLine = execFileSync('slurmd', ['-C'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('NodeName='));
    if (!nodeLine) throw new Error('local Slurm: `slurmd -C` printed no NodeName line');
    const node = /^NodeName=(\S+)/.exec(nodeLine)![1];
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const conf = p('slurm.conf');
    writeFileSync(conf, [
      'ClusterName=mitest',
      `SlurmctldHost=${node}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${p('munge.socket')}`,
      'SlurmUser=root',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      `SlurmctldPidFile=${p('slurmctld.pid')}`,
      `SlurmdPidFile=${p('slurmd.pid')}`,
      `StateSaveLocation=${p('state')}`,
      `SlurmdSpoolDir=${p('spool')}`,
      `SlurmctldLogFile=${p('slurmctld.log')}`,
      `SlurmdLogFile=${p('slurmd.log')}`,
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      `${nodeLine.trim()} State=UNKNOWN`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:3`,
      '',
    ].join('\n'));
    const env = { SLURM_CONF: conf };
    const daemonEnv = { ...process.env, ...env };
    execFileSync('slurmctld', ['-f', conf], { env: daemonEnv, stdio: 'pipe' });
    execFileSync('slurmd', ['-f', conf], { env: daemonEnv, stdio: 'pipe' });
    await waitFor('the node to come up idle', () => {
      const r = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], { env: daemonEnv, encoding: 'utf8' });
      return r.status === 0 && r.stdout.trim() === 'idle';
    }, 60_000, logs);
    return { dir, conf, node, env, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

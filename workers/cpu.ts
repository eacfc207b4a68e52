/**
 * The CPU clock of one thread. A Piscina worker is a thread of the sweep's one process, so
 * process.cpuUsage() would count every worker at once; a cell's CPU time (its provenance's
 * `cpuMs`, workers/cell.ts) is the time of the worker thread that ran it.
 */
import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) of the calling thread. Linux gives a thread its own clock in
 * /proc/thread-self: schedstat's first field (ns on the CPU), or stat's utime +
 * stime (fields 14–15, clock ticks of 1/100 s) where schedstat is missing; Node ≥ 23.9 has
 * process.threadCpuUsage() for other systems; null without any of them.
 */
export function threadCpuMs(): number | null {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    if (Number.isFinite(ns) && ns >= 0) return ns / 1e6;
  } catch { /* no schedstat: try stat */ }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name (which may hold spaces), from field 3 on.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    if (Number.isFinite(ticks)) return ticks * 10;
  } catch { /* not Linux */ }
  const p = process as unknown as { threadCpuUsage?: () => { user: number; system: number } };
  if (typeof p.threadCpuUsage === 'function') {
    const u = p.threadCpuUsage();
    return (u.user + u.system) / 1000;
  }
  return null;
}


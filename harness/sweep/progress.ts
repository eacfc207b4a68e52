/**
 * Progress output for a sweep, three ways: a live one-line bar on a TTY (stderr), plain lines
 * otherwise (stderr), or `--json`: one JSON object per line on stdout (plan, corrupt, start,
 * done, retry, failed, summary), for machines. Done / failed / running / ETA in the first two;
 * ETA = elapsed ÷ finished × remaining (so it already accounts for parallel lanes).
 */
import type { SweepEvent } from './pool.js';
import { formatMs } from './pool.js';

export type ProgressMode = 'tty' | 'plain' | 'json';

export interface ProgressSink {
  out(s: string): void;
  err(s: string): void;
  now(): number;
}

const processSink: ProgressSink = {
  out: (s) => { process.stdout.write(s); },
  err: (s) => { process.stderr.write(s); },
  now: () => Date.now(),
};

export class Progress {
  private pending = 0;
  private finished = 0;
  private failed = 0;
  private running = 0;
  private started = 0;
  private barShown = false;
  /** Cells finished per lane, shown when there is a GPU lane. */
  private byLane = { gpu: 0, cpu: 0 };
  private hasGpuLane = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly mode: ProgressMode, private readonly sink: ProgressSink = processSink) {}

  event(e: SweepEvent): void {
    if (this.mode === 'json') { this.sink.out(JSON.stringify(e) + '\n'); return; }
    switch (e.type) {
      case 'plan':
        this.pending = e.pending;
        this.line(`sweep: ${e.total} jobs${e.shard ? ` in shard ${e.shard}` : ''}: ${e.cached} already in ${e.out}, ${e.pending} to run` +
          (e.corrupt ? ` (${e.corrupt} corrupt, re-running)` : ''));
        break;
      case 'lanes':
        this.hasGpuLane = e.lanes.includes('gpu');
        this.line(`running on ${describeLanes(e.lanes)}${e.gpu ? ` (${e.gpu})` : ''}`);
        if (this.mode === 'tty' && this.pending > 0) this.timer = setInterval(() => this.draw(), 1000).unref();
        break;
      case 'corrupt':
        this.line(`cells/${e.file ?? e.hash}: corrupt (${e.reason}); re-running`);
        break;
      case 'start':
        if (this.started === 0) this.started = this.sink.now();
        this.running++;
        if (this.mode === 'plain' && e.attempt > 1) this.line(`${this.count()} retry ${e.attempt} ${e.label}`);
        break;
      case 'done':
        this.running--; this.finished++;
        if (e.lane) this.byLane[e.lane]++;
        if (this.mode === 'plain') this.line(`${this.count()} done ${e.label} (${formatMs(e.wallMs)}, ${e.engine}/${e.backend})${this.tail()}`);
        break;
      case 'retry':
        this.running--;
        this.line(`attempt ${e.attempt} of ${e.label} failed: ${e.error}; retrying`);
        break;
      case 'failed':
        this.running--; this.finished++; this.failed++;
        this.line(`FAILED ${e.label} after ${e.attempts} attempt(s): ${e.error} (hash ${e.hash.slice(0, 12)})`);
        break;
      case 'summary':
        this.stop();
        break;
    }
    if (this.mode === 'tty') this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.barShown) { this.sink.err('\r\x1b[K'); this.barShown = false; }
  }

  private count(): string {
    return `[${this.finished}/${this.pending}]`;
  }

  private tail(): string {
    const eta = this.eta();
    const lanes = this.hasGpuLane ? ` · GPU lane ${this.byLane.gpu} done, CPU lanes ${this.byLane.cpu} done` : '';
    return ` · ${this.failed} failed · ${this.running} running${lanes}${eta === null ? '' : ` · ETA ${formatMs(eta)}`}`;
  }

  private eta(): number | null {
    if (this.finished === 0) return null;
    return ((this.sink.now() - this.started) / this.finished) * (this.pending - this.finished);
  }

  private line(s: string): void {
    if (this.barShown) this.sink.err('\r\x1b[K');
    this.sink.err(s + '\n');
    this.barShown = false;
    if (this.mode === 'tty' && this.timer) this.draw();
  }

  private draw(): void {
    if (this.mode !== 'tty' || this.pending === 0 || !this.timer) return;
    const width = 24;
    const filled = Math.round((this.finished / this.pending) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.sink.err(`\r\x1b[K${bar} ${this.finished}/${this.pending} done${this.tail()}`);
    this.barShown = true;
  }
}

function describeLanes(lanes: readonly string[]): string {
  const gpu = lanes.filter((l) => l === 'gpu').length, cpu = lanes.length - gpu;
  return [gpu ? `${gpu} GPU worker` : '', cpu ? `${cpu} CPU worker${cpu > 1 ? 's' : ''}` : ''].filter(Boolean).join(' + ');
}

import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  name: string;
  pid: number;
  /** Highest resident set size seen by sampling, MiB. */
  peakRssMiB: number;
  /** The kernel's own high-water mark (VmHWM) at the end, MiB; covers peaks between samples. */
  hwmMiB?: number;
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status, in KiB; undefined when the process is gone or not Linux. */
export function readProcStatus(pid: number | 'self'): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKiB: kib(status, 'VmRSS'), hwmKiB: kib(status, 'VmHWM') };
  } catch {
    return undefined;
  }
}

/** The pids of a process's children (its cluster workers); none when it is gone or not Linux. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/**
 * Samples the resident memory of this process and of any registered process (a database, a broker, a child
 * worker) every `intervalMs`, and reads each one's VmHWM at the end. VmHWM of a long-running server is its
 * lifetime peak, so for those the sampled peak is the figure for this run. A process watched with its children
 * (an app running as a cluster) has each child reported as a process of its own, `<name>/<pid>`.
 */
export class ProcessMemorySampler {
  private readonly watched = new Map<string, { pid: number; peakKiB: number }>();
  private readonly parents = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly intervalMs = 100) {
    this.watch('bench', process.pid);
  }

  watch(name: string, pid: number, options: { children?: boolean } = {}): void {
    this.watched.set(name, { pid, peakKiB: 0 });
    if (options.children) this.parents.set(name, pid);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const [name, pid] of this.parents)
      for (const child of childrenOf(pid))
        if (!this.watched.has(`${name}/${child}`)) this.watched.set(`${name}/${child}`, { pid: child, peakKiB: 0 });
    for (const entry of this.watched.values()) {
      const status = readProcStatus(entry.pid);
      const rss = status?.rssKiB ?? 0;
      if (rss > entry.peakKiB) entry.peakKiB = rss;
    }
  }

  stop(): ProcessMemory[] {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return [...this.watched.entries()].map(([name, { pid, peakKiB }]) => {
      const status = readProcStatus(pid);
      return {
        name,
        pid,
        peakRssMiB: round1(peakKiB / 1024),
        hwmMiB: status ? round1(status.hwmKiB / 1024) : undefined,
      };
    });
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

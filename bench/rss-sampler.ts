/**
 * Peak resident memory of a few named groups of processes, read from `/proc/<pid>/status`
 * (Linux). A group with one process reports its `VmHWM` (the kernel's own high-water mark: no
 * peak between two samples is missed); a group of several (Chromium's renderers) reports the
 * largest sum of their `VmRSS` over the samples, taken every `intervalMs`.
 *
 * ```ts
 * const sampler = new RssSampler({ kernel: () => kernelPids() }, 150);
 * … // the workload
 * const peaks = sampler.stop(); // MiB per group
 * ```
 */
import { readFileSync } from "node:fs";

/** The processes of one group now (they may come and go). */
export type PidFinder = () => readonly number[];

/** One group's peak. */
export interface RssPeak {
  readonly mib: number;
  /** `VmHWM` (one process) or `sum of VmRSS` (sampled). */
  readonly how: "VmHWM" | "sum of VmRSS";
  /** How many processes were ever seen in the group. */
  readonly processes: number;
}

/** `VmRSS` and `VmHWM` of `pid` in KiB; `null` once it is gone. */
function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return null;
  }
}

export class RssSampler {
  readonly #finders: ReadonlyMap<string, PidFinder>;
  readonly #pids = new Map<string, number[]>();
  readonly #seen = new Map<string, Set<number>>();
  readonly #sumPeak = new Map<string, number>();
  readonly #hwmPeak = new Map<string, number>();
  readonly #sampler: NodeJS.Timeout;
  readonly #finder: NodeJS.Timeout;

  /** Start sampling; the finders run every `findEveryMs` (they walk `/proc`, which costs). */
  constructor(finders: Readonly<Record<string, PidFinder>>, intervalMs = 150, findEveryMs = 1000) {
    this.#finders = new Map(Object.entries(finders));
    for (const name of this.#finders.keys()) {
      this.#seen.set(name, new Set());
      this.#sumPeak.set(name, 0);
      this.#hwmPeak.set(name, 0);
    }
    this.find();
    this.#sampler = setInterval(() => {
      this.sample();
    }, intervalMs);
    this.#finder = setInterval(() => {
      this.find();
    }, findEveryMs);
  }

  /** Look for each group's processes again (call it when one is known to have started). */
  find(): void {
    for (const [name, finder] of this.#finders) {
      const pids = [...finder()];
      this.#pids.set(name, pids);
      for (const pid of pids) this.#seen.get(name)?.add(pid);
    }
  }

  /** Take one sample now. */
  sample(): void {
    for (const [name, pids] of this.#pids) {
      let sum = 0;
      for (const pid of pids) {
        const memory = memoryOf(pid);
        if (memory === null) continue;
        sum += memory.rss;
        this.#hwmPeak.set(name, Math.max(this.#hwmPeak.get(name) ?? 0, memory.hwm));
      }
      this.#sumPeak.set(name, Math.max(this.#sumPeak.get(name) ?? 0, sum));
    }
  }

  /** Stop (after a last sample) and return each group's peak. */
  stop(): Record<string, RssPeak> {
    this.sample();
    clearInterval(this.#sampler);
    clearInterval(this.#finder);
    const peaks: Record<string, RssPeak> = {};
    for (const name of this.#finders.keys()) {
      const processes = this.#seen.get(name)?.size ?? 0;
      const single = processes === 1;
      const kib = single ? (this.#hwmPeak.get(name) ?? 0) : (this.#sumPeak.get(name) ?? 0);
      peaks[name] = { mib: kib / 1024, how: single ? "VmHWM" : "sum of VmRSS", processes };
    }
    return peaks;
  }
}

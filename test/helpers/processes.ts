/**
 * What runs on this machine, read from `/proc` (Linux): the tests use it to find a kernel's
 * sidecar and to check that none is left behind, and the harness to clean up what it started.
 *
 * ```ts
 * const sidecars = listProcesses().filter((p) => p.args.some((a) => a.endsWith("sidecar.mjs")));
 * ```
 */
import { readdirSync, readFileSync } from "node:fs";

/** One process as `/proc` shows it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** One letter: `R` running, `S` sleeping, `Z` zombie (exited, not yet reaped), … */
  readonly state: string;
  /** The command line, one entry per argument. */
  readonly args: readonly string[];
}

/** Read one process; `null` when it does not exist (or exited while being read). */
export function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { pid, ppid: Number(fields[1]), state: fields[0] ?? "?", args };
  } catch {
    return null;
  }
}

/** Every process this user can see. */
export function listProcesses(): ProcessInfo[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== null);
}

/** Whether `pid` is running: it exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const info = readProcess(pid);
  return info !== null && info.state !== "Z";
}

/** The running descendants of `pid` (children, their children, …). */
export function descendants(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid) && p.state !== "Z");
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

/** Resolve once `pid` has stopped running; reject after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      const info = readProcess(pid);
      throw new Error(
        `process ${pid} still running after ${timeoutMs} ms: ${info?.args.join(" ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

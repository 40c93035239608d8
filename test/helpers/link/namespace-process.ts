/**
 * Processes started inside a namespace with `ip netns exec`, each in a process group of its own
 * so that stopping it stops whatever it spawned too.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createInterface } from "node:readline";
import { inNamespace } from "./ip-command.js";

/** A process inside a namespace. */
export interface NamespaceProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far (the last 64 kB). */
  stderr(): string;
  /** Resolve with the first JSON stdout line whose `event` is `event`; reject if it exits first. */
  waitForEvent<T>(event: string, timeoutMs?: number): Promise<T>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Start `command ...args` inside network namespace `ns`, stdout and stderr piped. */
export function spawnInNamespace(
  ns: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): NamespaceProcess {
  const [ipCommand = "ip", ...prefix] = inNamespace(ns);
  const child = spawn(ipCommand, [...prefix, command, ...args], {
    ...options,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-65_536);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once("exit", () => {
        resolve();
      });
  });
  // After "close" every line it printed has been read.
  const closed = new Promise<void>((resolve) => {
    child.once("close", () => {
      resolve();
    });
  });
  const lines = createInterface({ input: child.stdout });
  const events: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  lines.on("line", (line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return; // not an event line
    }
    if (typeof parsed !== "object" || parsed === null) return;
    events.push(parsed as Record<string, unknown>);
    for (const listener of listeners) listener();
  });
  return {
    child,
    stderr: () => stderr,
    waitForEvent<T>(event: string, timeoutMs = 60_000): Promise<T> {
      const what = `${command} in ${ns}`;
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.event === event);
          if (found === undefined) return;
          finish();
          resolve(found as T);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${what}: no "${event}" event in ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void closed.then(() => {
          setImmediate(() => {
            if (!listeners.has(check)) return;
            finish();
            reject(
              new Error(
                `${what} exited (${child.exitCode ?? child.signalCode}) before "${event}"\n${stderr}`,
              ),
            );
          });
        });
        check();
      });
    },
    async stop(graceMs = 10_000) {
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => {
        signalGroup(child, "SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
      // Children that outlive their parent in the group go too.
      signalGroup(child, "SIGKILL");
    },
  };
}

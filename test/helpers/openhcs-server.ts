/**
 * Start the real OpenHCS execution server (and, once it has one, the relay) through
 * `openhcs-remote-server`, on loopback and free ports, as the tests' peer.
 *
 * ```ts
 * const server = await startOpenhcsServer();
 * // server.port (progress), server.controlPort, server.relay?.streamPort …
 * await server.stop();
 * ```
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import { PYTHON, REPO_ROOT } from "./python.js";

const execFileAsync = promisify(execFile);

/** The console scripts of the project virtualenv. */
export const VENV_BIN = dirname(PYTHON);
export const SERVER_COMMAND = join(VENV_BIN, "openhcs-remote-server");

/** What `openhcs-remote-server --json` reports when it is ready. */
export interface ReadyEvent {
  readonly event: "ready";
  readonly execution: {
    readonly host: string;
    readonly port: number;
    readonly control_port: number;
    readonly pid: number;
  };
  readonly relay?: Readonly<Record<string, unknown>>;
}

/** A running server started by a test. */
export interface StartedServer {
  readonly host: string;
  readonly port: number;
  readonly controlPort: number;
  /** PID of the OpenHCS execution server process itself. */
  readonly serverPid: number;
  readonly ready: ReadyEvent;
  readonly process: ChildProcess;
  /** Stop cleanly (SIGTERM, then wait); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Options of {@link startOpenhcsServer}. */
export interface StartServerOptions {
  readonly extraArgs?: readonly string[];
  readonly timeoutMs?: number;
  readonly logDir?: string;
  /** An argv prefix to start the server under, e.g. `ip netns exec NS` (a shaped link's). */
  readonly launcher?: readonly string[];
}

/** Start `openhcs-remote-server --port 0 --json` and wait for its `ready` event. */
export async function startOpenhcsServer(options: StartServerOptions = {}): Promise<StartedServer> {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), "ohr-server-logs-"));
  const args = [
    "serve",
    "--port",
    "0",
    "--json",
    "--log-dir",
    logDir,
    ...(options.extraArgs ?? []),
  ];
  const [command = SERVER_COMMAND, ...rest] = [
    ...(options.launcher ?? []),
    SERVER_COMMAND,
    ...args,
  ];
  const child = spawn(command, rest, {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString("utf8"));
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      resolve(code);
    });
  });
  const ready = await new Promise<ReadyEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(
        new Error(
          `openhcs-remote-server not ready in ${options.timeoutMs ?? 300_000} ms\n${stderr.join("")}`,
        ),
      );
    }, options.timeoutMs ?? 300_000);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      let event: { event?: string };
      try {
        event = JSON.parse(line) as { event?: string };
      } catch {
        return; // not one of the JSON event lines
      }
      if (event.event === "ready") {
        clearTimeout(timer);
        resolve(event as ReadyEvent);
      } else if (event.event === "failed") {
        clearTimeout(timer);
        reject(new Error(`openhcs-remote-server failed:\n${stderr.join("")}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`openhcs-remote-server exited (${code}) before ready:\n${stderr.join("")}`));
    });
  });
  return {
    host: ready.execution.host,
    port: ready.execution.port,
    controlPort: ready.execution.control_port,
    serverPid: ready.execution.pid,
    ready,
    process: child,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Plate shape for {@link writeSyntheticPlate}. */
export interface PlateOptions {
  readonly wells?: readonly string[];
  readonly sites?: number;
  readonly channels?: number;
  readonly zPlanes?: number;
  readonly tile?: number;
  readonly cells?: number;
}

/** Write a synthetic ImageXpress plate with OpenHCS's generator; returns its directory. */
export async function writeSyntheticPlate(dir: string, plate: PlateOptions = {}): Promise<string> {
  await execFileAsync(
    SERVER_COMMAND,
    [
      "synthetic-plate",
      dir,
      "--wells",
      (plate.wells ?? ["A01", "A02", "B01"]).join(","),
      "--sites",
      String(plate.sites ?? 2),
      "--channels",
      String(plate.channels ?? 2),
      "--z-planes",
      String(plate.zPlanes ?? 1),
      "--tile",
      String(plate.tile ?? 64),
      "--cells",
      String(plate.cells ?? 20),
    ],
    { timeout: 120_000 },
  );
  return dir;
}

/**
 * A real JupyterLab for the end-to-end tests and the widget benchmark: `jupyter lab` from the
 * project virtualenv, on 127.0.0.1 and a free port, with a random token and the test-only
 * configuration `jupyter_test_config.py`. Its workspaces, settings, runtime files and user
 * config live in a scratch directory, so nothing of the user's own Jupyter set-up is read or
 * written.
 *
 * ```ts
 * const lab = await startJupyterLab({ root: notebooksDir, env: { OPENHCS_REMOTE_PORT: "7777" } });
 * await page.goto(lab.notebookUrl("demo.ipynb"));
 * await lab.stop();
 * ```
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, isRunning, waitForExit } from "./processes.js";
import { PYTHON, REPO_ROOT } from "./python.js";

const CONFIG = join(REPO_ROOT, "test", "helpers", "jupyter_test_config.py");

/** Options of {@link startJupyterLab}. */
export interface StartLabOptions {
  /** The directory JupyterLab serves (notebooks are opened relative to it). */
  readonly root: string;
  /** Extra environment for JupyterLab and hence for its kernels. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the server to answer (default 90 s). */
  readonly timeoutMs?: number;
  /** Copy JupyterLab's log here when it stops (its scratch directory is removed). */
  readonly keepLogAs?: string;
}

/** What identifies a running JupyterLab; plain data, so a global set-up can hand it to tests. */
export interface LabInfo {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly token: string;
  readonly pid: number;
  /** The directory it serves. */
  readonly root: string;
  /** JupyterLab's own log (stdout and stderr). */
  readonly logFile: string;
}

/** A JupyterLab to talk to. */
export interface LabHandle extends LabInfo {
  /** The URL that opens `path` (relative to the root) in JupyterLab and logs in. */
  notebookUrl(path: string): string;
  /** Call the REST API (`/api/...`) with the token; resolves with the parsed JSON, if any. */
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** The last lines of its log, for failure messages. */
  logTail(lines?: number): string;
}

/** A JupyterLab this process started. */
export interface JupyterLab extends LabHandle {
  /** Stop JupyterLab (and so its kernels); anything it started and left running is killed. */
  stop(): Promise<void>;
}

/** Talk to a JupyterLab started elsewhere (e.g. by a vitest global set-up). */
export function labHandle(info: LabInfo): LabHandle {
  const { baseUrl, token, logFile } = info;
  return {
    ...info,
    notebookUrl: (path) => `${baseUrl}/lab/tree/${encodeURI(path)}?token=${token}`,
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      const response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? "GET",
        headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(
          `JupyterLab ${init.method ?? "GET"} ${path}: HTTP ${response.status} ${text}`,
        );
      }
      return (text === "" ? undefined : JSON.parse(text)) as T;
    },
    logTail(lines = 40) {
      try {
        return (
          readFileSync(logFile, "utf8")
            .split("\n")
            // jupyter-builder prints a minified yarn bundle when it cannot read yarn's config.
            .filter((line) => line.length < 400)
            .slice(-lines)
            .join("\n")
        );
      } catch {
        return "(no log)";
      }
    },
  };
}

/** A free TCP port on 127.0.0.1 (JupyterLab is told not to retry others: a race fails loudly). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (typeof address === "object" && address !== null) resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Start JupyterLab and wait until its REST API answers. */
export async function startJupyterLab(options: StartLabOptions): Promise<JupyterLab> {
  const state = mkdtempSync(join(tmpdir(), "ohr-lab-"));
  for (const dir of ["runtime", "config", "data", "ipython"]) mkdirSync(join(state, dir));
  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logFile = join(state, "jupyterlab.log");
  const log = openSync(logFile, "a");
  const child = spawn(
    PYTHON,
    ["-m", "jupyterlab", "--config", CONFIG, `--ServerApp.port=${port}`],
    {
      cwd: options.root,
      stdio: ["ignore", log, log],
      env: {
        ...process.env,
        // The sidecar is a Node script: run it with this very Node.
        OPENHCS_REMOTE_NODE: process.execPath,
        ...options.env,
        OHR_LAB_TOKEN: token,
        OHR_LAB_ROOT: options.root,
        OHR_LAB_STATE: state,
        JUPYTER_RUNTIME_DIR: join(state, "runtime"),
        JUPYTER_CONFIG_DIR: join(state, "config"),
        JUPYTER_DATA_DIR: join(state, "data"),
        IPYTHONDIR: join(state, "ipython"),
        JUPYTER_PLATFORM_DIRS: "1",
      },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("jupyter lab did not start");
  // Set from the exit handler; read through a function so TypeScript does not narrow it away.
  let exitStatus: number | string | null = null;
  child.on("exit", (code, signal) => {
    exitStatus = code ?? signal;
  });
  const exited = (): number | string | null => exitStatus;

  const handle = labHandle({ baseUrl, token, pid, root: options.root, logFile });
  const lab: JupyterLab = {
    ...handle,
    async stop() {
      // Kernels run in sessions of their own; note them now to be sure none outlives the lab.
      const started = descendants(pid);
      if (exited() === null) {
        child.kill("SIGTERM");
        await waitForExit(pid, 20_000).catch(() => {
          child.kill("SIGKILL");
        });
      }
      for (const leftover of started) {
        if (isRunning(leftover.pid)) process.kill(leftover.pid, "SIGKILL");
      }
      closeSync(log);
      if (options.keepLogAs !== undefined) copyFileSync(logFile, options.keepLogAs);
      rmSync(state, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    const status = exited();
    if (status !== null) {
      throw new Error(`jupyter lab exited (${status}) before answering:\n${lab.logTail()}`);
    }
    try {
      await lab.api("/api/status");
      return lab;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = lab.logTail();
      await lab.stop();
      throw new Error(`jupyter lab did not answer on ${baseUrl} in time:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Run the project's Python (the one with openhcs, pyzmq, numpy) from a test.
 *
 * The interpreter is `$OPENHCS_REMOTE_PYTHON` when set, else `<repo>/.venv/bin/python`. The script
 * is passed with `-c`, so it can be a template string in the test; data goes in on stdin
 * (`input`, text or bytes) and comes back on stdout. A non-zero exit, or a timeout, rejects with
 * the exit status and the tail of stderr.
 *
 * ```ts
 * import { runPython, runPythonJson } from "../helpers/python.js";
 * const pickled = await runPython("import pickle,sys; sys.stdout.buffer.write(pickle.dumps(1))");
 * const echoed = await runPythonJson<number[]>("import json,sys; print(json.dumps(json.load(sys.stdin)))", { input: "[1,2]" });
 * ```
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (with a trailing slash), found from this file upwards. */
export const REPO_ROOT = findRepoRoot(fileURLToPath(new URL(".", import.meta.url)));

function findRepoRoot(start: string): string {
  // Walk up rather than assume a depth: benchmarks run this file compiled under .cache/.
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "jupyterlab_ext"))) {
      return dir.endsWith(sep) ? dir : `${dir}${sep}`;
    }
  }
  throw new Error(`no openhcs-remote checkout above ${start}`);
}

/** The interpreter the helpers run. */
export const PYTHON = process.env.OPENHCS_REMOTE_PYTHON ?? `${REPO_ROOT}.venv/bin/python`;

/** Options for {@link runPython}. */
export interface RunPythonOptions {
  /** Written to the script's stdin, then stdin is closed. */
  input?: string | Uint8Array;
  /** Extra `sys.argv[1:]`. */
  args?: readonly string[];
  /** Kill the process and reject after this long (default 60 s). */
  timeoutMs?: number;
  /** Extra environment variables (merged over `process.env`). */
  env?: Readonly<Record<string, string>>;
  /** Working directory (default: the repository root). */
  cwd?: string;
}

/** Run `script` and resolve with its stdout as bytes. */
export function runPython(script: string, options: RunPythonOptions = {}): Promise<Buffer> {
  const { input, args = [], timeoutMs = 60_000, env, cwd = REPO_ROOT } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", script, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`python timed out after ${timeoutMs} ms\n${tail(stderr)}`));
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new Error(`python exited with ${code ?? signal}\n${tail(stderr)}`));
    });
    child.stdin.on("error", () => undefined); // the script may exit without reading stdin
    child.stdin.end(input ?? "");
  });
}

/** {@link runPython}, stdout decoded as UTF-8. */
export async function runPythonText(script: string, options?: RunPythonOptions): Promise<string> {
  return (await runPython(script, options)).toString("utf8");
}

/** {@link runPython}, stdout parsed as JSON. */
export async function runPythonJson<T>(script: string, options?: RunPythonOptions): Promise<T> {
  return JSON.parse(await runPythonText(script, options)) as T;
}

/**
 * Blocking variant, for building `it.each` tables at collection time. Prefer the async ones
 * elsewhere.
 */
export function runPythonSync(script: string, options: RunPythonOptions = {}): Buffer {
  const { input, args = [], timeoutMs = 60_000, env, cwd = REPO_ROOT } = options;
  const result = spawnSync(PYTHON, ["-c", script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    input: input ?? "",
    timeout: timeoutMs,
    maxBuffer: 1 << 30,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `python exited with ${result.status ?? result.signal}\n${tail([result.stderr])}`,
    );
  }
  return result.stdout;
}

function tail(chunks: readonly Buffer[]): string {
  const text = Buffer.concat(chunks).toString("utf8");
  return text.length > 4000 ? `…${text.slice(-4000)}` : text;
}

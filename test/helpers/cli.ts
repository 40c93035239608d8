/** Run the built `openhcs-remote` CLI (lib/cli/main.js) as a user would. */
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./python.js";

export const CLI = join(REPO_ROOT, "lib", "cli", "main.js");
/** Where CLI runs in tests keep their run journal: a temporary folder, not the user's home. */
export const TEST_JOURNAL = join(tmpdir(), "openhcs-remote-test-journal");

/** Exit code and output of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `openhcs-remote ...args` to completion; under `launcher` when given (an argv prefix such
 * as a shaped link's `ip netns exec NS`).
 */
export function runCli(
  args: readonly string[],
  timeoutMs = 120_000,
  env: Readonly<Record<string, string>> = {},
  launcher: readonly string[] = [],
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command = process.execPath, ...rest] = [...launcher, process.execPath, CLI, ...args];
    const child = spawn(command, rest, {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENHCS_REMOTE_STATE_DIR: TEST_JOURNAL, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`openhcs-remote ${args.join(" ")} did not finish in ${timeoutMs} ms\n${stderr}`),
      );
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON lines of a `--json` run. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

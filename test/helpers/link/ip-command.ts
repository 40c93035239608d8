/** Run `ip` / `tc` (iproute2) for the link harness; a failure names the command and its stderr. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Run `command ...args` to completion and return its stdout. */
export async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { timeout: 30_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? "";
    const reason = stderr === "" ? String(error) : stderr;
    throw new Error(`${command} ${args.join(" ")} failed: ${reason}`, { cause: error });
  }
}

/** `ip ...args`. */
export function ip(...args: string[]): Promise<string> {
  return run("ip", args);
}

/** The argv prefix that runs a command inside network namespace `ns`. */
export function inNamespace(ns: string): string[] {
  return ["ip", "netns", "exec", ns];
}

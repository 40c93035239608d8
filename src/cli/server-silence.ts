/**
 * What `run` says while the server is silent: the run goes on there (or not — the waiter finds
 * out), and the CLI waits for the link as long as {@link DEFAULT_LOST_AFTER_MS}.
 */
import { DEFAULT_LOST_AFTER_MS } from "../orchestrator/index.js";
import { formatDuration } from "../protocol/index.js";
import { emitJson } from "./cli-support.js";

/** The `onServerSilent` hook's report: a line on stderr, or a `server_link` event with `--json`. */
export function reportServerSilence(
  json: boolean,
  address: string,
  silentMs: number | null,
  bar: { finish(): void },
): void {
  if (json) {
    emitJson({
      event: "server_link",
      state: silentMs === null ? "answers" : "silent",
      address,
      silent_ms: silentMs,
    });
    return;
  }
  bar.finish();
  const line =
    silentMs === null
      ? `server ${address} answers again`
      : `server ${address} silent for ${formatDuration(silentMs)}; waiting up to ` +
        `${formatDuration(DEFAULT_LOST_AFTER_MS)} for it (the run goes on there)`;
  process.stderr.write(`openhcs-remote: ${line}\n`);
}

/** `openhcs-remote ping HOST:PORT`: handshake with an execution server and say what it is. */
import {
  emitJson,
  orchestratorFrom,
  parseVerbArgs,
  SERVER_OPTIONS,
  SERVER_OPTIONS_HELP,
  UsageError,
} from "./cli-support.js";

export const PING_HELP = `Usage: openhcs-remote ping HOST:PORT [options]

Handshake with an OpenHCS execution server: one ping/pong, then print what the
server says of itself (application and version, workers, runs).

Options:
${SERVER_OPTIONS_HELP}`;

/** Run the verb; returns the exit code. */
export async function ping(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, SERVER_OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${PING_HELP}\n`);
    return 0;
  }
  const target = positionals[0] ?? values.server;
  if (target === undefined) throw new UsageError("ping needs the server's HOST:PORT");
  const orch = orchestratorFrom(values, target);
  try {
    const started = performance.now();
    const info = await orch.connect();
    const roundTripMs = performance.now() - started;
    if (values.json === true) {
      emitJson({
        event: "pong",
        address: orch.endpoint.controlAddress,
        round_trip_ms: roundTripMs,
        server: info,
      });
    } else {
      const app =
        info.application === null
          ? "unknown application"
          : `${info.application} ${info.version ?? "?"}`;
      process.stdout.write(
        `${orch.endpoint.controlAddress}: ${info.server} (${app}), ${info.workers} workers, ` +
          `${info.running.length} running, ${info.queued.length} queued — ${roundTripMs.toFixed(1)} ms\n`,
      );
    }
    return 0;
  } finally {
    orch.close();
  }
}

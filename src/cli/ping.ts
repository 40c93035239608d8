/** `openhcs-remote ping HOST:PORT`: handshake with an execution server and say what it is. */
import { emitJson, UsageError } from "./cli-support.js";
import { serverVerb } from "./verb.js";

export const ping = serverVerb({
  summary: "handshake; show what the server is",
  help: `Usage: openhcs-remote ping HOST:PORT [options]

Handshake with an OpenHCS execution server: one ping/pong, then print what the
server says of itself (application and version, workers, runs).

`,
  check: ({ values, positionals }) => {
    if ((positionals[0] ?? values.server) === undefined)
      throw new UsageError("ping needs the server's HOST:PORT");
  },
  server: ({ values, positionals }) => positionals[0] ?? values.server,
  act: async (orch, { values }) => {
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
  },
});

/**
 * How the sidecar spells its values on the shim link (docs/sidecar-protocol.md): snake_case, as
 * everything that crosses to Python and the browser is.
 */
import { isOhrError } from "../protocol/index.js";
import type {
  RelayLinkChange,
  RunProgressSnapshot,
  ServerInfo,
  ResultCoordinates,
} from "../orchestrator/index.js";

/** An error as `{code, message, traceback}`; `traceback` is the server's, when it sent one. */
export function errorWire(error: unknown): {
  code: string;
  message: string;
  traceback: string | null;
} {
  const traceback =
    typeof error === "object" && error !== null && "serverTraceback" in error
      ? (error as { serverTraceback?: unknown }).serverTraceback
      : undefined;
  return {
    code: isOhrError(error) ? error.code : "ERR_SIDECAR_INTERNAL",
    message: error instanceof Error ? error.message : String(error),
    traceback: typeof traceback === "string" ? traceback : null,
  };
}

/** A progress snapshot as the shim and the widget read it. */
export function snapshotWire(snapshot: RunProgressSnapshot): Record<string, unknown> {
  return {
    phase: snapshot.phase,
    fraction: snapshot.fraction,
    wells_done: snapshot.wellsDone,
    wells_total: snapshot.wellsTotal,
    wells_failed: snapshot.wellsFailed,
    eta_ms: snapshot.etaMs,
    elapsed_ms: snapshot.elapsedMs,
    step_names: snapshot.stepNames,
    wells: snapshot.wells.map((well) => ({
      well: well.well,
      state: well.state,
      fraction: well.fraction,
      step: well.step,
      ...(well.error === undefined ? {} : { error: well.error }),
    })),
  };
}

/** Where an item (or a stored plane) sits: `seq`, well, site, channel, z, timepoint, step. */
export function itemWire(
  item: Pick<ResultCoordinates, "seq" | "well" | "site" | "channel" | "z" | "timepoint" | "step">,
): Record<string, unknown> {
  return {
    seq: item.seq,
    well: item.well,
    site: item.site,
    channel: item.channel,
    z: item.z,
    timepoint: item.timepoint,
    step: item.step,
  };
}

/** What the server said of itself, for `connect` replies and `server_info` events. */
export function serverWire(info: ServerInfo): Record<string, unknown> {
  return {
    application: info.application,
    version: info.version,
    server: info.server,
    ready: info.ready,
    workers: info.workers,
    active_executions: info.activeExecutions,
    running: info.running.map((run) => ({ execution_id: run.executionId, plate_id: run.plateId })),
    queued: info.queued.map((run) => ({
      execution_id: run.executionId,
      plate_id: run.plateId,
      position: run.position,
    })),
    uptime_s: info.uptimeS,
  };
}

/** A change of the link to the relay, for `relay_link` events. */
export function relayLinkWire(change: RelayLinkChange): Record<string, unknown> {
  return {
    state: change.state,
    address: change.address,
    silent_ms: change.silentMs,
    reason: change.reason,
  };
}

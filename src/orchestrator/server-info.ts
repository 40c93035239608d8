/** What an execution server says of itself in its pong, in the terms a user reads. */
import type { Pong } from "../protocol/index.js";

/** The handshake's result. */
export interface ServerInfo {
  /** `openhcs` when the server names its application (zmqruntime ≥ 0.2). */
  readonly application: string | null;
  readonly version: string | null;
  /** Server class, e.g. `ZMQExecutionServer`. */
  readonly server: string;
  readonly ready: boolean;
  readonly workers: number;
  readonly activeExecutions: number;
  readonly running: readonly { executionId: string; plateId: string }[];
  readonly queued: readonly { executionId: string; plateId: string; position: number | null }[];
  readonly uptimeS: number | null;
  /** Server process, to tell a restarted server from the same one. */
  readonly processId: number | null;
  readonly processStartedAt: number | null;
}

/** Turn a pong into {@link ServerInfo}. */
export function describeServer(pong: Pong): ServerInfo {
  return {
    application: pong.application?.application_id ?? null,
    version: pong.application?.application_version ?? null,
    server: pong.server,
    ready: pong.ready,
    workers: pong.workers?.length ?? 0,
    activeExecutions: pong.active_executions ?? 0,
    running: (pong.running_executions ?? []).map((run) => ({
      executionId: run.execution_id,
      plateId: run.plate_id,
    })),
    queued: (pong.queued_executions ?? []).map((run) => ({
      executionId: run.execution_id,
      plateId: run.plate_id,
      position: run.queue_position ?? null,
    })),
    uptimeS: pong.uptime ?? null,
    processId: pong.process_identity?.pid ?? null,
    processStartedAt: pong.process_identity?.create_time ?? null,
  };
}

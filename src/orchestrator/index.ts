/**
 * `src/orchestrator/`: the Node client of an OpenHCS execution server — handshake, execute,
 * status, cancel, progress, retries, ETA. Imports only `src/protocol/`.
 */
export {
  RemoteOrchestrator,
  TESTED_OPENHCS_VERSION,
  type OrchestratorWarning,
  type RemoteOrchestratorOptions,
} from "./remote-orchestrator.js";
export type { ExecuteRequest } from "./submission.js";
export type { RunOutcome, WaitOptions } from "./run-waiter.js";
export type { RunProgressSnapshot, WellProgress, WellState } from "./run-progress.js";
export type { ServerInfo } from "./server-info.js";
export { formatDuration } from "./eta.js";
export * from "./errors.js";

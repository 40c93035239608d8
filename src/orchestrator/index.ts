/**
 * `src/orchestrator/`: the Node client of an OpenHCS execution server — handshake, execute,
 * status, cancel, progress, retries, ETA. Imports only `src/protocol/`.
 */
export {
  RemoteOrchestrator,
  TESTED_OPENHCS_VERSION,
  type OrchestratorWarning,
  type RelayOptions,
  type RemoteOrchestratorOptions,
} from "./remote-orchestrator.js";
export type {
  ResultCoordinates,
  ResultGap,
  ResultImage,
  PlanePreview,
  ResultPreview,
  ResultItem,
  ResultShapes,
} from "./result-image.js";
export { imageFromPreview } from "./result-image.js";
export type { Dtype, RelayDelivery } from "../protocol/index.js";
export type { StreamedRunOptions, StreamedRunOutcome } from "./streamed-run.js";
export * from "./relay-client/index.js";
export type { ExecuteRequest } from "./submission.js";
export type { RunOutcome, WaitOptions } from "./run-waiter.js";
export { DEFAULT_LOST_AFTER_MS, SERVER_SILENT_NOTICE_MS } from "./lost-after.js";
export type { RunProgressSnapshot, WellProgress } from "./run-progress.js";
export type { WellState } from "../protocol/index.js";
export type { ServerInfo } from "./server-info.js";
export * from "./orchestrator-errors.js";
export * from "./result-store/index.js";
export * from "./measurements/index.js";

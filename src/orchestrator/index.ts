/**
 * `src/orchestrator/`: the Node client of an OpenHCS execution server — handshake, execute,
 * status, cancel, progress, retries, ETA. Imports only `src/protocol/`.
 */
export {
  DEFAULT_RELAY_VIEWER_PORT,
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
  ResultItem,
  ResultShapes,
} from "./result-image.js";
export type { Dtype } from "../protocol/index.js";
export { ResultStream, type ResultStreamOptions, type ResultSummary } from "./result-stream.js";
export type { RelayEndpoint } from "./relay-session.js";
export type { RunEndStatus } from "./run-cursor.js";
export type { StreamedRunOptions, StreamedRunOutcome } from "./streamed-run.js";
export { isResultGap } from "./to-result-item.js";
export {
  DEFAULT_CONFIG_CODE,
  RelayRouteError,
  isRoutedToRelay,
  routeToRelay,
  type RoutedCode,
} from "./stream-routing.js";
export * from "./result-stream-errors.js";
export type { ExecuteRequest } from "./submission.js";
export type { RunOutcome, WaitOptions } from "./run-waiter.js";
export type { RunProgressSnapshot, WellProgress, WellState } from "./run-progress.js";
export type { ServerInfo } from "./server-info.js";
export { formatDuration } from "./eta.js";
export * from "./errors.js";

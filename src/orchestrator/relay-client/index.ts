/**
 * `src/orchestrator/relay-client/`: the Node client of our relay (docs/relay-stream-protocol.md):
 * one DEALER session kept alive across restarts (`relay-session.ts`), and per run a
 * {@link ResultStream} that grants credit, drops duplicates and reports gaps. Also the text
 * change that points a pipeline's viewer streams at the relay (`stream-routing.ts`, §8).
 */
export type { RelayEndpoint, RelayReply } from "./relay-session.js";
export { DEFAULT_RELAY_VIEWER_PORT, askRelayViewerPort, askRelayWelcome } from "./relay-welcome.js";
export {
  RelayLinkWatch,
  type RelayLinkChange,
  type RelayLinkReason,
  type RelayLinkState,
} from "./relay-link.js";
export { ResultStream, type ResultStreamOptions, type ResultSummary } from "./result-stream.js";
export type { RunEndStatus } from "./run-cursor.js";
export { isResultGap } from "./to-result-item.js";
export {
  DEFAULT_CONFIG_CODE,
  RelayRouteError,
  isRoutedToRelay,
  routeToRelay,
  type RoutedCode,
} from "./stream-routing.js";
export * from "./result-stream-errors.js";
export { RunFileError, RunFileSession, type RunFileSessionOptions } from "./run-files.js";

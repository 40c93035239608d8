/**
 * Ask the relay who it is: one `hello`, its `welcome`, close. The client learns from it where
 * OpenHCS workers reach the relay (`viewer_port`), so that a run is routed right with nothing but
 * the relay's stream address given.
 */
import type { Welcome } from "../../protocol/index.js";
import { RelaySession, type RelayEndpoint } from "./relay-session.js";

/** Resolve with the relay's `welcome`; reject with the session's error (unreachable, refused). */
export function askRelayWelcome(
  endpoint: RelayEndpoint,
  { timeoutMs = 10_000 }: { timeoutMs?: number | undefined } = {},
): Promise<Welcome> {
  return new Promise((resolve, reject) => {
    const session: RelaySession = new RelaySession(
      endpoint,
      {
        connectTimeoutMs: timeoutMs,
        lostAfterMs: timeoutMs,
        clientName: "openhcs-remote (welcome)",
      },
      {
        onWelcome: (welcome) => {
          session.close();
          resolve(welcome);
        },
        onMessage: () => undefined,
        onFailure: (error) => {
          session.close();
          reject(error);
        },
        place: () => ({ address: session.address, executionId: "(none yet)", nextSeq: 1 }),
      },
    );
    session.start();
  });
}

/** The relay's default viewer port (`openhcs-remote-server --relay-viewer-port`). */
export const DEFAULT_RELAY_VIEWER_PORT = 5555;

/**
 * The viewer port the relay's `welcome` names; a relay too old to say (before 0.9) gets its
 * default, and `onUnstated` hears of it.
 */
export async function askRelayViewerPort(
  endpoint: RelayEndpoint,
  { timeoutMs, onUnstated }: { timeoutMs?: number; onUnstated: (message: string) => void },
): Promise<number> {
  const welcome = await askRelayWelcome(endpoint, { timeoutMs });
  if (welcome.viewer_port !== undefined) return welcome.viewer_port;
  onUnstated(
    `the relay at ${endpoint.host}:${endpoint.port} does not say its viewer port (an older ` +
      `relay); routing the run to its default, ${DEFAULT_RELAY_VIEWER_PORT}`,
  );
  return DEFAULT_RELAY_VIEWER_PORT;
}

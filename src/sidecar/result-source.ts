/**
 * The run's result items, as the orchestrator receives them from the relay, handed one at a
 * time to the session (which awaits each, so a slow shim slows the relay down through its
 * credit window instead of growing memory here).
 */
import type {
  RelayLinkChange,
  RemoteOrchestrator,
  ResultGap,
  ResultItem,
} from "../orchestrator/index.js";
import type { RelayDelivery } from "../protocol/index.js";

/** What to do with each item and each gap. */
export interface ResultHandlers {
  readonly signal: AbortSignal;
  readonly fromSeq?: number;
  readonly onItem: (item: ResultItem) => Promise<void>;
  readonly onGap: (gap: ResultGap) => Promise<void>;
  /** The relay went quiet, answered again, or was given up (at once, not in stream order). */
  readonly onRelayLink?: (change: RelayLinkChange) => void;
  readonly delivery?: RelayDelivery;
}

/**
 * Follow the results of `executionId` until the relay ends the run or `signal` aborts; rejects
 * with the stream's error (relay unreachable, malformed stream).
 */
export async function followResults(
  orchestrator: RemoteOrchestrator,
  executionId: string,
  handlers: ResultHandlers,
): Promise<void> {
  let gaps: Promise<void> = Promise.resolve();
  const stream = orchestrator.results(executionId, {
    signal: handlers.signal,
    fromSeq: handlers.fromSeq ?? 1,
    clientName: "openhcs-remote sidecar",
    delivery: handlers.delivery,
    // Each item is awaited below (stored, its preview sent) before the next is asked for.
    releaseFrames: true,
    onRelayLink: handlers.onRelayLink,
    // Gaps come in stream order, between items; chaining keeps them in that order.
    onGap: (gap) => {
      gaps = gaps.then(() => handlers.onGap(gap));
    },
  });
  for await (const item of stream) {
    await gaps;
    await handlers.onItem(item);
  }
  await gaps;
}

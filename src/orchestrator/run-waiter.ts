/**
 * Waiting for a run to end: progress events for the live view, `status` polls for the truth.
 *
 * PUB/SUB can drop events and never says so, so the end of a run is always confirmed by `status`.
 * A server that stops answering is given `lostAfterMs` (while no progress arrives either) before
 * the run is declared lost, and is reported silent meanwhile; a server that answers but no
 * longer knows the run has restarted.
 */
import {
  isOhrError,
  isTerminal,
  RunStatusReplySchema,
  type ExecutionRecord,
  isRunTerminalEvent,
  type ProgressEvent,
} from "../protocol/index.js";
import type { ControlChannel } from "./control-channel.js";
import { callServer } from "./control-call.js";
import {
  AbortedError,
  RunCancelledError,
  RunFailedError,
  RunLostError,
} from "./orchestrator-errors.js";
import type { ProgressFeed } from "./progress-feed.js";
import { DEFAULT_LOST_AFTER_MS, SERVER_SILENT_NOTICE_MS } from "./lost-after.js";
import { isTransient, sleep } from "./retry.js";
import { RunProgress, type RunProgressSnapshot } from "./run-progress.js";

const TRACEBACK_RETRIES = 5;
const TRACEBACK_RETRY_MS = 200;

/** Options of `wait`. */
export interface WaitOptions {
  /** Called with the new snapshot after every progress event of the run. */
  readonly onProgress?: ((snapshot: RunProgressSnapshot, event: ProgressEvent) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Between `status` polls; default 500 ms. */
  readonly pollIntervalMs?: number | undefined;
  /**
   * How long the server may be silent before the run counts as lost; default
   * {@link DEFAULT_LOST_AFTER_MS} (a link that heals within it loses nothing).
   */
  readonly lostAfterMs?: number | undefined;
  /**
   * The server has been silent `silentMs` (once {@link SERVER_SILENT_NOTICE_MS} passed, and
   * not again until it answers), or answers again (`null`).
   */
  readonly onServerSilent?: ((silentMs: number | null) => void) | undefined;
}

/** How a completed run ended. */
export interface RunOutcome {
  readonly executionId: string;
  readonly record: ExecutionRecord;
  readonly progress: RunProgressSnapshot;
}

/** What the waiter needs from the orchestrator. */
export interface WaitContext {
  readonly channel: ControlChannel;
  readonly feed: ProgressFeed;
  readonly timeoutMs: number;
}

/**
 * Wait for run `executionId` to end. Resolves for `complete`; rejects with
 * {@link RunFailedError} (with the server's traceback), {@link RunCancelledError} or
 * {@link RunLostError}.
 */
export async function waitForRun(
  context: WaitContext,
  executionId: string,
  options: WaitOptions = {},
): Promise<RunOutcome> {
  const { channel, feed } = context;
  const place = { address: channel.address, executionId };
  const pollMs = options.pollIntervalMs ?? 500;
  const lostAfterMs = options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS;
  const statusTimeoutMs = Math.min(context.timeoutMs, 2000);
  const tracker = new RunProgress(executionId);
  let lastEventAt = 0;
  let wake: (() => void) | null = null;

  const unlisten = feed.listen(executionId, (event) => {
    lastEventAt = Date.now();
    const snapshot = tracker.apply(event);
    options.onProgress?.(snapshot, event);
    if (isRunTerminalEvent(event)) wake?.();
  });
  const onAbort = (): void => wake?.();
  options.signal?.addEventListener("abort", onAbort);

  try {
    let failingSince: number | null = null;
    let reportedSilent = false;
    let tracebackRetries = 0;
    for (;;) {
      if (options.signal?.aborted === true) {
        throw new AbortedError(`waiting for run ${executionId}`, { cause: options.signal.reason });
      }
      let record: ExecutionRecord | null = null;
      const attemptStartedAt = Date.now();
      try {
        const reply = await callServer(
          channel,
          { type: "status", execution_id: executionId },
          RunStatusReplySchema,
          { timeoutMs: statusTimeoutMs, signal: options.signal, executionId },
        );
        record = reply.execution;
        failingSince = null;
        if (reportedSilent) {
          reportedSilent = false;
          options.onServerSilent?.(null);
        }
      } catch (error) {
        if (isOhrError(error, "ERR_SERVER_ERROR") && /not found/i.test(error.message)) {
          throw new RunLostError(place, "the server no longer knows this run (it was restarted)", {
            cause: error,
          });
        }
        if (!isTransient(error)) throw error;
        const now = Date.now();
        // Silence began when the failed request was sent, not when it timed out.
        failingSince ??= attemptStartedAt;
        const silentFor = now - Math.max(failingSince, lastEventAt);
        if (!reportedSilent && silentFor >= SERVER_SILENT_NOTICE_MS) {
          reportedSilent = true;
          options.onServerSilent?.(silentFor);
        }
        if (silentFor >= lostAfterMs) {
          throw new RunLostError(
            place,
            `the server stopped answering (no reply and no progress for ${Math.round(silentFor / 1000)} s)`,
            { cause: error },
          );
        }
      }
      if (record !== null && isTerminal(record.status)) {
        // OpenHCS 0.8.6 marks a run failed a moment before it stores the traceback: ask again
        // briefly rather than report a failure without its traceback.
        const tracebackPending = record.status === "failed" && record.traceback == null;
        if (!tracebackPending || tracebackRetries >= TRACEBACK_RETRIES) {
          return finish(record, tracker, place);
        }
        tracebackRetries += 1;
        await sleep(TRACEBACK_RETRY_MS, options.signal);
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, failingSince === null ? pollMs : Math.min(pollMs, 1000)).unref();
      });
      wake = null;
    }
  } finally {
    unlisten();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function finish(
  record: ExecutionRecord,
  tracker: RunProgress,
  place: { address: string; executionId: string },
): RunOutcome {
  switch (record.status) {
    case "failed":
      throw new RunFailedError(
        place,
        record.error ?? "no reason given",
        record.traceback ?? undefined,
      );
    case "cancelled":
      throw new RunCancelledError(place);
    default:
      return { executionId: place.executionId, record, progress: tracker.snapshot() };
  }
}

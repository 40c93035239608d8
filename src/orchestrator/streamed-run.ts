/**
 * Waiting for a run while its results stream in: the progress/status wait and the relay stream
 * side by side. The run's end comes from the execution server (the truth about the run); the
 * stream's end from the relay, which announces it after delivering everything it holds. A run the
 * relay never heard of (it streamed nothing) is not waited for beyond a short grace.
 */
import type { RelayDelivery } from "../protocol/index.js";
import { AbortedError } from "./orchestrator-errors.js";
import type { ResultGap, ResultItem } from "./result-image.js";
import type { RelayLinkChange, ResultStream, ResultSummary } from "./relay-client/index.js";
import type { RunOutcome } from "./run-waiter.js";

/** Callbacks and limits for the results of one run. */
export interface StreamedRunOptions {
  /**
   * `"full"` (default here): every image's pixels as it arrives. `"previews"`: each image as its
   * 8-bit preview, the pixels left on the server until `fetchPlane` (docs/relay-stream-protocol.md §4.2).
   */
  readonly delivery?: RelayDelivery | undefined;
  /** Called for each item, in seq order; a returned promise is awaited (backpressure). */
  readonly onImage?: ((item: ResultItem) => void | Promise<void>) | undefined;
  /**
   * Free each image's pixels as soon as `onImage` returned (or its promise settled), for an
   * `onImage` that keeps nothing of the item (`ResultStreamOptions.releaseFrames`); default false.
   */
  readonly releaseFrames?: boolean | undefined;
  /** Called for each gap in the stream. */
  readonly onGap?: ((gap: ResultGap) => void) | undefined;
  /** Called when the relay goes quiet (`reconnecting`), answers again, or is given up on. */
  readonly onRelayLink?: ((change: RelayLinkChange) => void) | undefined;
  /**
   * After the run ended, how long the relay may send nothing for it before we stop waiting for
   * its `end`; default 30 000 ms when the relay knows the run, 3 000 ms when it never did.
   */
  readonly drainIdleMs?: number | undefined;
}

/** How a run with streamed results ended. */
export interface StreamedRunOutcome extends RunOutcome {
  /** What the relay delivered; `null` when no relay was configured. */
  readonly results: ResultSummary | null;
}

/**
 * Consume `stream` while `waitForEnd` runs. Resolves once the run completed and the stream ended
 * (or went idle); rejects with the run's error, or at once with the stream's (a malformed
 * stream, an `onImage` that threw) — the run itself goes on on the server.
 */
export async function followStreamedRun(
  stream: ResultStream<ResultItem>,
  waitForEnd: (signal: AbortSignal) => Promise<RunOutcome>,
  options: StreamedRunOptions & { readonly signal?: AbortSignal | undefined },
  onIncomplete: (summary: ResultSummary, idleMs: number) => void,
): Promise<StreamedRunOutcome> {
  const stopWaiting = new AbortController();
  const signals = [stopWaiting.signal, ...(options.signal === undefined ? [] : [options.signal])];
  // A holder, because the callback below assigns it where flow analysis cannot see.
  const streamed = { error: null as Error | null };
  const consuming = (async () => {
    for await (const item of stream) await options.onImage?.(item);
  })().catch((error: unknown) => {
    streamed.error = error instanceof Error ? error : new Error(String(error));
    stopWaiting.abort(error);
  });

  let outcome: RunOutcome | null = null;
  let runError: Error | null = null;
  try {
    outcome = await waitForEnd(AbortSignal.any(signals));
  } catch (error) {
    if (streamed.error !== null) {
      stream.close();
      throw streamed.error;
    }
    if (error instanceof AbortedError) {
      stream.close();
      await consuming;
      throw error;
    }
    runError = error instanceof Error ? error : new Error(String(error));
  }
  await drain(stream, consuming, options.drainIdleMs, onIncomplete);
  if (streamed.error !== null) throw streamed.error;
  if (runError !== null) throw runError;
  return { ...(outcome as RunOutcome), results: stream.summary };
}

async function drain(
  stream: ResultStream<ResultItem>,
  consuming: Promise<void>,
  drainIdleMs: number | undefined,
  onIncomplete: (summary: ResultSummary, idleMs: number) => void,
): Promise<void> {
  const runEndedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<number>((resolve) => {
    const check = (): void => {
      const limit = drainIdleMs ?? (stream.runKnown ? 30_000 : 3_000);
      const quietFor = Date.now() - Math.max(stream.lastActivityAt, runEndedAt);
      if (quietFor >= limit) resolve(quietFor);
      else timer = setTimeout(check, 100);
    };
    check();
  });
  const how = await Promise.race([consuming.then(() => null), idle]);
  clearTimeout(timer);
  if (how !== null) {
    stream.close();
    await consuming;
    onIncomplete(stream.summary, how);
  }
}

/**
 * Retries with exponential backoff for transient failures (no connection, no reply in time).
 * Anything else — a server error, a malformed reply, an abort — is final at once.
 */
import { isOhrError } from "../protocol/index.js";
import { AbortedError } from "./orchestrator-errors.js";

/** Failures worth another try on a fresh socket. */
export function isTransient(error: unknown): boolean {
  return isOhrError(error, "ERR_SERVER_UNREACHABLE") || mayHaveBeenDelivered(error);
}

/** Failures after the request left: the server may have acted on it. */
export function mayHaveBeenDelivered(error: unknown): boolean {
  return isOhrError(error, "ERR_TIMEOUT") || isOhrError(error, "ERR_CONNECTION_CLOSED");
}

/** Backoff before attempt `n` (1-based retry count): 250 ms, 500 ms, 1 s, … capped at 4 s. */
export function backoffMs(retry: number): number {
  return Math.min(4000, 250 * 2 ** (retry - 1));
}

/** Sleep that an abort cuts short (rejecting with {@link AbortedError}). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError("waiting", { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** Extra attempts after the first. */
  readonly retries: number;
  readonly signal?: AbortSignal | undefined;
  /** Called before each retry, e.g. to log it. */
  readonly onRetry?: ((error: unknown, retry: number) => void) | undefined;
}

/** Run `attempt` until it succeeds, fails for good, or `retries` transient failures are used up. */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || retry >= options.retries) throw error;
      options.onRetry?.(error, retry + 1);
      await sleep(backoffMs(retry + 1), options.signal);
    }
  }
}

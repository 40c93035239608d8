/**
 * Wait for conditions, never for fixed times: poll a probe until its value is accepted, and on
 * timeout say what was awaited and what was last seen.
 */

/**
 * Poll `probe` until `accept` says yes; resolve with that value.
 *
 * ```ts
 * const status = await eventually("the run to complete", () => statusText(), (s) => s === "Complete");
 * ```
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown = null;
  for (;;) {
    try {
      last = await probe();
      lastError = null;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen =
        lastError === null
          ? `last seen: ${JSON.stringify(last)}`
          : `last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

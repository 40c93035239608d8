/**
 * Bounds on what {@link decodePickle} will do with untrusted bytes. Every field is optional when
 * passed; missing ones take {@link DEFAULT_PICKLE_LIMITS}. Exceeding one throws `PickleLimitError`.
 */
export interface PickleLimits {
  /** Largest input accepted, in bytes. */
  readonly maxInputBytes: number;
  /**
   * Deepest container nesting (a scalar is depth 0, `[1]` is 1, `{"a": [1]}` is 2). Keeps
   * recursive consumers (zod, JSON, the widget) off the end of the stack.
   */
  readonly maxDepth: number;
  /**
   * Largest decoded size, in units of one str/bytes payload byte or one container item or stack
   * push. Checked twice: against what the decoder allocates, and against the size of every value
   * counted as a tree (a memoised list referenced twice counts twice), so shared references
   * cannot blow up into a "billion laughs" for whoever walks the result.
   */
  readonly maxDecodedSize: number;
  /** Most memo entries (PUT/BINPUT/LONG_BINPUT/MEMOIZE slots) kept at once. */
  readonly maxMemoEntries: number;
}

/**
 * Defaults: 32 MiB of input, depth 1000 (CPython's default recursion limit, so whatever the
 * server can pickle, we can load), 32 Mi decoded units, 1 Mi memo entries. Control replies are
 * a few hundred bytes to a few hundred KiB.
 */
export const DEFAULT_PICKLE_LIMITS: Readonly<PickleLimits> = Object.freeze({
  maxInputBytes: 32 * 1024 * 1024,
  maxDepth: 1000,
  maxDecodedSize: 32 * 1024 * 1024,
  maxMemoEntries: 1024 * 1024,
});

/** What one decode used, for tests and diagnostics. */
export interface PickleDecodeStats {
  /** Input bytes consumed (up to and including STOP). */
  readonly bytesRead: number;
  /** Units allocated in total (payload bytes + container items + stack pushes). */
  readonly allocatedUnits: number;
  /** The largest tree-counted size of any value built. */
  readonly largestValueSize: number;
  /** Deepest nesting of any value built. */
  readonly deepestNesting: number;
  /** Memo entries at the end. */
  readonly memoEntries: number;
  /** Opcodes executed. */
  readonly opcodes: number;
}

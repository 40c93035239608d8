/**
 * The states a well goes through, as the progress feed folds them, the sidecar sends them and the
 * widget shows them (docs/widget-protocol.md §2): one list for all three.
 */
export const WELL_STATES = [
  "pending",
  "compiling",
  "running",
  "done",
  "failed",
  "cancelled",
] as const;

/** Where one well is. */
export type WellState = (typeof WELL_STATES)[number];

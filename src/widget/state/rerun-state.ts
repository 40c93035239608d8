/** Where the widget's "re-run unfinished wells" request is; shown by the run header. */
export type RerunState =
  | { readonly kind: "idle" }
  /** Sent, no reply yet. */
  | { readonly kind: "pending" }
  /** No reply within the command timeout: the kernel is busy with a cell (as for cancel). */
  | { readonly kind: "waiting" }
  /** The shim started it (the `rerun` trait follows); `executionId` null: nothing to re-run. */
  | { readonly kind: "started"; readonly executionId: string | null }
  | { readonly kind: "failed"; readonly code: string; readonly message: string };

export const RERUN_IDLE: RerunState = { kind: "idle" };

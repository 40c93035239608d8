/** Where a cancel request from the widget is; shown by the run header. */
export type CancelState =
  | { readonly kind: "idle" }
  /** Sent, no reply yet. */
  | { readonly kind: "pending" }
  /**
   * No reply within the command timeout: the kernel is probably running a cell and will handle
   * the request when it is free (docs/widget-protocol.md §4), so this is not a failure.
   */
  | { readonly kind: "waiting" }
  /** The shim accepted it; the run's status will follow. */
  | { readonly kind: "requested"; readonly message: string }
  | { readonly kind: "failed"; readonly code: string; readonly message: string };

export const CANCEL_IDLE: CancelState = { kind: "idle" };

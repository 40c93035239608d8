/**
 * `src/widget/state/`: what the widget receives, as types and schemas — the synced traits
 * (docs/widget-protocol.md §2), the `ohr-preview` message (§3), the cancel and re-run buttons' states — and
 * the widget's errors. Imports nothing else of the widget.
 */
export * from "./cancel-state.js";
export * from "./measurement-summary.js";
export * from "./preview-message.js";
export * from "./rerun-state.js";
export * from "./run-state.js";
export * from "./schema.js";
export * from "./widget-errors.js";

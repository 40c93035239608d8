/**
 * `src/protocol/`: wire formats, importable anywhere (Node or browser). Imports nothing from the
 * other rooms.
 */
export * from "./ohr-error.js";
export * from "./pickle/index.js";
export * from "./dtypes.js";
export * from "./well-state.js";
export * from "./channel-colors.js";
export * from "./heatmap-colors.js";
export * from "./durations.js";
export * from "./control-replies.js";
export * from "./progress-event.js";
export * from "./relay-client-messages.js";
export * from "./relay-frames.js";
export * from "./relay-stream.js";
export * from "./plane-decode-error.js";
export * from "./blosc1.js";
export * from "./zstd-frame.js";
export * from "./plane-encoding.js";

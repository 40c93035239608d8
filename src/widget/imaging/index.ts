/**
 * `src/widget/imaging/`: pixels in the browser — the preview cache, previews as blendable
 * layers, full-resolution planes, channel blending, thumbnails, zoom and pan, well layouts.
 * Imports only `state/`.
 */
export * from "./compositor.js";
export * from "./full-plane.js";
export * from "./preview-cache.js";
export * from "./preview-layers.js";
export * from "./resolve-view.js";
export * from "./thumbnail.js";
export * from "./thumbnail-store.js";
export * from "./viewport.js";
export * from "./well-names.js";

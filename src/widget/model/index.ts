/**
 * `src/widget/model/`: the anywidget contract over the ipywidgets (Backbone) model, the
 * per-model session (preview cache), commands to the shim, and the binding of an
 * `<ohr-run-view>` to its model. Imports `state/`, `imaging/` and `elements/`.
 */
export * from "./anywidget-types.js";
export * from "./backbone-model-adapter.js";
export * from "./measurement-source.js";
export * from "./model-session.js";
export * from "./plane-fetcher.js";
export * from "./run-binding.js";

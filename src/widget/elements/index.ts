/**
 * `src/widget/elements/`: the Lit elements (`ohr-*.ts`, their styles beside them) and the
 * controllers they share. They know nothing of the model: `<ohr-run-view>` takes properties and
 * dispatches the events of `events.ts`. Imports `state/` and `imaging/`.
 */
export * from "./events.js";
export * from "./ohr-run-view.js";

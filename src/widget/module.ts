/**
 * The anywidget module of the run widget: `initialize` starts the per-model session (preview
 * cache), `render` mounts an `<ohr-run-view>` bound to the model. The same module runs under
 * anywidget (VS Code, Colab: shipped as `_esm`) and under our JupyterLab plugin. Wiring only.
 */
import {
  type AnyWidget,
  measurementSource,
  planeFetcher,
  RunBinding,
  closeSession,
  sessionOf,
} from "./model/index.js";
import "./elements/index.js";
import type { OhrRunState } from "./state/index.js";

/** Class on the output element; style/base.css uses it to hide the static contact sheet. */
export const HOST_CLASS = "ohr-run-host";

export default {
  initialize({ model }) {
    sessionOf(model);
    return () => {
      closeSession(model);
    };
  },
  render({ model, el }) {
    const view = document.createElement("ohr-run-view");
    // JupyterLab's notebook shortcuts see a key pressed in our shadow DOM as pressed on the
    // view itself: "a" typed in a contrast field would insert a cell, arrows on a slider would be
    // swallowed. Lumino skips shortcuts for events from inside this attribute.
    view.setAttribute("data-lm-suppress-shortcuts", "true");
    view.fetchPlane = planeFetcher(model);
    view.measurements = measurementSource(model);
    new RunBinding(view, model, sessionOf(model));
    el.classList.add(HOST_CLASS);
    el.append(view);
    return () => {
      view.remove();
      el.classList.remove(HOST_CLASS);
    };
  },
} satisfies AnyWidget<OhrRunState>;

export type { OhrRunState } from "./state/index.js";

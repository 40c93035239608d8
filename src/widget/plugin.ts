/**
 * The JupyterLab plugin: registers `OhrRunModel` / `OhrRunView` with the widget manager under
 * `openhcs-remote`, both thin shells that hand the anywidget contract to module.ts. Imports only
 * `@jupyter-widgets/base` (a shared singleton in the labextension) and types; wiring only.
 */
import type { JupyterFrontEndPlugin } from "@jupyterlab/application";
import { DOMWidgetModel, DOMWidgetView, IJupyterWidgetRegistry } from "@jupyter-widgets/base";
import { anyModelOf } from "./model/index.js";
import widget, { type OhrRunState } from "./module.js";
import { MODULE_NAME, MODULE_SEMVER, MODULE_VERSION } from "./version.js";

export class OhrRunModel extends DOMWidgetModel {
  override defaults(): ReturnType<DOMWidgetModel["defaults"]> {
    return {
      ...super.defaults(),
      _model_name: "OhrRunModel",
      _view_name: "OhrRunView",
      _model_module: MODULE_NAME,
      _view_module: MODULE_NAME,
      _model_module_version: MODULE_SEMVER,
      _view_module_version: MODULE_SEMVER,
    };
  }

  override initialize(...args: Parameters<DOMWidgetModel["initialize"]>): void {
    super.initialize(...args);
    const cleanup = widget.initialize({ model: anyModelOf<OhrRunState>(this) });
    this.once("destroy", cleanup);
  }
}

export class OhrRunView extends DOMWidgetView {
  // No initializer: Backbone calls methods from its constructor, before class fields exist.
  private cleanup: (() => void) | undefined;

  override render(): void {
    this.cleanup = widget.render({ model: anyModelOf<OhrRunState>(this.model), el: this.el });
  }

  override remove(): ReturnType<DOMWidgetView["remove"]> {
    this.cleanup?.();
    this.cleanup = undefined;
    return super.remove();
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "openhcs-remote:plugin",
  description: "Shows OpenHCS remote runs inline: plate grid, progress, image stacks.",
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app, registry: IJupyterWidgetRegistry) => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: { OhrRunModel, OhrRunView },
    });
  },
};

export default plugin;

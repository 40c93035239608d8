import { afterEach, describe, expect, it } from "vitest";
import type { IJupyterWidgetRegistry, IWidgetRegistryData } from "@jupyter-widgets/base";
import type { JupyterFrontEnd } from "@jupyterlab/application";
import plugin, { OhrRunModel, OhrRunView } from "../../src/widget/plugin.js";
import { MODULE_VERSION } from "../../src/widget/version.js";
import { clearBody, deep, rgbAt, settle } from "./helpers/dom.js";
import { previewOf } from "./helpers/mock-shim.js";
import { quadrantPlanes, runningState } from "./helpers/scenes.js";

/** The comm a widget manager gives a model: what the browser sends, and a way to receive. */
class FakeComm {
  readonly comm_id = "comm-1";
  readonly target_name = "jupyter.widget";
  readonly sent: { data: Record<string, unknown>; buffers: unknown[] }[] = [];
  #onMsg: ((msg: unknown) => void) | null = null;
  on_msg(handler: (msg: unknown) => void): void {
    this.#onMsg = handler;
  }
  on_close(): void {
    /* the test never closes the comm from the kernel side */
  }
  send(
    data: Record<string, unknown>,
    _callbacks?: unknown,
    _metadata?: unknown,
    buffers: unknown[] = [],
  ): string {
    this.sent.push({ data, buffers });
    return "msg-id";
  }
  close(): string {
    return "msg-id";
  }
  /** A comm message from the kernel (what jupyterlab/services hands the model). */
  receive(data: Record<string, unknown>, buffers: (ArrayBuffer | DataView)[] = []): void {
    this.#onMsg?.({ content: { comm_id: this.comm_id, data }, buffers });
  }
}

function registered(): IWidgetRegistryData {
  let data: IWidgetRegistryData | undefined;
  const registry: IJupyterWidgetRegistry = { registerWidget: (d) => (data = d) };
  void plugin.activate(null as unknown as JupyterFrontEnd, registry);
  if (data === undefined) throw new Error("the plugin registered nothing");
  return data;
}

describe("the JupyterLab plugin", () => {
  afterEach(clearBody);

  it("registers OhrRunModel and OhrRunView as openhcs-remote at the package version", () => {
    expect(plugin.id).toBe("openhcs-remote:plugin");
    expect(plugin.autoStart).toBe(true);
    const data = registered();
    expect(data.name).toBe("openhcs-remote");
    expect(data.version).toBe(MODULE_VERSION);
    expect(MODULE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(data.exports).toEqual({ OhrRunModel, OhrRunView });
  });

  it("renders an ipywidgets model through the anywidget contract, with comm buffers as images", async () => {
    const comm = new FakeComm();
    const state = runningState();
    // The manager is consulted only for message callbacks (kernel status); none are needed here.
    const manager = { callbacks: () => ({}) };
    const model = new OhrRunModel(state, {
      model_id: "m1",
      widget_manager: manager as never,
      comm,
    });
    expect(model.get("_model_module")).toBe("openhcs-remote");
    expect(model.get("_model_module_version")).toBe(`^${MODULE_VERSION}`);
    const view = new OhrRunView({ model });
    document.body.append(view.el);
    view.render();
    const runView = view.el.querySelector("ohr-run-view");
    if (runView === null) throw new Error("no <ohr-run-view> rendered");
    await settle(runView);
    expect(deep(runView, "ohr-run-header", ".percent").textContent).toBe("42%");
    // The view asked for a replay through the comm, as a custom message.
    const replay = comm.sent.find(
      (m) => (m.data.content as { name?: string } | undefined)?.name === "replay_previews",
    );
    expect(replay?.data.method).toBe("custom");
    // Previews come back as custom comm messages; the buffers here are plain ArrayBuffers.
    for (const [i, plane] of quadrantPlanes("A01").entries()) {
      const { content, pixels } = previewOf(plane, i + 1);
      comm.receive({ method: "custom", content }, [pixels.buffer as ArrayBuffer]);
    }
    await settle(runView);
    const canvas = deep<HTMLCanvasElement>(
      runView,
      "ohr-stack-viewer",
      "ohr-plane-canvas",
      "canvas",
    );
    expect(rgbAt(canvas, 0.25, 0.25)).toEqual([0, 255, 255]);
    // A click writes the trait back through the comm as an update.
    deep(runView, "ohr-plate-grid", '[data-well="B03"]').click();
    await settle(runView);
    const update = comm.sent.find((m) => m.data.method === "update");
    expect(update?.data.state).toMatchObject({ selected_well: "B03" });
    view.remove();
    expect(view.el.querySelector("ohr-run-view")).toBeNull();
  });
});

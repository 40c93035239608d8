// The shipped `_esm` on its own: nothing from src/widget is imported in this file, so the
// elements here are the bundle's own definitions.
import { afterEach, describe, expect, inject, it } from "vitest";
import type { AnyWidget } from "../../src/widget/model/anywidget-types.js";
import type { OhrRunState } from "../../src/widget/state/run-state.js";
import { clearBody, deep, rgbAt, settle } from "./helpers/dom.js";
import { MockModel } from "./helpers/mock-model.js";
import { MockShim } from "./helpers/mock-shim.js";
import { quadrantPlanes, runningState } from "./helpers/scenes.js";

/** Load an ES module from source text as anywidget does with a string `_esm`: a Blob URL. */
async function loadEsm(source: string): Promise<AnyWidget<OhrRunState>> {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    const module = (await import(/* @vite-ignore */ url)) as { default: AnyWidget<OhrRunState> };
    return module.default;
  } finally {
    URL.revokeObjectURL(url);
  }
}

describe("lib/widget-bundle/openhcs-remote-widget.js", () => {
  afterEach(clearBody);

  it("imports nothing outside itself", () => {
    const source = inject("widgetBundle");
    expect(source).not.toMatch(/\bimport\s*[^(]*from\s*["']/);
    expect(source).not.toMatch(/@jupyter-widgets|@jupyterlab/);
  });

  it("loads from a Blob URL, renders a run and draws its previews", async () => {
    const widget = await loadEsm(inject("widgetBundle"));
    const model = new MockModel(runningState());
    const shim = new MockShim(model);
    for (const plane of quadrantPlanes("A01")) shim.planes.push(plane); // held by the kernel
    await widget.initialize?.({ model });
    const el = document.createElement("div");
    document.body.append(el);
    await widget.render?.({ model, el });
    const view = el.querySelector("ohr-run-view");
    if (view === null) throw new Error("the bundle rendered no <ohr-run-view>");
    await settle(view);
    expect(model.commands("replay_previews")).toHaveLength(1);
    expect(deep(view, "ohr-run-header", ".percent").textContent).toBe("42%");
    const canvas = deep<HTMLCanvasElement>(view, "ohr-stack-viewer", "ohr-plane-canvas", "canvas");
    expect([rgbAt(canvas, 0.25, 0.25), rgbAt(canvas, 0.75, 0.75)]).toEqual([
      [0, 255, 255],
      [0, 0, 0],
    ]);
  });
});

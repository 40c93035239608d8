import { afterEach, describe, expect, it, vi } from "vitest";
import { userEvent } from "vitest/browser";
import widget from "../../src/widget/module.js";
import type { OhrRunView } from "../../src/widget/elements/ohr-run-view.js";
import type { OhrPlateGrid } from "../../src/widget/elements/ohr-plate-grid.js";
import { clearBody, deep, pixel, rgbAt, screenshot, settle, thumbPixel } from "./helpers/dom.js";
import { MockModel } from "./helpers/mock-model.js";
import { MockShim, previewOf } from "./helpers/mock-shim.js";
import { fineDetailPlane, quadrantPlanes, runningState } from "./helpers/scenes.js";

const CYAN = [0, 255, 255];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const BLACK = [0, 0, 0];

/** A model and its fake kernel, initialised as a widget manager would. */
function openModel(state = runningState()): {
  model: MockModel;
  shim: MockShim;
  close: () => void;
} {
  const model = new MockModel(state);
  const shim = new MockShim(model);
  const cleanup = widget.initialize({ model });
  return { model, shim, close: cleanup };
}

/** Render a view into a fresh output element; returns the element and the view's cleanup. */
async function renderView(
  model: MockModel,
): Promise<{ el: HTMLElement; view: OhrRunView; remove: () => void }> {
  const el = document.createElement("div");
  document.body.append(el);
  const remove = widget.render({ model, el });
  const view = el.querySelector("ohr-run-view");
  if (view === null) throw new Error("render mounted no <ohr-run-view>");
  await settle(view);
  return { el, view, remove };
}

const viewerCanvas = (view: OhrRunView): HTMLCanvasElement =>
  deep(view, "ohr-stack-viewer", "ohr-plane-canvas", "canvas");
const quadrants = (view: OhrRunView): number[][] => {
  const c = viewerCanvas(view);
  return [rgbAt(c, 0.25, 0.25), rgbAt(c, 0.75, 0.25), rgbAt(c, 0.25, 0.75), rgbAt(c, 0.75, 0.75)];
};

describe("the anywidget module with a model implementing the contract", () => {
  afterEach(() => {
    vi.useRealTimers();
    clearBody();
  });

  it("shows the run from the model's traits and follows their changes", async () => {
    const { model } = openModel();
    const { view } = await renderView(model);
    expect(deep(view, "ohr-run-header", ".status").textContent).toBe("Running");
    expect(deep(view, "ohr-run-header", ".percent").textContent).toBe("42%");
    model.kernelSet("progress", { ...(model.state.progress as object), fraction: 0.75 });
    model.kernelSet("status", "complete");
    await settle(view);
    expect(deep(view, "ohr-run-header", ".percent").textContent).toBe("75%");
    expect(deep(view, "ohr-run-header", ".status").textContent).toBe("Complete");
  });

  it("draws previews that arrive as binary custom messages, in the grid and the viewer", async () => {
    const { model, shim } = openModel();
    const { view } = await renderView(model);
    for (const plane of quadrantPlanes("B03")) shim.publish(plane);
    await settle(view);
    expect(deep(view, "ohr-stack-viewer", "b").textContent).toBe("B03"); // first well with images
    expect(quadrants(view)).toEqual([CYAN, GREEN, BLUE, BLACK]);
    // Exactly at the edge between DAPI's bright and dark halves (columns 31 | 32 of 64): a
    // buffer read from the wrong offset shifts it.
    const canvas = viewerCanvas(view);
    const column = (c: number): number[] =>
      pixel(canvas, ((c + 0.5) * canvas.width) / 64, 10).slice(0, 3);
    expect([column(31), column(32)]).toEqual([CYAN, GREEN]);
    expect(
      thumbPixel(deep<OhrPlateGrid>(view, "ohr-plate-grid"), "B03", 0.4, 0.4).slice(0, 3),
    ).toEqual(CYAN);
    await screenshot("run-view-previews", view);
  });

  it("asks the shim to replay its previews on first render, so a reloaded page gets its images back", async () => {
    // The kernel already holds previews from before the page was (re)loaded.
    const before = openModel();
    for (const plane of quadrantPlanes("A01")) before.shim.publish(plane);
    before.close();
    const { model, shim } = openModel();
    shim.planes.push(...before.shim.planes);
    const { view } = await renderView(model);
    expect(model.commands("replay_previews")).toHaveLength(1);
    await settle(view);
    expect(quadrants(view)).toEqual([CYAN, GREEN, BLUE, BLACK]);
    // A second view of the same model shares the images and does not ask again.
    const second = await renderView(model);
    expect(model.commands("replay_previews")).toHaveLength(1);
    expect(quadrants(second.view)).toEqual([CYAN, GREEN, BLUE, BLACK]);
  });

  it("says nothing alarming when a busy kernel answers replay_previews late, and draws the previews then", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { model, shim } = openModel();
    shim.busy = true; // a cell such as run.wait() is still running
    const { view } = await renderView(model);
    await vi.advanceTimersByTimeAsync(10_100); // the replay command times out
    await settle(view);
    const notice = deep(view, "ohr-run-header").shadowRoot?.querySelector(".notice");
    expect(notice?.textContent ?? "").not.toContain("replayed");
    // The kernel gets to it later: its previews arrive and are drawn.
    for (const plane of quadrantPlanes("A01")) shim.publish(plane);
    await settle(view);
    expect(quadrants(view)).toEqual([CYAN, GREEN, BLUE, BLACK]);
  });

  it("sends cancel as a command, shows it pending, then what the shim answered", async () => {
    const { model, shim } = openModel();
    shim.busy = true;
    const { view } = await renderView(model);
    const button = deep<HTMLButtonElement>(view, "ohr-run-header", ".cancel button");
    await userEvent.click(button);
    await settle(view);
    expect(model.commands("cancel")).toMatchObject([
      { kind: "ohr-command", name: "cancel", args: {} },
    ]);
    expect(button.textContent.trim()).toBe("Cancelling…");
    expect(button.disabled).toBe(true);
    shim.idle();
    await settle(view);
    expect(deep(view, "ohr-run-header", ".cancel-note").textContent).toBe(
      "Cancel sent to the server.",
    );
    model.kernelSet("status", "cancelled");
    await settle(view);
    expect(button.disabled).toBe(true);
    expect(button.textContent.trim()).toBe("Cancel run");
  });

  it("keeps a cancel pending, not failed, when the busy kernel does not answer within 10 s", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { model, shim } = openModel();
    const { view } = await renderView(model);
    shim.busy = true;
    await userEvent.click(deep(view, "ohr-run-header", ".cancel button"));
    await vi.advanceTimersByTimeAsync(9_900);
    await settle(view);
    expect(deep(view, "ohr-run-header", ".cancel button").textContent.trim()).toBe("Cancelling…");
    const listening = model.listenerCount("msg:custom");
    await vi.advanceTimersByTimeAsync(200);
    await settle(view);
    expect(deep(view, "ohr-run-header", ".cancel-note").textContent).toContain("kernel is busy");
    expect(model.listenerCount("msg:custom")).toBe(listening - 1); // the reply listener is gone
  });

  it("shows the shim's error when a command fails", async () => {
    const { model, shim } = openModel();
    const { view } = await renderView(model);
    shim.failNext = { code: "ERR_NOT_RUNNING", message: "run 3f2a9c1e already finished" };
    await userEvent.click(deep(view, "ohr-run-header", ".cancel button"));
    await settle(view);
    expect(deep(view, "ohr-run-header", ".cancel-note").textContent).toContain(
      "ERR_NOT_RUNNING: run 3f2a9c1e already finished",
    );
  });

  it("writes the selected well and the viewed plane back to the model", async () => {
    const { model, shim } = openModel(
      runningState({ axes: { sites: [1], z: [1, 2], timepoints: [1], steps: ["normalize"] } }),
    );
    const planes = [
      ...quadrantPlanes("A01"),
      ...quadrantPlanes("B03"),
      ...quadrantPlanes("B03", { z: 2 }),
    ];
    for (const plane of planes) shim.publish(plane);
    const { view } = await renderView(model);
    await userEvent.click(deep(view, "ohr-plate-grid", '[data-well="B03"]'));
    await settle(view);
    expect(model.saved).toContainEqual({ selected_well: "B03" });
    expect(deep(view, "ohr-stack-viewer", "b").textContent).toBe("B03");
    deep<HTMLInputElement>(view, "ohr-stack-viewer", "ohr-axis-sliders", '[data-axis="z"]').focus();
    await userEvent.keyboard("{ArrowRight}");
    await settle(view);
    expect(model.saved.at(-1)).toEqual({
      view: { site: 1, z: 2, timepoint: 1, step: "normalize" },
    });
  });

  it("fetches full resolution with fetch_plane and the plane's coordinates", async () => {
    const { model, shim } = openModel();
    shim.publish(fineDetailPlane("A01"));
    const { view } = await renderView(model);
    await userEvent.click(deep(view, "ohr-stack-viewer", ".full input"));
    await expect
      .poll(() => deep(view, "ohr-stack-viewer", ".info").textContent)
      .toContain("512×384 full resolution");
    expect(model.commands("fetch_plane")).toMatchObject([
      {
        name: "fetch_plane",
        args: { well: "A01", site: 1, channel: 1, z: 1, timepoint: 1, step: "normalize" },
      },
    ]);
  });

  it("drops a preview whose buffer does not match its size, says so, and keeps the others", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { model, shim } = openModel();
    const { view } = await renderView(model);
    const bad = previewOf(quadrantPlanes("C04")[0]!, 99);
    model.kernelSend(bad.content, [bad.pixels.slice(1)]);
    for (const plane of quadrantPlanes("A01")) shim.publish(plane);
    await settle(view);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("ERR_WIDGET_MESSAGE"));
    expect(warn.mock.calls.flat().join()).toContain("well C04");
    expect(quadrants(view)).toEqual([CYAN, GREEN, BLUE, BLACK]);
    warn.mockRestore();
  });

  it("shows an invalid trait as empty and tells the user", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { model } = openModel();
    const { view } = await renderView(model);
    model.kernelSet("wells", { A01: { state: "exploded", fraction: 2 } });
    await settle(view);
    expect(deep(view, "ohr-run-header", ".notice").textContent).toContain("invalid 'wells'");
    expect(deep(view, "ohr-plate-grid", '[data-well="A01"]').classList).toContain("absent");
    warn.mockRestore();
  });

  it("removes a view's listeners from the model when the view goes, and the session's on close", async () => {
    const { model, close } = openModel();
    expect(model.listenedEvents()).toEqual(["msg:custom"]); // the session's preview listener
    const { remove } = await renderView(model);
    expect(model.listenerCount("change:status")).toBe(1);
    remove();
    expect(model.listenedEvents()).toEqual(["msg:custom"]);
    close();
    expect(model.listenedEvents()).toEqual([]);
  });
});

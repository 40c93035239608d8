/**
 * The relay's absence in the widget's status line (issue 11): the `relay_link` trait, set as the
 * shim sets it, shows "reconnecting to relay HOST:PORT… (N s)" beside the run's state, counting
 * on while the relay stays away, and goes when the shim clears it; a relay given up is an alert.
 */
import { afterEach, describe, expect, it } from "vitest";
import widget from "../../src/widget/module.js";
import type { OhrRunView } from "../../src/widget/elements/ohr-run-view.js";
import { clearBody, deep, screenshot, settle } from "./helpers/dom.js";
import { MockModel } from "./helpers/mock-model.js";
import { runningState } from "./helpers/scenes.js";

const RELAY = "10.200.0.1:7779";

async function mount(): Promise<{ model: MockModel; view: OhrRunView }> {
  const model = new MockModel(runningState());
  widget.initialize({ model });
  const el = document.createElement("div");
  document.body.append(el);
  widget.render({ model, el });
  const view = el.querySelector("ohr-run-view");
  if (view === null) throw new Error("render mounted no <ohr-run-view>");
  await settle(view);
  return { model, view };
}

/** The status line's relay text, `""` when it shows none. */
function relayText(view: OhrRunView): string {
  const status = deep(view, "ohr-run-header", "ohr-relay-status");
  return (status.shadowRoot?.textContent ?? "").replace(/\s+/g, " ").trim();
}

describe("the relay in the widget's status line", () => {
  afterEach(clearBody);

  it("says it is reconnecting to the relay, counts the seconds on, and clears when it is back", async () => {
    const { model, view } = await mount();
    expect(relayText(view)).toBe("");
    model.kernelSet("relay_link", { state: "reconnecting", address: RELAY, silent_ms: 12_000 });
    await settle(view);
    expect(relayText(view)).toBe(`reconnecting to relay ${RELAY}… (12 s)`);
    const line = deep(view, "ohr-run-header", "ohr-relay-status", ".relay");
    expect(line.getAttribute("role")).toBe("status");
    // The run's own state stays what the server says: the run goes on meanwhile.
    expect(deep(view, "ohr-run-header", ".status").textContent).toBe("Running");
    await screenshot("run-header-reconnecting", deep(view, "ohr-run-header"));
    await expect
      .poll(() => relayText(view), { timeout: 4000 })
      .toBe(`reconnecting to relay ${RELAY}… (14 s)`);
    model.kernelSet("relay_link", null);
    await settle(view);
    expect(relayText(view)).toBe("");
  });

  it("counts from the latest figure the shim sent, not from the first", async () => {
    const { model, view } = await mount();
    model.kernelSet("relay_link", { state: "reconnecting", address: RELAY, silent_ms: 3_000 });
    await settle(view);
    expect(relayText(view)).toBe(`reconnecting to relay ${RELAY}… (3 s)`);
    model.kernelSet("relay_link", { state: "reconnecting", address: RELAY, silent_ms: 40_000 });
    await settle(view);
    expect(relayText(view)).toBe(`reconnecting to relay ${RELAY}… (40 s)`);
  });

  it("says no more images will arrive once the stream gave up on the relay", async () => {
    const { model, view } = await mount();
    model.kernelSet("relay_link", { state: "lost", address: RELAY, silent_ms: 60_500 });
    await settle(view);
    expect(relayText(view)).toBe(`lost the relay ${RELAY}; no more images will arrive`);
    expect(deep(view, "ohr-run-header", "ohr-relay-status", ".relay").getAttribute("role")).toBe(
      "alert",
    );
  });

  it("shows nothing for a relay_link it cannot read, and says which trait was wrong", async () => {
    const { model, view } = await mount();
    expect(() => deep(view, "ohr-run-header", ".notice")).toThrow(); // no notice yet
    model.kernelSet("relay_link", { state: "sleeping", address: RELAY });
    await settle(view);
    expect(relayText(view)).toBe("");
    expect(deep(view, "ohr-run-header", ".notice").textContent).toContain("'relay_link'");
  });
});

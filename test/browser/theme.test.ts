import { afterEach, describe, expect, inject, it } from "vitest";
import widget from "../../src/widget/module.js";
import type { OhrRunView } from "../../src/widget/elements/ohr-run-view.js";
import { clearBody, deep, screenshot, settle } from "./helpers/dom.js";
import { MockModel } from "./helpers/mock-model.js";
import { MockShim } from "./helpers/mock-shim.js";
import { quadrantPlanes, runningState } from "./helpers/scenes.js";

type Rgba = [number, number, number, number];

function parseColor(css: string): Rgba {
  const parts = /rgba?\(([^)]+)\)/
    .exec(css)?.[1]
    ?.split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  if (parts === undefined || parts.length < 3) throw new Error(`not an rgb colour: ${css}`);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
}

/** `fg` laid over the opaque `bg`. */
function over(fg: Rgba, bg: Rgba): Rgba {
  const a = fg[3];
  return [fg[0] * a + bg[0] * (1 - a), fg[1] * a + bg[1] * (1 - a), fg[2] * a + bg[2] * (1 - a), 1];
}

/** WCAG 2 contrast ratio of two opaque colours. */
function contrast(a: Rgba, b: Rgba): number {
  const luminance = ([r, g, b2]: Rgba): number => {
    const lin = (c: number): number =>
      (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b2);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Put JupyterLab's own theme stylesheet on the page, as JupyterLab does. */
function useTheme(css: string): void {
  document.getElementById("ohr-test-theme")?.remove();
  const style = document.createElement("style");
  style.id = "ohr-test-theme";
  style.textContent = css;
  document.head.append(style);
}

async function renderFailedRun(): Promise<OhrRunView> {
  const model = new MockModel(
    runningState({
      status: "failed",
      selected_well: "A01",
      error: {
        code: "ERR_RUN_FAILED",
        message: "1 well failed",
        traceback: "Traceback …\nValueError: empty stack",
      },
    }),
  );
  const shim = new MockShim(model);
  widget.initialize({ model });
  for (const plane of quadrantPlanes("A01")) shim.publish(plane);
  const el = document.createElement("div");
  document.body.append(el);
  widget.render({ model, el });
  const view = el.querySelector("ohr-run-view");
  if (view === null) throw new Error("no view");
  await settle(view);
  return view;
}

interface Reading {
  background: Rgba;
  text: Rgba;
  muted: Rgba;
  input: Rgba;
  inputBackground: Rgba;
}

function read(view: OhrRunView): Reading {
  const background = parseColor(getComputedStyle(view).backgroundColor);
  const input = deep(view, "ohr-stack-viewer", "ohr-channel-controls", "input.max");
  const inputBackground = over(parseColor(getComputedStyle(input).backgroundColor), background);
  return {
    background,
    text: over(
      parseColor(getComputedStyle(deep(view, "ohr-run-header", ".figures")).color),
      background,
    ),
    muted: over(
      parseColor(getComputedStyle(deep(view, "ohr-run-header", ".figures .muted")).color),
      background,
    ),
    input: over(parseColor(getComputedStyle(input).color), inputBackground),
    inputBackground,
  };
}

describe("the run widget under JupyterLab's themes", () => {
  afterEach(clearBody);

  it("keeps text readable in the light and the dark theme, with colours taken from the theme", async () => {
    const themes = inject("themes");
    useTheme(themes.light);
    const view = await renderFailedRun();
    const light = read(view);
    await screenshot("run-view-light-theme", view);
    useTheme(themes.dark);
    await settle(view);
    const dark = read(view);
    await screenshot("run-view-dark-theme", view);

    expect(light.background).not.toEqual(dark.background);
    expect(light.text).not.toEqual(dark.text);
    // Dark theme: light text on a dark background, and the reverse.
    expect(contrast(dark.background, [0, 0, 0, 1])).toBeLessThan(
      contrast(light.background, [0, 0, 0, 1]),
    );
    for (const theme of [light, dark]) {
      expect(contrast(theme.text, theme.background)).toBeGreaterThanOrEqual(7);
      expect(contrast(theme.muted, theme.background)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(theme.input, theme.inputBackground)).toBeGreaterThanOrEqual(4.5);
    }
  });
});

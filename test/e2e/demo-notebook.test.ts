/**
 * The demo notebook in a real JupyterLab, in headless Chromium, against the real OpenHCS
 * execution server and relay: what a user sees after "Run All", clicking around the widget,
 * reloading the page, reopening the saved notebook without a kernel, and restarting the kernel.
 *
 * The tests run in order on one page (each builds on the state the previous left). Screenshots
 * go to test-results/e2e/ (and test-results/e2e/failures/ when a test fails).
 */
import { join } from "node:path";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import {
  classifyRunFile,
  readRoiZip,
  type RunOutputFile,
  type RunRoi,
} from "../../src/orchestrator/index.js";
import { labHandle } from "../helpers/jupyter-lab.js";
import { launchChromium, openNotebook, type LabNotebook } from "../helpers/lab-page.js";
import { isRunning, listProcesses, waitForExit } from "../helpers/processes.js";
import { PLATE } from "./global-setup.js";
import { colourProblem, parseColour, pixelsOf, type PixelStats } from "./pixels.js";
import { eventually } from "./waiting.js";

const { lab: labInfo, artifacts, plate } = inject("e2e");
const lab = labHandle(labInfo);
const DEMO = "demo.ipynb";

let browser: Browser;
let page: Page;
let notebook: LabNotebook;

/** A locator inside the demo notebook's panel (other tabs may hold widgets too). */
function inDemo(selector: string): Locator {
  return page.locator(`${notebook.panel} ${selector}`);
}

const ui = {
  view: () => inDemo("ohr-run-view"),
  status: () => inDemo('ohr-run-header [role="status"]'),
  progressBar: () => inDemo('ohr-run-header [role="progressbar"]'),
  percent: () => inDemo("ohr-run-header .percent"),
  wellCell: (well: string) => inDemo(`ohr-plate-grid .well[data-well="${well}"]`),
  // Its rectangle of the grid's one thumbnail canvas (pixels.ts reads it from the cell).
  thumbnail: (well: string) => inDemo(`ohr-plate-grid .well[data-well="${well}"]`),
  viewerWell: () => inDemo("ohr-stack-viewer .head b"),
  viewerCanvas: () => inDemo("ohr-stack-viewer ohr-plane-canvas canvas"),
  channelRows: () => inDemo("ohr-channel-controls .channel"),
  slider: (axis: string) => inDemo(`ohr-axis-sliders input[data-axis="${axis}"]`),
};

async function screenshot(name: string): Promise<void> {
  await ui.view().screenshot({ path: join(artifacts, `${name}.png`) });
}

/** The channels as the stack viewer lists them: name and colour of each swatch. */
async function channelColours(): Promise<Map<string, [number, number, number]>> {
  const rows = await ui.channelRows().all();
  const colours = new Map<string, [number, number, number]>();
  for (const row of rows) {
    const name = (await row.locator("label").innerText()).trim();
    const css = await row
      .locator(".swatch")
      .evaluate((swatch) => getComputedStyle(swatch).backgroundColor);
    colours.set(name, parseColour(css));
  }
  return colours;
}

/** Wait until `canvas` shows an image in `colours`; resolves with its pixels. */
async function drawnIn(
  what: string,
  canvas: Locator,
  colours: readonly (readonly [number, number, number])[],
): Promise<PixelStats> {
  return eventually(
    `${what} to be drawn in the channel colours`,
    async () => {
      const stats = await pixelsOf(canvas);
      return { stats, problem: colourProblem(stats, colours) };
    },
    ({ problem }) => problem === null,
    15_000,
  ).then(({ stats }) => stats);
}

/** Wait until the stack viewer's pixels differ from `before`. */
async function viewerChangedFrom(what: string, before: PixelStats): Promise<PixelStats> {
  return eventually(
    what,
    () => pixelsOf(ui.viewerCanvas()),
    (stats) => stats.hash !== before.hash,
    15_000,
  );
}

/** The kernel process of the demo notebook, found from its kernel id. */
async function kernelProcess(): Promise<number> {
  const id = await notebook.kernelId();
  const kernel = listProcesses().find(
    (p) => p.state !== "Z" && p.args.some((a) => a.includes(`kernel-${id}.json`)),
  );
  if (kernel === undefined) throw new Error(`no process runs kernel ${id}`);
  return kernel.pid;
}

/** Sidecar processes (running) whose parent is `kernelPid`, as their command lines say. */
function sidecarsOf(kernelPid: number): number[] {
  return listProcesses()
    .filter(
      (p) =>
        p.state !== "Z" &&
        p.args.some((a) => a.endsWith("sidecar.mjs") || a.endsWith("sidecar/main.js")) &&
        p.args[p.args.indexOf("--parent-pid") + 1] === String(kernelPid),
    )
    .map((p) => p.pid);
}

/** Run every cell and wait for the run to complete and the last cell to finish. */
async function runDemo(): Promise<void> {
  await notebook.runAll();
  await ui.view().waitFor({ state: "visible", timeout: 60_000 });
  await eventually(
    "the run header to say Complete",
    () => ui.status().innerText(),
    (text) => text.trim() === "Complete" || /Failed|Lost|Error|Cancelled/.test(text),
    150_000,
  ).then((text) => {
    expect(text.trim(), "the run's state in the header").toBe("Complete");
  });
  await notebook.waitForIdle();
}

beforeAll(async () => {
  mkdirSync(join(artifacts, "failures"), { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.on("pageerror", (error) => {
    console.error(`[page error] ${error.message}`);
  });
  notebook = await openNotebook(page, lab, DEMO);
}, 120_000);

beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    const file = join(artifacts, "failures", `${task.name.replace(/[^\w-]+/g, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`screenshot: ${file}\nJupyterLab log:\n${lab.logTail(8)}`);
  });
});

afterAll(async () => {
  await browser.close();
});

describe("the demo notebook in JupyterLab", () => {
  it("runs every cell and the widget shows the run complete at 100 %", async () => {
    await runDemo();
    await eventually(
      "the progress bar to reach 100",
      () => ui.progressBar().getAttribute("aria-valuenow"),
      (value) => value === "100",
    );
    expect((await ui.percent().innerText()).trim()).toBe("100%");
    await expect
      .poll(() => inDemo("ohr-run-header .figures").innerText())
      .toContain(`${PLATE.wells.length}/${PLATE.wells.length} wells done`);
    // The static contact sheet is in the output too, hidden while the live widget is there.
    const sheet = inDemo(".jp-OutputArea-output img.ohr-contact-sheet");
    await eventually(
      "the contact sheet output",
      () => sheet.count(),
      (n) => n === 1,
    );
    expect(await sheet.isVisible(), "the contact sheet next to the live widget").toBe(false);
    await screenshot("01-run-complete");
  });

  it("draws every well's thumbnail and the stack viewer in the channels' colours", async () => {
    const colours = [...(await channelColours()).values()];
    expect(colours, "one swatch per channel of the plate").toHaveLength(PLATE.channels);
    for (const well of PLATE.wells) {
      await drawnIn(`the thumbnail of ${well}`, ui.thumbnail(well), colours);
    }
    await drawnIn("the stack viewer", ui.viewerCanvas(), colours);
  });

  it("shows the clicked well in the stack viewer", async () => {
    const before = await pixelsOf(ui.viewerCanvas());
    const well = PLATE.wells[PLATE.wells.length - 1] ?? "";
    await ui.wellCell(well).click();
    await eventually(
      "the viewer to name the clicked well",
      () => ui.viewerWell().innerText(),
      (t) => t === well,
    );
    expect(await ui.wellCell(well).getAttribute("aria-selected")).toBe("true");
    await viewerChangedFrom(`the viewer to show ${well}'s pixels`, before);
    await drawnIn(`the stack viewer on ${well}`, ui.viewerCanvas(), [
      ...(await channelColours()).values(),
    ]);
    await screenshot("02-well-selected");
  });

  it("the ROI toggle outlines the objects OpenHCS segmented, at their place on the plane", async () => {
    const well = PLATE.wells[PLATE.wells.length - 1] ?? "";
    const plane = inDemo("ohr-stack-viewer ohr-plane-canvas");
    const toggle = inDemo('ohr-stack-viewer input[aria-label="Show ROI outlines"]');
    const whitest = (points: { x: number; y: number }[]): Promise<number[]> =>
      ui.viewerCanvas().evaluate((canvas: HTMLCanvasElement, at) => {
        const ctx = canvas.getContext("2d");
        if (ctx === null) return at.map(() => -1);
        // The outline is a light line over a dark halo: the whitest pixel within 2 px of a vertex.
        return at.map(({ x, y }) => {
          const data = ctx.getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;
          let best = 0;
          for (let i = 0; i < data.length; i += 4) {
            best = Math.max(best, Math.min(data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0));
          }
          return best;
        });
      }, points);
    // What OpenHCS wrote for this well (its ROI zips in the output plate's results folder).
    const results = join(`${plate}_openhcs`, "results");
    const theirs: RunRoi[] = readdirSync(results)
      .filter((name) => name.startsWith(`${well}_`) && name.endsWith(".roi.zip"))
      .flatMap((name) => {
        const file = classifyRunFile({ path: `results/${name}`, size: 0, mtime: 0 });
        return readRoiZip(file as RunOutputFile, readFileSync(join(results, name)), new Map());
      });
    expect(theirs.length, `OpenHCS's ROIs of ${well} in ${results}`).toBeGreaterThan(0);

    await toggle.check();
    const drawn = await eventually(
      "the ROI outlines to be drawn",
      () =>
        plane.evaluate((element) =>
          (
            element as unknown as {
              outlines: { site: number | null; polygon: [number, number][] }[];
            }
          ).outlines.map((o) => ({ site: o.site, polygon: o.polygon })),
        ),
      (outlines) => outlines.length > 0,
      30_000,
    );
    const site = drawn[0]?.site ?? null;
    const key = (polygon: readonly (readonly [number, number])[]): string =>
      JSON.stringify(polygon);
    expect(drawn.map((o) => key(o.polygon)).sort()).toEqual(
      theirs
        .filter((roi) => roi.site === site)
        .map((roi) => key(roi.polygon))
        .sort(),
    );
    // White at the outlines' vertices (the channels are blue and green: never white beneath).
    const vertices = drawn.slice(0, 8).map((o) => o.polygon[0] ?? [0, 0]);
    const points = await plane.evaluate(
      (element, at) =>
        at.map(
          (p) =>
            (
              element as unknown as {
                toCanvas(p: number[]): { x: number; y: number } | null;
              }
            ).toCanvas(p) ?? { x: -10, y: -10 },
        ),
      vertices,
    );
    const on = await whitest(points);
    expect(
      on.every((v) => v >= 180),
      `whitest pixels at the vertices: ${on.join(", ")}`,
    ).toBe(true);
    await screenshot("02b-roi-outlines");
    await toggle.uncheck();
    await eventually(
      "the outlines to go with the toggle",
      () => whitest(points),
      (off) => off.every((v) => v < 180),
    );
  });

  it("hiding a channel takes its colour out of the stack viewer, showing it again brings it back", async () => {
    const colours = await channelColours();
    const names = [...colours.keys()];
    const hidden = names[names.length - 1] ?? "";
    const shown = names.slice(0, -1).map((name) => colours.get(name)!);
    const before = await pixelsOf(ui.viewerCanvas());
    const toggle = ui.channelRows().filter({ hasText: hidden }).locator("input.toggle");
    await toggle.uncheck();
    const without = await viewerChangedFrom(`the viewer to redraw without ${hidden}`, before);
    expect(colourProblem(without, shown), `drawn without ${hidden}`).toBeNull();
    await screenshot("03-channel-hidden");
    await toggle.check();
    await eventually(
      "the viewer to show both channels again",
      () => pixelsOf(ui.viewerCanvas()),
      (stats) => stats.hash === before.hash,
      15_000,
    );
  });

  it("typing a contrast limit redraws the stack viewer and leaves the notebook's cells alone", async () => {
    const cells = () => page.locator(`${notebook.panel} .jp-Cell`).count();
    const cellsBefore = await cells();
    const before = await pixelsOf(ui.viewerCanvas());
    const row = ui.channelRows().first();
    const max = row.locator("input.max");
    const automatic = Number(await max.inputValue());
    expect(automatic, "the automatic upper limit").toBeGreaterThan(0);
    // Typed key by key, as a user would: notebook shortcuts (a, b, digits…) must not fire.
    await max.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type(String(Math.round(automatic / 4)));
    await page.keyboard.press("Enter");
    await viewerChangedFrom("the viewer to redraw with the new limit", before);
    expect(await max.inputValue()).toBe(String(Math.round(automatic / 4)));
    expect(await cells(), "no cell inserted or removed by the keys typed").toBe(cellsBefore);
    await screenshot("04-contrast-limit");
    await row.locator("button.auto").click();
    await eventually(
      "the viewer to go back to automatic contrast",
      () => pixelsOf(ui.viewerCanvas()),
      (stats) => stats.hash === before.hash,
      15_000,
    );
  });

  it("moving the z slider at the normalize step shows another z-plane", async () => {
    // z_projection and count_cells flatten z; the normalize step keeps every plane.
    const step = ui.slider("step");
    await step.focus();
    await page.keyboard.press("Home");
    await eventually(
      "the step slider to show normalize",
      () => step.getAttribute("aria-valuetext"),
      (t) => t === "Step normalize",
    );
    const z = ui.slider("z");
    await eventually(
      "the z slider to be at the first plane",
      () => z.getAttribute("aria-valuetext"),
      (t) => t === "Z 1",
    );
    const colours = [...(await channelColours()).values()];
    const first = await drawnIn("the normalize step at z 1", ui.viewerCanvas(), colours);
    await z.focus();
    await page.keyboard.press("ArrowRight");
    await eventually(
      "the z slider to move to plane 2",
      () => z.getAttribute("aria-valuetext"),
      (t) => t === "Z 2",
    );
    const second = await viewerChangedFrom("the viewer to show z-plane 2", first);
    expect(colourProblem(second, colours)).toBeNull();
    await screenshot("05-z-plane-2");
  });

  it("comes back after a page reload, with the previews replayed by the kernel", async () => {
    // The run is over: a new page gets pixels only through the replay_previews command.
    await notebook.save();
    await page.reload();
    notebook = await openNotebook(page, lab, DEMO);
    await ui.view().waitFor({ state: "visible", timeout: 60_000 });
    await ui.view().scrollIntoViewIfNeeded();
    expect((await ui.status().innerText()).trim()).toBe("Complete");
    const colours = [...(await channelColours()).values()];
    for (const well of PLATE.wells) {
      await drawnIn(`the thumbnail of ${well} after the reload`, ui.thumbnail(well), colours);
    }
    await drawnIn("the stack viewer after the reload", ui.viewerCanvas(), colours);
    await screenshot("06-after-reload");
  });

  it("the saved notebook shows a static contact sheet when opened without a kernel", async () => {
    interface Output {
      data?: Record<string, unknown>;
    }
    interface Notebook {
      metadata: Record<string, unknown>;
      cells: { outputs?: Output[] }[];
    }
    const colours = [...(await channelColours()).values()];
    const saved = await lab.api<{ content: Notebook }>(`/api/contents/${DEMO}?content=1`);
    const nb = saved.content;
    const outputs = nb.cells.flatMap((cell) => cell.outputs ?? []);
    expect(nb.metadata.widgets, "JupyterLab saved no widget state").toBeUndefined();
    expect(
      outputs.some((o) => o.data?.["application/vnd.jupyter.widget-view+json"] !== undefined),
    ).toBe(true);
    expect(
      outputs.some((o) => o.data?.["image/png"] !== undefined),
      "the contact sheet PNG was saved",
    ).toBe(true);

    // Without kernelspec and language, JupyterLab opens the copy with no kernel at all.
    const metadata = Object.fromEntries(
      Object.entries(nb.metadata).filter(
        ([key]) => key !== "kernelspec" && key !== "language_info",
      ),
    );
    const copy = "demo-saved-without-kernel.ipynb";
    await lab.api(`/api/contents/${copy}`, {
      method: "PUT",
      body: { type: "notebook", format: "json", content: { ...nb, metadata } },
    });
    const panel = await page.evaluate(async (path) => {
      const widget = (await window.jupyterapp?.commands.execute("docmanager:open", {
        path,
        factory: "Notebook",
      })) as { id: string } | undefined;
      return widget?.id ?? "";
    }, copy);
    // JupyterLab asks which kernel to start for a notebook that names none: answer "No Kernel".
    const noKernel = page.locator(".jp-Dialog button", { hasText: "No Kernel" });
    await noKernel.click({ timeout: 15_000 });
    const kernel = await page.evaluate(
      (id) =>
        [...(window.jupyterapp?.shell.widgets("main") ?? [])].find((w) => w.id === id)
          ?.sessionContext?.session?.kernel?.id ?? null,
      panel,
    );
    expect(kernel, "the copy has no kernel").toBeNull();
    const sheet = page.locator(`[id="${panel}"] .jp-OutputArea-output img`);
    await sheet.first().waitFor({ state: "visible", timeout: 30_000 });
    await sheet.first().scrollIntoViewIfNeeded();
    await sheet.first().evaluate((img: HTMLImageElement) => img.decode());
    expect(await page.locator(`[id="${panel}"] ohr-run-view`).count(), "no live widget").toBe(0);
    const stats = await pixelsOf(sheet.first());
    expect(
      colourProblem(stats, colours, { onGrey: true }),
      "the contact sheet's pixels",
    ).toBeNull();
    await page
      .locator(`[id="${panel}"]`)
      .screenshot({ path: join(artifacts, "07-contact-sheet-no-kernel.png") });
    // Dispose rather than close: choosing "No Kernel" may have marked the copy as changed.
    await page.evaluate((id) => {
      for (const widget of window.jupyterapp?.shell.widgets("main") ?? []) {
        if (widget.id === id) (widget as unknown as { dispose(): void }).dispose();
      }
    }, panel);
  });

  it("restarting the kernel stops its sidecar, and re-running the cells starts a run that completes", async () => {
    notebook = await openNotebook(page, lab, DEMO);
    const kernelPid = await kernelProcess();
    const reported = Number((await notebook.execute("print(orch.sidecar.pid)")).trim());
    expect(sidecarsOf(kernelPid), "the shim's sidecar is the kernel's child").toEqual([reported]);

    await notebook.command("kernelmenu:restart");
    await page.locator(".jp-Dialog .jp-mod-accept").click();
    await notebook.waitForIdle(60_000);
    const newKernelPid = await eventually(
      "a new kernel process",
      kernelProcess,
      (pid) => pid !== kernelPid,
    );
    await waitForExit(reported, 15_000);
    expect(isRunning(kernelPid), "the old kernel process is gone").toBe(false);
    expect(sidecarsOf(kernelPid), "no sidecar of the old kernel is left").toEqual([]);

    await runDemo();
    const restartedSidecar = Number((await notebook.execute("print(orch.sidecar.pid)")).trim());
    expect(restartedSidecar).not.toBe(reported);
    expect(sidecarsOf(newKernelPid)).toEqual([restartedSidecar]);
    await drawnIn("the stack viewer of the run after the restart", ui.viewerCanvas(), [
      ...(await channelColours()).values(),
    ]);
    await screenshot("08-after-kernel-restart");
  });
});

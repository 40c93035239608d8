/**
 * The plate heatmap and the well table: colours follow the values (canvas pixels against the
 * colour map), empty wells stay empty, hover names well and value, click selects, the table
 * shows the chosen well's rows and sorts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import "../../src/widget/elements/ohr-plate-heatmap.js";
import "../../src/widget/elements/ohr-well-table.js";
import "../../src/widget/elements/ohr-run-view.js";
import type { WellSelectDetail } from "../../src/widget/elements/events.js";
import type { OhrPlateHeatmap } from "../../src/widget/elements/ohr-plate-heatmap.js";
import type { OhrWellTable } from "../../src/widget/elements/ohr-well-table.js";
import { viridis } from "../../src/protocol/index.js";
import type {
  MeasurementSource,
  MeasurementSummary,
  WellRows,
} from "../../src/widget/state/index.js";
import { all, clearBody, deep, pixel, screenshot, settle } from "./helpers/dom.js";

const SUMMARY: MeasurementSummary = {
  table: "cell_counts",
  tables: ["cell_counts"],
  columns: ["cell_count", "area"],
  wells: {
    A01: { cell_count: 10, area: 5 },
    A02: { cell_count: 40, area: 1 },
    B01: { cell_count: 25, area: null },
  },
  rows: { A01: 2, A02: 2, B01: 1 },
};

async function mountHeatmap(props: Partial<OhrPlateHeatmap>): Promise<OhrPlateHeatmap> {
  const heatmap = document.createElement("ohr-plate-heatmap");
  Object.assign(heatmap, props);
  document.body.append(heatmap);
  await settle(heatmap);
  return heatmap;
}

function colourAt(heatmap: OhrPlateHeatmap, well: string): number[] {
  const canvas = deep<HTMLCanvasElement>(heatmap, "canvas.plate");
  const centre = heatmap.cellCentre(well);
  if (centre === null) throw new Error(`no cell for ${well}`);
  return pixel(canvas, Math.floor(centre.x), Math.floor(centre.y)).slice(0, 3);
}

describe("<ohr-plate-heatmap>", () => {
  afterEach(clearBody);

  it("colours the lowest and highest well with the ends of the colour map, the middle between", async () => {
    const heatmap = await mountHeatmap({
      summary: SUMMARY,
      wellNames: ["A01", "A02", "B01", "B02"],
    });
    expect(colourAt(heatmap, "A01")).toEqual(viridis(0));
    expect(colourAt(heatmap, "A02")).toEqual(viridis(1));
    expect(colourAt(heatmap, "B01")).toEqual(viridis(0.5));
    // B02 has no value: nothing painted at its centre.
    expect(pixel(deep(heatmap, "canvas.plate"), ...centreOf(heatmap, "B02"))[3]).toBe(0);
    expect(deep(heatmap, ".low").textContent).toBe("10");
    expect(deep(heatmap, ".high").textContent).toBe("40");
    await screenshot("plate-heatmap", heatmap);
  });

  it("redraws for another measurement chosen in the menu, and leaves wells without it empty", async () => {
    const heatmap = await mountHeatmap({ summary: SUMMARY, wellNames: ["A01", "A02", "B01"] });
    const select = deep<HTMLSelectElement>(heatmap, "select");
    expect(all<HTMLOptionElement>(heatmap, "option").map((o) => o.value)).toEqual([
      "cell_count",
      "area",
    ]);
    await userEvent.selectOptions(select, "area");
    await settle(heatmap);
    expect(heatmap.shownColumn).toBe("area");
    expect(colourAt(heatmap, "A01")).toEqual(viridis(1)); // area 5: the highest
    expect(colourAt(heatmap, "A02")).toEqual(viridis(0));
    const b01 = centreOf(heatmap, "B01");
    expect(pixel(deep(heatmap, "canvas.plate"), ...b01)[3]).toBe(0); // area null: empty
  });

  it("names the well and its value on hover, and selects it on click", async () => {
    const heatmap = await mountHeatmap({ summary: SUMMARY, wellNames: ["A01", "A02", "B01"] });
    const canvas = deep<HTMLCanvasElement>(heatmap, "canvas.plate");
    const [x, y] = centreOf(heatmap, "A02");
    const box = canvas.getBoundingClientRect();
    const at = { clientX: box.left + x, clientY: box.top + y, bubbles: true };
    canvas.dispatchEvent(new MouseEvent("mousemove", at));
    await settle(heatmap);
    expect(deep(heatmap, ".hover").textContent).toBe("A02: 40 (2 rows)");
    const selected = new Promise<WellSelectDetail>((resolve) => {
      heatmap.addEventListener("ohr-well-select", (e) => {
        resolve(e.detail);
      });
    });
    canvas.dispatchEvent(new MouseEvent("click", at));
    expect(await selected).toEqual({ well: "A02", row: "A", column: 2 });
  });
});

function centreOf(heatmap: OhrPlateHeatmap, well: string): [number, number] {
  const centre = heatmap.cellCentre(well);
  if (centre === null) throw new Error(`no cell for ${well}`);
  return [Math.floor(centre.x), Math.floor(centre.y)];
}

const ROWS: WellRows = {
  well: "A02",
  columns: ["well", "site", "cell_count", "cell_positions"],
  rows: [
    ["A02", 1, 30, "[(1.0, 2.0)]"],
    ["A02", 2, 50, "[(3.0, 4.0)]"],
  ],
  total: 2,
};

describe("<ohr-well-table> in the run view", () => {
  afterEach(clearBody);

  it("shows the clicked well's rows beside the heatmap, sortable by a column", async () => {
    const asked: string[] = [];
    const source: MeasurementSource = {
      summary: () => Promise.resolve(SUMMARY),
      rois: () => Promise.resolve([]),
      wellRows: (_table, well) => {
        asked.push(well);
        return Promise.resolve({ ...ROWS, well });
      },
    };
    const view = document.createElement("ohr-run-view");
    Object.assign(view, {
      executionId: "run-1",
      status: "complete",
      wells: { A01: { state: "done", fraction: 1, step: "" } },
      measurements: source,
    });
    document.body.append(view);
    await settle(view);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle(view);
    const heatmap = deep<OhrPlateHeatmap>(view, "ohr-plate-heatmap");
    const canvas = deep<HTMLCanvasElement>(heatmap, "canvas.plate");
    const [x, y] = centreOf(heatmap, "A02");
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(
      new MouseEvent("click", { clientX: box.left + x, clientY: box.top + y, bubbles: true }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle(view);
    expect(asked).toEqual(["A02"]);
    const table = deep<OhrWellTable>(view, "ohr-well-table");
    await settle(table);
    const counts = () => all(table, "tbody tr").map((tr) => tr.children[2]?.textContent.trim());
    expect(deep(table, ".caption").textContent).toBe("A02: 2 rows");
    expect(counts()).toEqual(["30", "50"]);
    all(table, "th")[2]?.click();
    await settle(table);
    all(table, "th")[2]?.click(); // again: descending
    await settle(table);
    expect(counts()).toEqual(["50", "30"]);
    expect(all(table, "th")[2]?.getAttribute("aria-sort")).toBe("descending");
    await screenshot("well-table", view);
  });
});

/**
 * Small parts of the result store: well ids as plate positions, and the write queue that keeps
 * overwrites ordered and memory bounded.
 */
import { describe, expect, it } from "vitest";
import { parseWell, plateGrid, rowName } from "../../src/orchestrator/result-store/plate-layout.js";
import { WriteQueue } from "../../src/orchestrator/result-store/write-queue.js";

describe("parseWell", () => {
  it.each([
    ["A01", "A/1", 0, 0, "A01"],
    ["h12", "H/12", 7, 11, "H12"],
    ["B3", "B/3", 1, 2, "B03"],
    ["AF48", "AF/48", 31, 47, "AF48"],
  ])("reads %s as %s (row %i, column %i)", (well, path, row, column, id) => {
    expect(parseWell(well)).toMatchObject({ path, rowIndex: row, columnIndex: column, id });
  });

  it.each(["", "A", "01", "A00", "R01C01", "well 3"])("refuses '%s'", (well) => {
    expect(parseWell(well)).toBeNull();
  });

  it("names rows past Z as a spreadsheet does", () => {
    expect([0, 25, 26, 31, 701, 702].map(rowName)).toEqual(["A", "Z", "AA", "AF", "ZZ", "AAA"]);
  });

  it("lists every row and column up to the last well seen, or the fixed layout", () => {
    const wells = ["B02", "C05"].map((w) => parseWell(w)!);
    expect(plateGrid(wells, undefined)).toEqual({
      rows: ["A", "B", "C"],
      columns: ["1", "2", "3", "4", "5"],
    });
    const grid = plateGrid(wells, 384);
    expect([grid.rows.length, grid.columns.length]).toEqual([16, 24]);
  });
});

describe("WriteQueue", () => {
  it("runs at most its slots at once, whatever is queued", async () => {
    const queue = new WriteQueue(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queue.run(`key-${i}`, async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it("runs jobs on one key in call order, even when an earlier one fails", async () => {
    const queue = new WriteQueue(4);
    const order: number[] = [];
    const jobs = [30, 1, 10, 0].map((delay, i) =>
      queue.run("same", async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        order.push(i);
        if (i === 1) throw new Error("disk full");
      }),
    );
    const settled = await Promise.allSettled(jobs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(settled.map((s) => s.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
  });
});

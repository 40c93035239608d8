import { describe, expect, it } from "vitest";
import { parseTrait } from "../../src/widget/state/run-state.js";

describe("parseTrait, the check on traits from the kernel", () => {
  it("takes a plate layout, and reads {} or null as 'infer it from the wells'", () => {
    expect(parseTrait("plate_layout", { rows: 16, columns: 24 })).toEqual({
      value: { rows: 16, columns: 24 },
      issues: null,
    });
    expect(parseTrait("plate_layout", {})).toEqual({ value: null, issues: null });
    expect(parseTrait("plate_layout", null)).toEqual({ value: null, issues: null });
    expect(parseTrait("plate_layout", { rows: "eight" }).issues).toContain("rows");
  });

  it("fills a partial progress dict with defaults rather than refusing it", () => {
    const { value, issues } = parseTrait("progress", { fraction: 0.5, wells_total: 96 });
    expect(issues).toBeNull();
    expect(value).toMatchObject({
      fraction: 0.5,
      wells_total: 96,
      wells_done: 0,
      eta_ms: null,
      step_names: [],
    });
  });

  it("reads a missing or partial view as 'the first plane there is'", () => {
    expect(parseTrait("view", {}).value).toEqual({
      site: null,
      z: null,
      timepoint: null,
      step: null,
    });
    expect(parseTrait("view", { z: 3 }).value).toMatchObject({ z: 3, site: null });
  });

  it("refuses a well in an unknown state and names the well and field", () => {
    const { value, issues } = parseTrait("wells", {
      B03: { state: "exploded", fraction: 0.5, step: "" },
    });
    expect(value).toEqual({});
    expect(issues).toMatch(/B03.*state|state.*B03/s);
  });

  it("accepts only the statuses of the contract", () => {
    expect(parseTrait("status", "running").value).toBe("running");
    expect(parseTrait("status", "exploded")).toMatchObject({ value: "connecting" });
    expect(parseTrait("status", "exploded").issues).not.toBeNull();
  });
});

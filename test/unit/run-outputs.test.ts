import { describe, expect, it } from "vitest";
import { classifyRunFile } from "../../src/orchestrator/measurements/run-outputs.js";

const entry = (path: string) => ({ path, size: 10, mtime: 1 });

describe("classifyRunFile", () => {
  it("names a per-well table by its output key, with its well, step and plane", () => {
    expect(
      classifyRunFile(
        entry("results/A01_channel-2_z_index-1_timepoint-1_cell_counts_step2_details.csv"),
      ),
    ).toMatchObject({
      kind: "table",
      table: "cell_counts",
      well: "A01",
      stepIndex: 2,
      plane: { site: null, channel: 2, z: 1, timepoint: 1 },
    });
  });

  it("reads ImageXpress-style plane tokens off ROI zips", () => {
    expect(
      classifyRunFile(entry("results/B02_s002_w1_z001_t001_segmentation_masks_step0_rois.roi.zip")),
    ).toMatchObject({
      kind: "rois",
      table: "segmentation_masks_rois",
      well: "B02",
      stepIndex: 0,
      plane: { site: 2, channel: 1, z: 1, timepoint: 1 },
    });
  });

  it("keeps other suffixes in the table name, and plate-wide files without a well", () => {
    expect(
      classifyRunFile(
        entry(
          "results/A01_channel-1_timepoint-1_segmentation_masks_step2_segmentation_summary.txt",
        ),
      ),
    ).toMatchObject({
      kind: "text",
      table: "segmentation_masks_segmentation_summary",
      well: "A01",
    });
    expect(classifyRunFile(entry("results/metaxpress_style_summary.csv"))).toMatchObject({
      kind: "table",
      table: "metaxpress_style_summary",
      well: null,
      stepIndex: null,
    });
  });

  it("is not fooled by images, OpenHCS's metadata or a key that looks like a plane", () => {
    expect(classifyRunFile(entry("images/A01_s001_w1_z001_t001.tif"))).toBeNull();
    expect(classifyRunFile(entry("openhcs_metadata.json"))).toBeNull();
    expect(classifyRunFile(entry("results/P24_site-3_area-7_step1_details.csv"))).toMatchObject({
      table: "area-7",
      well: "P24",
      plane: { site: 3 },
    });
  });
});

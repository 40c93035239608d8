/**
 * ImageJ ROI zips decoded in TypeScript, against roifile (the library OpenHCS writes them with):
 * the same vertices, names, types and stack positions; broken zips and records get named errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { unzipSync, zipSync } from "fflate";
import {
  classifyRunFile,
  decodeImagejRoi,
  readRoiZip,
  type RunOutputFile,
} from "../../src/orchestrator/index.js";
import { runPython } from "../helpers/python.js";

/** roifile writes a zip of several kinds; it prints what its own `coordinates()` reads back. */
const MAKE = String.raw`
import io, json, sys, zipfile
import numpy as np
from roifile import ImagejRoi, ROI_TYPE
rois = {
    "float.roi": ImagejRoi.frompoints(np.array([[10.25, 5.5], [40.75, 5.0], [30.5, 25.125]]), name="cell 1", c=1, z=2, t=0),
    "int.roi": ImagejRoi.frompoints(np.array([[100, 200], [140, 210], [120, 260], [101, 230]]), name="cell 2"),
    "line.roi": ImagejRoi(roitype=ROI_TYPE.LINE, x1=1.5, y1=2.5, x2=30.0, y2=40.25),
    "rect.roi": ImagejRoi(roitype=ROI_TYPE.RECT, top=10, left=20, bottom=50, right=70),
}
rois["polyline.roi"] = ImagejRoi.frompoints(np.array([[3, 4], [5, 9], [8, 2]]))
rois["polyline.roi"].roitype = ROI_TYPE.POLYLINE
buffer = io.BytesIO()
expected = {}
with zipfile.ZipFile(buffer, "w") as archive:
    for name, roi in rois.items():
        data = roi.tobytes()
        archive.writestr(name, data)
        back = ImagejRoi.frombytes(data)
        expected[name] = {
            "type": back.roitype.name.lower(),
            "name": back.name or None,
            "polygon": np.asarray(back.coordinates(), float)[:, ::-1].tolist(),
            "position": [back.c_position, back.z_position, back.t_position],
        }
    archive.writestr("__polystore_roi_metadata__.json", json.dumps({"int.roi": {"label": 2, "area": 812.0}}))
sys.stdout.write(json.dumps({"zip": buffer.getvalue().hex(), "expected": expected}))
`;

const FILE = classifyRunFile({
  path: "results/B03_s002_w1_z001_t001_segmentation_masks_step1_rois.roi.zip",
  size: 0,
  mtime: 0,
}) as RunOutputFile;

let zip = new Uint8Array();
let expected: Record<
  string,
  { type: string; name: string | null; polygon: number[][]; position: number[] }
> = {};

describe("ImageJ ROI zips", () => {
  beforeAll(async () => {
    const made = JSON.parse((await runPython(MAKE)).toString("utf8")) as {
      zip: string;
      expected: typeof expected;
    };
    zip = Uint8Array.from(Buffer.from(made.zip, "hex"));
    expected = made.expected;
  });

  it("gives roifile's own vertices, names, types and positions, on the file's plane", () => {
    const rois = readRoiZip(FILE, zip, new Map([[1, "segment"]]));
    expect(rois).toHaveLength(Object.keys(expected).length);
    for (const roi of rois) {
      const want = Object.values(expected).find(
        (e) => e.type === roi.type && JSON.stringify(e.polygon) === JSON.stringify(roi.polygon),
      );
      expect(want, `${roi.type} ${JSON.stringify(roi.polygon)}`).toBeDefined();
      expect(roi.name).toBe(want?.name);
      expect(roi).toMatchObject({ well: "B03", site: 2, channel: 1, z: 1, step: "segment" });
    }
    const float = decodeImagejRoi(unzippedEntry("float.roi"), "float.roi");
    expect(float.polygon).toEqual(expected["float.roi"]?.polygon);
    expect([float.position.c, float.position.z, float.position.t]).toEqual(
      expected["float.roi"]?.position,
    );
    expect(rois.find((roi) => roi.name === "cell 2")?.metadata).toEqual({ label: 2, area: 812 });
  });

  it("refuses what is not a zip, not a record, cut short, or inflates too far, by name", () => {
    expect(() => readRoiZip(FILE, new Uint8Array([1, 2, 3]), new Map())).toThrow(
      /ERR_ROI_FORMAT|not a zip/,
    );
    const entry = unzippedEntry("int.roi");
    expect(() => decodeImagejRoi(entry.subarray(0, 70), "int.roi")).toThrow(
      /int\.roi: 4 integer vertices runs past its 70 bytes/,
    );
    const notRoi = new Uint8Array(entry);
    notRoi[0] = 0x58;
    expect(() => decodeImagejRoi(notRoi, "x.roi")).toThrow(/x\.roi: does not start with 'Iout'/);
    const bomb = zipSync({ "a.roi": new Uint8Array(4096) }, { level: 9 });
    expect(() => readRoiZip(FILE, bomb, new Map(), 1024)).toThrow(
      /segmentation_masks_step1_rois\.roi\.zip: inflates past 1024 bytes/,
    );
  });
});

function unzippedEntry(name: string): Uint8Array {
  const entry = unzipSync(zip)[name];
  if (entry === undefined) throw new Error(`no ${name} in the zip`);
  return entry;
}

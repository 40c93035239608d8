import { describe, expect, it } from "vitest";
import type { ResultPreview } from "../../src/orchestrator/index.js";
import { RemotePlanes } from "../../src/sidecar/remote-planes.js";

function preview(seq: number, fields: Partial<ResultPreview>): ResultPreview {
  return {
    executionId: "run",
    seq,
    well: "A01",
    site: 1,
    channel: 1,
    z: 1,
    timepoint: 1,
    step: "normalize",
    stepIndex: 0,
    components: {},
    componentNames: {},
    path: `/p/${seq}.tif`,
    kind: "preview",
    shape: [512, 512],
    dtype: "uint16",
    nbytes: 512 * 512 * 2,
    preview: {
      width: 256,
      height: 256,
      sourceShape: [512, 512],
      valueMin: 0,
      valueMax: 1,
      pixels: new Uint8Array(256 * 256),
    },
    ...fields,
  };
}

describe("the planes a previews-delivery run left on the server", () => {
  it("finds a plane by its coordinates, the newest step when none is named", () => {
    const planes = new RemotePlanes();
    planes.add(preview(1, {}));
    planes.add(preview(2, { channel: 2 }));
    planes.add(preview(3, { step: "project", stepIndex: 1 }));
    planes.add(preview(4, { well: "B01", z: null }));
    expect(planes.find({ well: "A01", site: 1, channel: 2, z: 1, timepoint: 1 })?.seq).toBe(2);
    expect(planes.find({ well: "A01", site: 1, channel: 1, z: 1, step: "normalize" })?.seq).toBe(1);
    expect(planes.find({ well: "A01", site: 1, channel: 1, z: 1 })?.seq).toBe(3);
    // An image without a z is a stack: it holds every z-plane of its well and site.
    expect(planes.find({ well: "B01", site: 1, channel: 1, z: 3 })?.seq).toBe(4);
    expect(planes.find({ well: "A01", site: 2, channel: 1, z: 1 })).toBeNull();
    expect(planes.find({ well: "C01" })).toBeNull();
  });

  it("does not hold the previews' pixels (they went to the shim): a few hundred bytes a plane", () => {
    const planes = new RemotePlanes();
    planes.add(preview(1, {}));
    expect(planes.all()[0]?.preview).toBeNull();
    expect(planes.size).toBe(1);
  });
});

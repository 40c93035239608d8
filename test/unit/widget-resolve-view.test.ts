import { describe, expect, it } from "vitest";
import type { PlaneCoordinates } from "../../src/widget/state/preview-message.js";
import { axesAtStep, fitViewToPlanes, resolveView } from "../../src/widget/imaging/resolve-view.js";

/** The demo pipeline's planes of one well: normalize keeps z, z_projection flattens it. */
function demoPlanes(): PlaneCoordinates[] {
  const planes: PlaneCoordinates[] = [];
  for (const site of [1, 2])
    for (const channel of [1, 2]) {
      for (const z of [1, 2, 3])
        planes.push({ well: "A01", site, channel, z, timepoint: 1, step: "normalize" });
      planes.push({ well: "A01", site, channel, z: null, timepoint: 1, step: "z_projection" });
    }
  return planes;
}

const axes = { sites: [1, 2], z: [1, 2, 3], timepoints: [1], steps: ["normalize", "z_projection"] };
const unset = { site: null, z: null, timepoint: null, step: null };

describe("the plane the stack viewer shows", () => {
  it("is the last step's plane without z when that step flattened the z axis", () => {
    const view = resolveView(unset, axes);
    expect(view).toEqual({ site: 1, z: 1, timepoint: 1, step: "z_projection" });
    expect(fitViewToPlanes(view, demoPlanes())).toEqual({ ...view, z: null });
  });

  it("keeps the site the user chose when it moves off a z that the step lacks", () => {
    const view = { site: 2, z: 3, timepoint: 1, step: "z_projection" };
    expect(fitViewToPlanes(view, demoPlanes())).toEqual({ ...view, z: null });
  });

  it("is the view asked for when the well has that plane", () => {
    const view = { site: 2, z: 3, timepoint: 1, step: "normalize" };
    expect(fitViewToPlanes(view, demoPlanes())).toBe(view);
  });

  it("stays as asked while the well has no plane of that step yet", () => {
    const view = { site: 1, z: 1, timepoint: 1, step: "count_cells" };
    expect(fitViewToPlanes(view, demoPlanes())).toBe(view);
  });
});

describe("the sliders of one step", () => {
  it("have no z at a step that flattened the z axis, and all three z-planes before it", () => {
    expect(axesAtStep(axes, demoPlanes(), "z_projection")).toEqual({ ...axes, z: [] });
    expect(axesAtStep(axes, demoPlanes(), "normalize")).toEqual(axes);
  });

  it("are the plate's axes while no plane of that step has arrived", () => {
    expect(axesAtStep(axes, demoPlanes(), "count_cells")).toBe(axes);
  });
});

/**
 * ROI shapes are kept as JSON next to the image they belong to, as Zarr groups so that Zarr
 * tools list them without complaint: `<image>/shapes/t<T>_c<C>_z<Z>/zarr.json`, the document
 * under the `openhcs_remote_shapes` attribute (0-based indices, as in the image's array).
 * NGFF has no vector-ROI format; the document holds napari's shapes-layer data as OpenHCS
 * streams it.
 */
import type { ResultShapes } from "../result-image.js";
import { ResultInputError } from "./result-store-errors.js";

/** Group of the shape sets inside an image group. */
export const SHAPES_GROUP = "shapes";

/** Attribute that holds a {@link ShapesDocument}. */
export const SHAPES_ATTRIBUTE = "openhcs_remote_shapes";

/** The JSON document of one plane's shapes. */
export interface ShapesDocument {
  readonly format: "openhcs-remote-shapes";
  readonly version: 1;
  readonly execution_id: string;
  readonly seq: number;
  readonly step: string | null;
  readonly step_index: number | null;
  readonly well: string;
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
  readonly components: Readonly<Record<string, string | number>>;
  readonly component_names: Readonly<Record<string, string>>;
  readonly source_path: string;
  /** `[y, x]` pixel coordinates of the image grid, as in napari's shapes layer. */
  readonly shapes: ResultShapes["shapes"];
}

/** Group name of the shapes of the plane at array indices `t, c, z`. */
export function shapesGroupName(t: number, c: number, z: number): string {
  return `t${String(t)}_c${String(c)}_z${String(z)}`;
}

/** Check a shapes item and build its document. Throws {@link ResultInputError} naming the field. */
export function shapesDocument(item: ResultShapes): ShapesDocument {
  // The type says what a shape is, but the item came off the network: check what is there.
  const shapes: unknown = item.shapes;
  if (!Array.isArray(shapes)) {
    throw new ResultInputError(item, "shapes", "is not a list");
  }
  shapes.forEach((shape: unknown, i) => {
    const { type, coordinates } = (shape ?? {}) as { type?: unknown; coordinates?: unknown };
    if (typeof type !== "string") {
      throw new ResultInputError(item, `shapes[${i}].type`, "is not a string");
    }
    const valid =
      Array.isArray(coordinates) &&
      coordinates.every(
        (point: unknown) =>
          Array.isArray(point) &&
          point.every((v: unknown) => typeof v === "number" && Number.isFinite(v)),
      );
    if (!valid) {
      throw new ResultInputError(
        item,
        `shapes[${i}].coordinates`,
        "is not a list of [y, x] points",
      );
    }
  });
  return {
    format: "openhcs-remote-shapes",
    version: 1,
    execution_id: item.executionId,
    seq: item.seq,
    step: item.step,
    step_index: item.stepIndex,
    well: item.well,
    site: item.site,
    channel: item.channel,
    z: item.z,
    timepoint: item.timepoint,
    components: item.components,
    component_names: item.componentNames,
    source_path: item.path,
    shapes: item.shapes,
  };
}

/**
 * Where things go in the store: a well id checked against the plate, a plane's index entry
 * fields, an image's array, the shapes group of a field.
 */
import type { ResultItem } from "../result-image.js";
import { LEVEL_PATH } from "./ngff-metadata.js";
import { parseWell, wellFits, type PlateLayout, type WellPosition } from "./plate-layout.js";
import type { ImageState, PlateState } from "./plate-state.js";
import type { StoredPlace } from "./result-journal.js";
import { ResultInputError } from "./result-store-errors.js";
import { SHAPES_GROUP } from "./shapes-file.js";
import type { ArraySpec, Compression } from "./zarr-writer.js";

/** The plate position of an item's well; throws {@link ResultInputError} (`well`). */
export function wellOf(item: ResultItem, layout: PlateLayout | undefined): WellPosition {
  const well = parseWell(item.well);
  if (well === null) {
    throw new ResultInputError(item, "well", `'${item.well}' is not a plate well like A01`);
  }
  if (!wellFits(well, layout)) {
    throw new ResultInputError(item, "well", `${well.id} lies outside the plate layout`);
  }
  return well;
}

/** The index fields every entry shares, except the 1-based values. */
export function placeOf(
  item: ResultItem,
  plate: PlateState,
  image: string,
  t: number,
  c: number,
  z: number,
): Omit<StoredPlace, "site" | "channel" | "z" | "timepoint"> {
  return {
    step: plate.step,
    stepIndex: plate.stepIndex,
    plate: plate.dir,
    image,
    well: parseWell(item.well)?.id ?? item.well,
    t,
    c,
    zIndex: z,
    executionId: item.executionId,
    seq: item.seq,
    sourcePath: item.path,
  };
}

/** The array of an image: the plate's (t, c, z) extent and the image's plane size. */
export function arraySpec(
  plate: PlateState,
  image: ImageState,
  compression: Compression,
): ArraySpec {
  return {
    path: `/${plate.dir}/${image.path}/${LEVEL_PATH}`,
    dtype: image.dtype,
    shape: [...plate.extent, ...image.yx],
    compression,
  };
}

/** `normalize.ome.zarr/A/1/0`: an image, named in errors. */
export function imageName(plate: PlateState, image: ImageState): string {
  return `${plate.dir}/${image.path}`;
}

/** Store path of the group holding a field's shape sets. */
export function shapesContainer(plate: PlateState, well: WellPosition, field: number): string {
  return `/${plate.dir}/${well.path}/${String(field)}/${SHAPES_GROUP}`;
}

/**
 * Write a plate's stale metadata documents, children before parents (arrays, images, wells,
 * rows, plate), so that whatever a reader finds listed in a parent already exists.
 */
import type { ImageState, PlateState } from "./plate-state.js";
import type { ArraySpec, ZarrWriter } from "./zarr-writer.js";

/** Take the current members of a stale set, to write them; they are put back if that fails. */
async function writeTaken<T>(stale: Set<T>, write: (item: T) => Promise<void>): Promise<void> {
  const taken = [...stale];
  stale.clear();
  try {
    // Documents are built synchronously inside `write` before its first await, so each one
    // reflects the state at this moment; later changes mark it stale again.
    await Promise.all(taken.map(write));
  } catch (error) {
    for (const item of taken) stale.add(item);
    throw error;
  }
}

/** Write every stale document of these plates. */
export async function flushStale(
  writer: ZarrWriter,
  plates: readonly PlateState[],
  specOf: (plate: PlateState, image: ImageState) => ArraySpec,
): Promise<void> {
  for (const plate of plates) {
    await writeTaken(plate.staleArrays, (image) => writer.writeArray(specOf(plate, image)));
    await writeTaken(plate.staleImages, (image) =>
      writer.writeGroup(`/${plate.dir}/${image.path}`, plate.imageAttributes(image)),
    );
    await writeTaken(plate.staleWells, (well) =>
      writer.writeGroup(`/${plate.dir}/${well.position.path}`, plate.wellAttributes(well)),
    );
    await writeTaken(plate.staleRows, async (row) => {
      await writer.writeGroup(`/${plate.dir}/${row}`, {});
      plate.rowWritten(row);
    });
    // A plate with no image yet (only shapes so far) gets no plate document: NGFF wants wells.
    if (plate.stalePlate && plate.wells.size > 0) {
      plate.stalePlate = false;
      try {
        await writer.writeGroup(`/${plate.dir}`, plate.plateAttributes());
      } catch (error) {
        plate.stalePlate = true;
        throw error;
      }
    }
  }
}

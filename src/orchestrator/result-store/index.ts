/**
 * The local result store: OME-Zarr (NGFF 0.5) high-content-screening plates, one per pipeline
 * step, written as result images arrive. See docs/result-store.md.
 */
export { ResultStore } from "./result-store.js";
export type { PlaneQuery, ResultStoreOptions, StoredPlane } from "./result-store-options.js";
export type { StackedResultImage } from "./image-planes.js";
export type { StoredEntry, StoredImage, StoredShapes } from "./result-journal.js";
export type { ShapesDocument } from "./shapes-file.js";
export type { PlateLayout } from "./plate-layout.js";
export type { Compression } from "./zarr-writer.js";
export * from "./result-store-errors.js";

/**
 * What the store knows about one plate (one pipeline step) while it writes: wells, fields of
 * view, each image's dtype and plane size, the plate's (t, c, z) extent, the planes stored,
 * channel names, and which metadata documents are stale. Metadata is rebuilt from this, never
 * patched.
 */
import type { Dtype } from "../../protocol/index.js";
import {
  imageAttributes,
  plateAttributes,
  wellAttributes,
  type ChannelDisplay,
} from "./ngff-metadata.js";
import { dtypeRange } from "./pixel-types.js";
import { plateGrid, type PlateLayout, type WellPosition } from "./plate-layout.js";
import type { StoredImage, StoredShapes } from "./result-journal.js";

/** One field of view: one NGFF image with one (t, c, z, y, x) array. */
export interface ImageState {
  /** `A/1/0`, inside the plate. */
  readonly path: string;
  readonly well: WellPosition;
  readonly field: number;
  readonly site: number | null;
  readonly dtype: Dtype;
  readonly yx: readonly [number, number];
  /** Stored planes by `t/c/z`. */
  readonly planes: Map<string, StoredImage>;
}

/** One well of a stored plate: where it sits and its fields (sites). */
export interface StoredWell {
  readonly position: WellPosition;
  readonly fields: Map<number, ImageState>;
}

/** In-memory state of one plate, and its stale documents. */
export class PlateState {
  readonly wells = new Map<string, StoredWell>();
  /** Channel display names by 0-based channel index. */
  readonly channelNames = new Map<number, string>();
  /** Stored ROI shape sets by entry key (they need no image to exist). */
  readonly shapes = new Map<string, StoredShapes>();
  /** Stale documents; the flush writes them children first. */
  readonly staleArrays = new Set<ImageState>();
  readonly staleImages = new Set<ImageState>();
  readonly staleWells = new Set<StoredWell>();
  readonly staleRows = new Set<string>();
  stalePlate = true;
  /**
   * Sizes of t, c, z, shared by every image of the plate: ome_zarr's plate reader (napari's)
   * stitches the wells and refuses images of different shapes. Only grows.
   */
  extent: [number, number, number] = [0, 0, 0];
  private readonly rowsWritten = new Set<string>();
  /** Plate-wide contrast windows: set by {@link harmonize}, used from then on. */
  private plateWindows: Map<number, { min: number; max: number }> | null = null;

  constructor(
    /** Plate directory inside the store, e.g. `normalize.ome.zarr`. */
    readonly dir: string,
    readonly step: string,
    readonly stepIndex: number | null,
    readonly name: string,
    readonly layout: PlateLayout | undefined,
  ) {}

  /** The image of a field, if it exists. */
  image(well: WellPosition, field: number): ImageState | undefined {
    return this.wells.get(well.path)?.fields.get(field);
  }

  /** Every image, in well then field order. */
  images(): ImageState[] {
    return [...this.wells.values()]
      .sort((a, b) => a.position.path.localeCompare(b.position.path))
      .flatMap((w) => [...w.fields.values()].sort((a, b) => a.field - b.field));
  }

  /** Create the image of a field (the caller checked it does not exist). */
  addImage(
    well: WellPosition,
    field: number,
    site: number | null,
    dtype: Dtype,
    yx: readonly [number, number],
  ): ImageState {
    let wellState = this.wells.get(well.path);
    if (wellState === undefined) {
      wellState = { position: well, fields: new Map() };
      this.wells.set(well.path, wellState);
      this.stalePlate = true;
      if (!this.rowsWritten.has(well.rowName)) this.staleRows.add(well.rowName);
    }
    const image: ImageState = {
      path: `${well.path}/${String(field)}`,
      well,
      field,
      site,
      dtype,
      yx,
      planes: new Map(),
    };
    wellState.fields.set(field, image);
    this.staleWells.add(wellState);
    this.stalePlate = true; // field_count may change
    this.staleArrays.add(image);
    this.staleImages.add(image);
    return image;
  }

  /** Make the plate's arrays cover `[t, c, z]`; growing rewrites every image's metadata. */
  cover(t: number, c: number, z: number): void {
    const [T, C, Z] = this.extent;
    if (t < T && c < C && z < Z) return;
    this.extent = [Math.max(T, t + 1), Math.max(C, c + 1), Math.max(Z, z + 1)];
    for (const image of this.images()) {
      this.staleArrays.add(image);
      // The omero block lists one entry per channel and a default z: it follows the extent.
      this.staleImages.add(image);
    }
  }

  /** Learn a channel's display name; every image's omero block then changes. */
  nameChannel(c: number, name: string): void {
    if (this.channelNames.get(c) === name) return;
    this.channelNames.set(c, name);
    for (const image of this.images()) this.staleImages.add(image);
  }

  /** A plane is on disk. */
  recordPlane(image: ImageState, entry: StoredImage): void {
    image.planes.set(`${entry.t}/${entry.c}/${entry.zIndex}`, entry);
    this.staleImages.add(image);
  }

  /** Final metadata: one contrast window per channel for the whole plate. */
  harmonize(): void {
    const windows = new Map<number, { min: number; max: number }>();
    for (const image of this.images()) {
      for (const [c, range] of channelRanges(image)) {
        const seen = windows.get(c);
        windows.set(
          c,
          seen === undefined
            ? range
            : { min: Math.min(seen.min, range.min), max: Math.max(seen.max, range.max) },
        );
      }
      this.staleImages.add(image);
    }
    this.plateWindows = windows;
  }

  /** Mark every document stale (after reopening, to rewrite them all once). */
  markAllStale(): void {
    this.stalePlate = true;
    this.rowsWritten.clear();
    for (const well of this.wells.values()) {
      this.staleWells.add(well);
      this.staleRows.add(well.position.rowName);
      for (const image of well.fields.values()) {
        this.staleArrays.add(image);
        this.staleImages.add(image);
      }
    }
  }

  /** A row group was written. */
  rowWritten(row: string): void {
    this.rowsWritten.add(row);
  }

  /** The image group's attributes, from the current state. */
  imageAttributes(image: ImageState): Record<string, unknown> {
    const ranges = this.plateWindows ?? channelRanges(image);
    const full = dtypeRange(image.dtype);
    const isInteger = !image.dtype.startsWith("float") && !image.dtype.startsWith("complex");
    const channels: ChannelDisplay[] = Array.from({ length: this.extent[1] }, (_, c) => {
      const seen = ranges.get(c) ?? full;
      // A constant plane would give an empty window, which some viewers divide by.
      const end = seen.max > seen.min ? seen.max : seen.min + 1;
      return {
        label: this.channelNames.get(c) ?? `Channel ${String(c + 1)}`,
        start: seen.min,
        end,
        min: isInteger ? Math.min(full.min, seen.min) : seen.min,
        max: isInteger ? Math.max(full.max, end) : end,
      };
    });
    return imageAttributes(
      `${image.well.id} field ${String(image.field)}`,
      channels,
      this.extent[2],
      {
        openhcs_remote: {
          step: this.step,
          step_index: this.stepIndex,
          well: image.well.id,
          site: image.site,
        },
      },
    );
  }

  /** The well group's attributes. */
  wellAttributes(well: StoredWell): Record<string, unknown> {
    const fields = [...well.fields.keys()].sort((a, b) => a - b);
    return wellAttributes(fields.map(String));
  }

  /** The plate group's attributes. */
  plateAttributes(): Record<string, unknown> {
    const positions = [...this.wells.values()].map((w) => w.position);
    const grid = plateGrid(positions, this.layout);
    const wells = positions
      .sort((a, b) => a.rowIndex - b.rowIndex || a.columnIndex - b.columnIndex)
      .map((p) => ({ path: p.path, rowIndex: p.rowIndex, columnIndex: p.columnIndex }));
    const fieldCount = Math.max(0, ...[...this.wells.values()].map((w) => w.fields.size));
    return plateAttributes(this.name, grid.rows, grid.columns, wells, fieldCount, {
      openhcs_remote: { step: this.step, step_index: this.stepIndex },
    });
  }
}

/** Value range per channel over the planes of one image. */
function channelRanges(image: ImageState): Map<number, { min: number; max: number }> {
  const ranges = new Map<number, { min: number; max: number }>();
  for (const plane of image.planes.values()) {
    if (plane.min === null || plane.max === null) continue;
    const seen = ranges.get(plane.c);
    ranges.set(
      plane.c,
      seen === undefined
        ? { min: plane.min, max: plane.max }
        : {
            min: Math.min(seen.min, plane.min),
            max: Math.max(seen.max, plane.max),
          },
    );
  }
  return ranges;
}

/**
 * One result that came back from a run through the relay: an image plane (or stack) with its
 * coordinates, or a set of ROI shapes. What `results(id)` yields, what the result store writes and
 * what `onImage` callbacks get.
 */

import type { Dtype } from "../protocol/index.js";

/** Where an item sits in the plate and the pipeline. */
export interface ResultCoordinates {
  readonly executionId: string;
  /** Per-run sequence number from the relay: 1, 2, 3, … */
  readonly seq: number;
  /** `"A01"`; `""` when OpenHCS did not say. */
  readonly well: string;
  /** 1-based OpenHCS component values; `null` when the item does not carry that component. */
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
  /** Step that produced it, and its 0-based position in the pipeline, when known. */
  readonly step: string | null;
  readonly stepIndex: number | null;
  /** Every component OpenHCS sent, verbatim (other axis families have other names). */
  readonly components: Readonly<Record<string, string | number>>;
  /** Display names OpenHCS knows, e.g. `{ channel: { "1": "DAPI" } }` flattened per component. */
  readonly componentNames: Readonly<Record<string, string>>;
  /** The server-side path OpenHCS gave the item: an identity, not a readable file. */
  readonly path: string;
  /** When the relay received it from OpenHCS (seconds since the epoch, the server's clock). */
  readonly receivedAt?: number | undefined;
}

/** An image: raw little-endian, C-order pixels. */
export interface ResultImage extends ResultCoordinates {
  readonly kind: "image";
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Exactly `product(shape) × itemsize` bytes. */
  readonly data: Uint8Array;
}

/** A plane's 8-bit preview, made on the server host (docs/relay-stream-protocol.md §4.2). */
export interface PlanePreview {
  readonly width: number;
  readonly height: number;
  /** `[y, x]` of the plane it was made from. */
  readonly sourceShape: readonly [number, number];
  readonly valueMin: number;
  readonly valueMax: number;
  /** `width × height` bytes, row-major. */
  readonly pixels: Uint8Array;
  /** Bytes it took on the wire (less than `pixels` when compressed); absent: made here. */
  readonly wireBytes?: number;
}

/**
 * An image as previews delivery brings it: the full plane's shape and dtype, its preview (`null`
 * when it has no 2-D plane), and no pixels — those stay on the server until fetched by seq.
 */
export interface ResultPreview extends ResultCoordinates {
  readonly kind: "preview";
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Bytes of the full-resolution image on the server. */
  readonly nbytes: number;
  readonly preview: PlanePreview | null;
}

/** ROI shapes (polygons, points, …) in pixel coordinates `[y, x]` of the image grid. */
export interface ResultShapes extends ResultCoordinates {
  readonly kind: "shapes";
  readonly shapes: readonly {
    readonly type: string;
    readonly coordinates: readonly (readonly number[])[];
    readonly metadata: Readonly<Record<string, unknown>>;
  }[];
}

/** A preview's image at full resolution, once its pixels were fetched (`fetchPlane`). */
export function imageFromPreview(item: ResultPreview, data: Uint8Array): ResultImage {
  const { preview: _preview, nbytes: _nbytes, ...coordinates } = item;
  return { ...coordinates, kind: "image", data };
}

/** Anything a run streams back. */
export type ResultItem = ResultImage | ResultPreview | ResultShapes;

/** Items the relay numbered but can no longer deliver (evicted from its spool, or lost). */
export interface ResultGap {
  readonly executionId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly reason: "evicted" | "lost";
}

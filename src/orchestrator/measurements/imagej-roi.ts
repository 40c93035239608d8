/**
 * One ImageJ `.roi` record, decoded: what OpenHCS (polystore, through roifile) writes into its
 * ROI zips. Only the parts a polygon needs — the type, the bounds, the integer or sub-pixel
 * vertices, the name and the stack position — after ImageJ's `RoiDecoder` (all numbers big-endian).
 * Outlines come out as roifile's `coordinates()` gives them: sub-pixel vertices when the record
 * has them, else integer vertices plus the bounds' origin; a rectangle as its closed corners, a
 * line as its two ends. Ovals and composite shapes keep their type and bounds but no vertices.
 */
import { OhrError } from "../../protocol/index.js";

/** roifile's `ROI_TYPE` names, by the type byte. */
const ROI_TYPES = [
  "polygon",
  "rect",
  "oval",
  "line",
  "freeline",
  "polyline",
  "noroi",
  "freehand",
  "traced",
  "angle",
  "point",
] as const;
export type ImagejRoiType = (typeof ROI_TYPES)[number] | "unknown";

const HEADER_BYTES = 64;
const SUB_PIXEL_RESOLUTION = 128;
const WITH_VERTICES = new Set<ImagejRoiType>([
  "polygon",
  "freehand",
  "traced",
  "polyline",
  "freeline",
  "angle",
  "point",
]);

/** A `.roi` record that is not one. */
export class ImagejRoiError extends OhrError {
  override readonly code = "ERR_ROI_FORMAT";
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`ImageJ ROI ${entry}: ${reason}`);
  }
}

export interface ImagejRoi {
  readonly type: ImagejRoiType;
  readonly name: string | null;
  /** `[top, left, bottom, right]` in pixels. */
  readonly bounds: readonly [number, number, number, number];
  /** Vertices as `[y, x]` pixel rows (empty for an oval or a composite shape). */
  readonly polygon: readonly (readonly [number, number])[];
  /** ImageJ's 1-based stack positions (0: not set). */
  readonly position: { readonly c: number; readonly z: number; readonly t: number };
}

/** Decode one `.roi` record (`entry` names it in errors). */
export function decodeImagejRoi(bytes: Uint8Array, entry: string): ImagejRoi {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, what: string): void => {
    if (end > bytes.byteLength) {
      throw new ImagejRoiError(entry, `${what} runs past its ${bytes.byteLength} bytes`);
    }
  };
  need(HEADER_BYTES, "the header");
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== "Iout") {
    throw new ImagejRoiError(entry, "does not start with 'Iout'");
  }
  const type: ImagejRoiType = ROI_TYPES[view.getUint8(6)] ?? "unknown";
  const top = view.getInt16(8);
  const left = view.getInt16(10);
  const bounds = [top, left, view.getInt16(12), view.getInt16(14)] as const;
  const options = view.getUint16(50);
  const shapeRoiSize = view.getInt32(36);
  let count = view.getUint16(16);
  if (count === 0 && WITH_VERTICES.has(type)) count = view.getInt32(18) >>> 0;
  let polygon: [number, number][] = [];
  if (shapeRoiSize > 0) {
    polygon = []; // a composite shape: its path is not a polygon
  } else if (WITH_VERTICES.has(type)) {
    need(HEADER_BYTES + 4 * count, `${count} integer vertices`);
    if (options & SUB_PIXEL_RESOLUTION) {
      const base = HEADER_BYTES + 4 * count;
      need(base + 8 * count, `${count} sub-pixel vertices`);
      polygon = Array.from({ length: count }, (_, i) => [
        view.getFloat32(base + 4 * (count + i)),
        view.getFloat32(base + 4 * i),
      ]);
    } else {
      polygon = Array.from({ length: count }, (_, i) => [
        view.getInt16(HEADER_BYTES + 2 * (count + i)) + top,
        view.getInt16(HEADER_BYTES + 2 * i) + left,
      ]);
    }
  } else if (type === "rect") {
    const [t, l, b, r] = bounds;
    polygon = [
      [t, l],
      [b, l],
      [b, r],
      [t, r],
      [t, l],
    ];
  } else if (type === "line") {
    polygon = [
      [view.getFloat32(22), view.getFloat32(18)],
      [view.getFloat32(30), view.getFloat32(26)],
    ];
  }
  return { type, name: nameOf(view, bytes, entry), bounds, polygon, position: positionOf(view) };
}

/** The second header (version ≥ 218): stack positions and the name. */
function header2(view: DataView): number | null {
  const offset = view.getInt32(60);
  return offset > 0 && offset + 64 <= view.byteLength ? offset : null;
}

function positionOf(view: DataView): ImagejRoi["position"] {
  const offset = header2(view);
  if (offset === null) return { c: 0, z: 0, t: 0 };
  return {
    c: view.getInt32(offset + 4),
    z: view.getInt32(offset + 8),
    t: view.getInt32(offset + 12),
  };
}

function nameOf(view: DataView, bytes: Uint8Array, entry: string): string | null {
  const offset = header2(view);
  if (offset === null) return null;
  const at = view.getInt32(offset + 16);
  const length = view.getInt32(offset + 20);
  if (at <= 0 || length <= 0) return null;
  if (at + 2 * length > bytes.byteLength) {
    throw new ImagejRoiError(entry, `its name (${length} characters) runs past the record`);
  }
  let name = "";
  for (let i = 0; i < length; i += 1) name += String.fromCharCode(view.getUint16(at + 2 * i));
  return name;
}

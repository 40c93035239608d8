/**
 * Check a `ResultImage` against its own description (dtype, shape, byte count, component
 * values) and cut it into 2-D planes with their plate coordinates. Nothing is copied: each
 * plane is a view into the item's bytes.
 */
import type { ResultCoordinates, ResultImage } from "../result-image.js";
import { DTYPE_SIZES, isDtype } from "../../protocol/index.js";
import { ResultInputError } from "./result-store-errors.js";

/**
 * A stack item may say which component its leading axis walks, as the relay header's
 * `plane_component_values` does (`{ channel: [1, 2] }`). `ResultImage` does not carry it yet;
 * when absent, the leading axis is taken as consecutive z-planes starting at the item's `z`.
 */
export type StackedResultImage = ResultImage & {
  readonly planeComponentValues?: Readonly<Record<string, readonly number[]>>;
};

/** The 1-based OpenHCS component values of one plane (`null`: the item did not carry it). */
export interface PlaneComponents {
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
}

/** One 2-D plane of an item. */
export interface ItemPlane extends PlaneComponents {
  /** `[y, x]`. */
  readonly shape: readonly [number, number];
  /** `y × x × itemsize` bytes, little-endian, C order (a view into the item's data). */
  readonly bytes: Uint8Array;
}

/** Largest accepted 1-based component value: beyond it, metadata would describe absurd arrays. */
export const MAX_COMPONENT_VALUE = 100_000;

const STACK_COMPONENTS: Readonly<Record<string, keyof PlaneComponents>> = {
  channel: "channel",
  z_index: "z",
  z: "z",
  timepoint: "timepoint",
};

/** Validate the component values every item carries (images and shapes alike). */
export function checkComponents(item: ResultCoordinates): void {
  for (const field of ["site", "channel", "z", "timepoint"] as const) {
    checkComponentValue(item, field, item[field]);
  }
}

function checkComponentValue(item: ResultCoordinates, field: string, value: unknown): void {
  if (value === null) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ResultInputError(
      item,
      field,
      `${JSON.stringify(value)} is not a 1-based OpenHCS index`,
    );
  }
  if (value > MAX_COMPONENT_VALUE) {
    throw new ResultInputError(item, field, `${value} exceeds ${MAX_COMPONENT_VALUE}`);
  }
}

/** Check an image item and cut it into planes. Throws {@link ResultInputError} naming the field. */
export function imagePlanes(item: StackedResultImage): ItemPlane[] {
  checkComponents(item);
  if (!isDtype(item.dtype)) {
    throw new ResultInputError(item, "dtype", `'${String(item.dtype)}' is not a supported dtype`);
  }
  const shape = item.shape;
  if (shape.length < 2 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new ResultInputError(
      item,
      "shape",
      `[${shape.join(", ")}] is not a list of 2 or more positive sizes`,
    );
  }
  const y = shape[shape.length - 2] as number;
  const x = shape[shape.length - 1] as number;
  const planeBytes = y * x * DTYPE_SIZES[item.dtype];
  const leading = shape.slice(0, -2);
  const count = leading.reduce((a, b) => a * b, 1);
  if (item.data.byteLength !== count * planeBytes) {
    throw new ResultInputError(
      item,
      "data",
      `${item.data.byteLength} bytes, but shape [${shape.join(", ")}] of ${item.dtype} ` +
        `needs ${count * planeBytes}`,
    );
  }
  if (leading.filter((n) => n > 1).length > 1) {
    throw new ResultInputError(
      item,
      "shape",
      `[${shape.join(", ")}] has more than one plane axis; send one stack axis at most`,
    );
  }
  const components = stackComponents(item, count);
  return components.map((c, i) => ({
    ...c,
    shape: [y, x] as const,
    bytes: item.data.subarray(i * planeBytes, (i + 1) * planeBytes),
  }));
}

function stackComponents(item: StackedResultImage, count: number): PlaneComponents[] {
  const base: PlaneComponents = {
    site: item.site,
    channel: item.channel,
    z: item.z,
    timepoint: item.timepoint,
  };
  if (count === 1) return [base];
  const walked = Object.entries(item.planeComponentValues ?? { z_index: [] });
  if (walked.length !== 1) {
    throw new ResultInputError(item, "planeComponentValues", "must name exactly one component");
  }
  const [name, given] = walked[0] as [string, readonly number[]];
  const field = STACK_COMPONENTS[name];
  if (field === undefined) {
    throw new ResultInputError(item, "planeComponentValues", `cannot stack along '${name}'`);
  }
  // No values given: consecutive planes from the item's own value (1 when it has none).
  const values =
    given.length > 0 ? given : Array.from({ length: count }, (_, i) => (base[field] ?? 1) + i);
  if (values.length !== count) {
    throw new ResultInputError(
      item,
      "planeComponentValues",
      `${values.length} values for ${count} planes`,
    );
  }
  return values.map((value) => {
    checkComponentValue(item, field, value);
    return { ...base, [field]: value };
  });
}

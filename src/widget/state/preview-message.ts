/**
 * The `ohr-preview` custom message (docs/widget-protocol.md §3): JSON describing one downsampled
 * 8-bit plane, and the pixels in `buffers[0]`. Validated and copied here, so the rest of the
 * widget holds small, self-contained previews and never a view into a comm buffer.
 */
import * as z from "./schema.js";
import { WidgetMessageError } from "./widget-errors.js";

/** Longest preview edge the contract allows. */
export const MAX_PREVIEW_EDGE = 256;

const coordinate = z.nullable(z.int());
const edge = z.int().check(z.minimum(1), z.maximum(MAX_PREVIEW_EDGE));

const PreviewHeaderSchema = z
  .looseObject({
    kind: z.literal("ohr-preview"),
    seq: z.int().check(z.minimum(0)),
    well: z.string().check(z.maxLength(64)),
    site: coordinate,
    channel: coordinate,
    z: coordinate,
    timepoint: coordinate,
    step: z.nullable(z.string().check(z.maxLength(1024))),
    width: edge,
    height: edge,
    source_shape: z.array(z.int().check(z.minimum(0))).check(z.maxLength(8)),
    dtype: z.string().check(z.maxLength(32)),
    value_min: z.number(),
    value_max: z.number(),
  })
  .check(
    z.refine((header) => header.value_min <= header.value_max, {
      error: "value_min is above value_max",
      path: ["value_min"],
    }),
  );

/** Where a plane sits; `null` where the item did not carry that component. */
export interface PlaneCoordinates {
  readonly well: string;
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
  readonly step: string | null;
}

/** One preview as the widget keeps it. */
export interface Preview extends PlaneCoordinates {
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  /** Shape of the full-resolution plane, `[y, x]`. */
  readonly sourceShape: readonly number[];
  readonly dtype: string;
  /** Source values that 0 and 255 stand for (the plane's 0.1 and 99.9 percentiles). */
  readonly valueMin: number;
  readonly valueMax: number;
  /** `width × height` bytes, row-major. */
  readonly pixels: Uint8Array;
}

/** Whether a custom message claims to be a preview (before validation). */
export function isPreviewMessage(content: unknown): boolean {
  return (
    typeof content === "object" &&
    content !== null &&
    (content as { kind?: unknown }).kind === "ohr-preview"
  );
}

/**
 * Validate an `ohr-preview` message and copy its pixels out of the comm buffer.
 *
 * @throws {@link WidgetMessageError} naming the field that is wrong, or the buffer size.
 */
export function parsePreview(content: unknown, buffers: readonly DataView[]): Preview {
  const parsed = PreviewHeaderSchema.safeParse(content);
  if (!parsed.success) throw new WidgetMessageError("ohr-preview", z.prettifyError(parsed.error));
  const header = parsed.data;
  const buffer = buffers[0];
  const expected = header.width * header.height;
  if (buffer?.byteLength !== expected) {
    throw new WidgetMessageError(
      "ohr-preview",
      `seq ${header.seq} (well ${header.well}): buffers[0] has ` +
        `${buffer?.byteLength ?? "no"} bytes, expected ${header.width}×${header.height} = ${expected}`,
    );
  }
  return {
    seq: header.seq,
    well: header.well,
    site: header.site,
    channel: header.channel,
    z: header.z,
    timepoint: header.timepoint,
    step: header.step,
    width: header.width,
    height: header.height,
    sourceShape: header.source_shape,
    dtype: header.dtype,
    valueMin: header.value_min,
    valueMax: header.value_max,
    pixels: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice(),
  };
}

/**
 * From the relay's wire form (a validated item header and its pixel frame) to the
 * {@link ResultItem} that `results()` yields, the result store writes and `onImage` gets.
 */
import type { DecodedImage, DecodedPreviewImage, DecodedShapes } from "../../protocol/index.js";
import type { ResultCoordinates, ResultGap, ResultItem } from "../result-image.js";

/**
 * Build a ResultItem; the pixels are the received frame itself, not a copy. `wireBytes`: what a
 * preview took on the wire, when its frame was decoded into these pixels (default: their size).
 */
export function toResultItem(
  message: DecodedImage | DecodedPreviewImage | DecodedShapes,
  wireBytes?: number,
): ResultItem {
  if ("preview" in message) {
    const { header, preview } = message;
    const meta = header.preview;
    return {
      ...coordinates(message),
      kind: "preview",
      shape: header.shape,
      dtype: header.dtype,
      nbytes: header.nbytes,
      preview:
        meta === null || preview === null
          ? null
          : {
              width: meta.width,
              height: meta.height,
              sourceShape: meta.source_shape,
              valueMin: meta.value_min,
              valueMax: meta.value_max,
              pixels: preview,
              wireBytes: wireBytes ?? preview.byteLength,
            },
    };
  }
  if ("pixels" in message) {
    const { header, pixels } = message;
    return {
      ...coordinates(message),
      kind: "image",
      shape: header.shape,
      dtype: header.dtype,
      data: pixels,
    };
  }
  return {
    ...coordinates(message),
    kind: "shapes",
    shapes: message.header.shapes.map((shape) => ({
      type: shape.type,
      coordinates: shape.coordinates,
      metadata: shape.metadata,
    })),
  };
}

function coordinates({
  header,
}: DecodedImage | DecodedPreviewImage | DecodedShapes): ResultCoordinates {
  const components: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(header.components)) {
    // Booleans and nulls locate nothing in a plate; keep the coordinates that do.
    if (typeof value === "string" || typeof value === "number") components[name] = value;
  }
  const producer = header.producer ?? {};
  return {
    executionId: header.execution_id,
    seq: header.seq,
    well: typeof components.well === "string" ? components.well : "",
    site: integer(components.site),
    channel: integer(components.channel),
    z: integer(components.z_index),
    timepoint: integer(components.timepoint),
    step: typeof producer.step_name === "string" ? producer.step_name : null,
    stepIndex: integer(producer.pipeline_position),
    components,
    componentNames: header.component_names,
    path: header.path,
    receivedAt: header.received_at,
  };
}

function integer(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  // OpenHCS parses some components from file names and may leave them as digit strings.
  if (typeof value === "string" && /^\d{1,9}$/.test(value)) return Number(value);
  return null;
}

/** Whether an entry of `results()` is a gap (seqs that will never arrive) rather than an item. */
export function isResultGap(entry: ResultItem | ResultGap): entry is ResultGap {
  return "fromSeq" in entry && "toSeq" in entry;
}

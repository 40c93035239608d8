/**
 * Decoding one relay → client message (docs/relay-stream-protocol.md §2): frame 0 is a UTF-8 JSON
 * header, and an image item carries exactly one more frame of `nbytes` raw pixels. The pixel
 * frame is handed on as received, never copied.
 */
import { DTYPE_SIZES } from "./dtypes.js";
import { OhrError } from "./ohr-error.js";
import {
  ControlHeaderSchema,
  ItemHeaderSchema,
  MAX_RELAY_HEADER_BYTES,
  MAX_RELAY_PAYLOAD_BYTES,
  PlaneHeaderSchema,
  RunFileHeaderSchema,
  type ControlHeader,
  type ItemPreview,
  type PlaneHeader,
  type RunFileHeader,
  type ImageItemHeader,
  type ShapesItemHeader,
} from "./relay-stream.js";

/** A message the relay may not send: it names the field and, when known, the run and seq. */
export class RelayFrameError extends OhrError {
  override readonly code = "ERR_RELAY_FRAME";
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly executionId?: string,
    readonly seq?: number,
  ) {
    const item = executionId === undefined ? "" : ` (run ${executionId}, seq ${seq ?? "?"})`;
    super(`relay message field '${field}'${item}: ${reason}`);
  }
}

/** Bounds the decoder enforces; the relay's `welcome.limits` may lower them. */
export interface RelayFrameLimits {
  readonly maxHeaderBytes: number;
  readonly maxPayloadBytes: number;
}

export const DEFAULT_RELAY_FRAME_LIMITS: RelayFrameLimits = {
  maxHeaderBytes: MAX_RELAY_HEADER_BYTES,
  maxPayloadBytes: MAX_RELAY_PAYLOAD_BYTES,
};

/** A decoded image item: its header and the pixel frame itself. */
export interface DecodedImage {
  readonly type: "item";
  readonly header: ImageItemHeader;
  readonly pixels: Uint8Array;
}

/**
 * A decoded previews-delivery image item (§4.2): the full plane's header, its 8-bit preview
 * (`null` when the image has no 2-D plane; still Blosc-encoded when `header.preview.encoding`
 * says `blosc`) and no full-resolution pixels.
 */
export interface DecodedPreviewImage {
  readonly type: "item";
  readonly header: ImageItemHeader & { readonly preview: ItemPreview | null };
  readonly preview: Uint8Array | null;
}

/** A full-resolution plane (reply to `fetch_plane`), still encoded as `header.encoding` says. */
export interface DecodedPlane {
  readonly type: "plane";
  readonly header: PlaneHeader;
  readonly data: Uint8Array;
}

/** A decoded ROI item. */
export interface DecodedShapes {
  readonly type: "item";
  readonly header: ShapesItemHeader;
}

/** A run file (reply to `fetch_file`): its header and its bytes, as received. */
export interface DecodedRunFile {
  readonly type: "file";
  readonly header: RunFileHeader;
  readonly data: Uint8Array;
}

/** Anything the relay sends, decoded and validated. */
export type RelayMessage =
  | DecodedImage
  | DecodedPreviewImage
  | DecodedShapes
  | DecodedRunFile
  | DecodedPlane
  | ControlHeader;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decode and validate one multipart message; throws {@link RelayFrameError}. */
export function decodeRelayMessage(
  frames: readonly Uint8Array[],
  limits: RelayFrameLimits = DEFAULT_RELAY_FRAME_LIMITS,
): RelayMessage {
  const head = frames[0];
  if (head === undefined) throw new RelayFrameError("frames", "the message has no frames");
  if (head.byteLength > limits.maxHeaderBytes) {
    throw new RelayFrameError(
      "header",
      `${head.byteLength} bytes, more than the limit of ${limits.maxHeaderBytes}`,
    );
  }
  const raw = parseHeader(head);
  if (raw.type === "item") return decodeItem(raw, frames, limits);
  if (raw.type === "file") return decodeRunFile(raw, frames, limits);
  if (raw.type === "plane") return decodePlaneReply(raw, frames, limits);
  if (frames.length !== 1) {
    throw new RelayFrameError("frames", `a '${raw.type}' message has ${frames.length} frames`);
  }
  const parsed = ControlHeaderSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues, raw);
  return parsed.data;
}

function parseHeader(head: Uint8Array): Record<string, unknown> & { type: string } {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(head));
  } catch (error) {
    throw new RelayFrameError("header", `not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RelayFrameError("header", "not a JSON object");
  }
  const record = value as Record<string, unknown>;
  if (typeof record.type !== "string") {
    throw new RelayFrameError("type", "missing, or not a string");
  }
  return record as Record<string, unknown> & { type: string };
}

function decodeItem(
  raw: Record<string, unknown>,
  frames: readonly Uint8Array[],
  limits: RelayFrameLimits,
): DecodedImage | DecodedPreviewImage | DecodedShapes {
  const parsed = ItemHeaderSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues, raw);
  const header = parsed.data;
  const place = [header.execution_id, header.seq] as const;
  if (header.kind === "shapes") {
    if (frames.length !== 1) {
      throw new RelayFrameError("frames", `a shapes item has ${frames.length} frames`, ...place);
    }
    return { type: "item", header };
  }
  const expected = checkedPlaneBytes(header, limits, place);
  if (header.payload === "preview") return decodePreviewItem(header, frames, place);
  if (frames.length !== 2) {
    throw new RelayFrameError(
      "frames",
      `an image item has ${frames.length} frames, not 2`,
      ...place,
    );
  }
  const pixels = frames[1] as Uint8Array;
  if (pixels.byteLength !== expected) {
    throw new RelayFrameError(
      "payload",
      `${pixels.byteLength} bytes, but nbytes says ${expected}`,
      ...place,
    );
  }
  return { type: "item", header, pixels };
}

/** `nbytes` of a plane header, checked against its shape and dtype (and the payload limit). */
function checkedPlaneBytes(
  header: Pick<ImageItemHeader, "shape" | "dtype" | "nbytes">,
  limits: RelayFrameLimits,
  place: readonly [string, number],
): number {
  // Multiply step by step so that no product can pass the limit unnoticed (or lose precision).
  let expected = DTYPE_SIZES[header.dtype];
  for (const dimension of header.shape) {
    expected *= dimension;
    if (expected > limits.maxPayloadBytes) {
      throw new RelayFrameError(
        "shape",
        `${JSON.stringify(header.shape)} × ${header.dtype} exceeds the payload limit of ${limits.maxPayloadBytes} bytes`,
        ...place,
      );
    }
  }
  if (header.nbytes !== expected) {
    throw new RelayFrameError(
      "nbytes",
      `${header.nbytes}, but shape ${JSON.stringify(header.shape)} of ${header.dtype} is ${expected} bytes`,
      ...place,
    );
  }
  return expected;
}

function decodePreviewItem(
  header: ImageItemHeader,
  frames: readonly Uint8Array[],
  place: readonly [string, number],
): DecodedPreviewImage {
  const preview = header.preview ?? null;
  if (header.preview === undefined) {
    throw new RelayFrameError("preview", "missing from a previews-delivery item", ...place);
  }
  const want = preview === null ? 1 : 2;
  if (frames.length !== want) {
    throw new RelayFrameError(
      "frames",
      `a preview item ${preview === null ? "without" : "with"} a preview has ${frames.length} frames, not ${want}`,
      ...place,
    );
  }
  const pixels = preview === null ? null : (frames[1] as Uint8Array);
  // A `blosc` frame's size is checked when it is decoded (against width × height).
  const raw = (preview?.encoding ?? "raw") === "raw";
  if (preview !== null && raw && pixels?.byteLength !== preview.width * preview.height) {
    throw new RelayFrameError(
      "payload",
      `${pixels?.byteLength ?? 0} bytes, but a ${preview.width} × ${preview.height} preview is ${preview.width * preview.height}`,
      ...place,
    );
  }
  return { type: "item", header: { ...header, preview }, preview: pixels };
}

function decodePlaneReply(
  raw: Record<string, unknown>,
  frames: readonly Uint8Array[],
  limits: RelayFrameLimits,
): DecodedPlane {
  const parsed = PlaneHeaderSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues, raw);
  const header = parsed.data;
  const place = [header.execution_id, header.seq] as const;
  checkedPlaneBytes(header, limits, place);
  const data = frames[1];
  if (frames.length !== 2 || data === undefined) {
    throw new RelayFrameError(
      "frames",
      `a plane reply has ${frames.length} frames, not 2`,
      ...place,
    );
  }
  if (data.byteLength !== header.encoded_bytes) {
    throw new RelayFrameError(
      "encoded_bytes",
      `${header.encoded_bytes}, but the frame has ${data.byteLength} bytes`,
      ...place,
    );
  }
  return { type: "plane", header, data };
}

function decodeRunFile(
  raw: Record<string, unknown>,
  frames: readonly Uint8Array[],
  limits: RelayFrameLimits,
): DecodedRunFile {
  const parsed = RunFileHeaderSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues, raw);
  const header = parsed.data;
  const data = frames[1];
  if (frames.length !== 2 || data === undefined) {
    throw new RelayFrameError("frames", `a file reply has ${frames.length} frames, not 2`);
  }
  if (header.size > limits.maxPayloadBytes || data.byteLength !== header.size) {
    throw new RelayFrameError(
      "size",
      `${header.path}: header says ${header.size} bytes, frame has ${data.byteLength}`,
      header.execution_id,
    );
  }
  return { type: "file", header, data };
}

function schemaError(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  raw: Record<string, unknown>,
): RelayFrameError {
  const issue = issues[0];
  const field = issue === undefined ? "?" : issue.path.map(String).join(".") || "header";
  const executionId = typeof raw.execution_id === "string" ? raw.execution_id : undefined;
  const seq = typeof raw.seq === "number" ? raw.seq : undefined;
  return new RelayFrameError(field, issue?.message ?? "invalid", executionId, seq);
}

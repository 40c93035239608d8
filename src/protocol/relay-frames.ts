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
  RunFileHeaderSchema,
  type ControlHeader,
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
export type RelayMessage = DecodedImage | DecodedShapes | DecodedRunFile | ControlHeader;

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
): DecodedImage | DecodedShapes {
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
  if (frames.length !== 2) {
    throw new RelayFrameError(
      "frames",
      `an image item has ${frames.length} frames, not 2`,
      ...place,
    );
  }
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

/**
 * Schemas of what the openhcs-remote relay sends its stream clients (docs/relay-stream-protocol.md
 * §4, version 1): one JSON header per ZeroMQ message, plus one raw pixel frame for image items.
 *
 * Objects are loose (the protocol says unknown fields are ignored, and an image item may carry
 * OpenHCS extras such as `plane_axis`); every field we read is typed and bounded.
 */
import { z } from "zod";
import { DTYPE_NAMES } from "./dtypes.js";
import { PLANE_ENCODINGS } from "./plane-encoding.js";

/** The stream protocol version this client speaks. */
export const RELAY_PROTOCOL_VERSION = 1;
/** Largest header the relay sends (shape lists make headers big); §7. */
export const MAX_RELAY_HEADER_BYTES = 16 * 1024 * 1024;
/** Largest pixel payload of one image; §7. */
export const MAX_RELAY_PAYLOAD_BYTES = 2 * 1024 * 1024 * 1024;
/** Largest integer on the wire: the largest a JavaScript number holds exactly. */
export const MAX_WIRE_INT = Number.MAX_SAFE_INTEGER;

const executionId = z.string().min(1).max(200);
const text = z.string().max(1_000_000);
const shortText = z.string().max(4096);
const seq = z.number().int().min(1).max(MAX_WIRE_INT);
const count = z.number().int().nonnegative().max(MAX_WIRE_INT);
const scalar = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);

/** Fields every item shares, whatever its kind. */
const itemBase = {
  type: z.literal("item"),
  execution_id: executionId,
  seq,
  data_type: shortText,
  image_id: shortText.nullish(),
  path: text,
  components: z.record(z.string().max(200), scalar),
  component_names: z.record(z.string().max(200), shortText).default({}),
  producer: z.record(z.string().max(200), z.unknown()).nullish(),
  received_at: z.number().optional(),
};

/** How a subscription receives images (§4.2): every plane's pixels, or its preview only. */
export const RELAY_DELIVERIES = ["full", "previews"] as const;
export type RelayDelivery = (typeof RELAY_DELIVERIES)[number];

/** Where a previews-delivery item's preview frame comes from and how to read it (§4.2). */
export const ItemPreviewSchema = z.looseObject({
  width: z.number().int().min(1).max(4096),
  height: z.number().int().min(1).max(4096),
  source_shape: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  value_min: z.number(),
  value_max: z.number(),
  /** How the pixel frame travels (§4.2): absent is `raw`; `blosc` when the client asked. */
  encoding: z.enum(PLANE_ENCODINGS).optional(),
});
export type ItemPreview = z.infer<typeof ItemPreviewSchema>;

/**
 * An image item: `nbytes` of raw little-endian C-order pixels follow in frame 1 — or, in previews
 * delivery (`payload: "preview"`), the `preview`'s `width × height` bytes (none when it is null).
 */
export const ImageItemHeaderSchema = z.looseObject({
  ...itemBase,
  kind: z.literal("image"),
  shape: z.array(z.number().int().min(1).max(MAX_WIRE_INT)).min(1).max(8),
  dtype: z.enum(DTYPE_NAMES),
  nbytes: count,
  order: z.literal("C").default("C"),
  byte_order: z.literal("little").default("little"),
  plane_axis: z.unknown().optional(),
  plane_component_values: z.unknown().optional(),
  source_channel_axis: z.unknown().optional(),
  payload: z.literal("preview").optional(),
  preview: z.nullable(ItemPreviewSchema).optional(),
});
export type ImageItemHeader = z.infer<typeof ImageItemHeaderSchema>;

/** One ROI: `coordinates` are `[y, x, …]` rows in pixels of the image grid. */
export const RelayShapeSchema = z.looseObject({
  type: shortText,
  coordinates: z.array(z.array(z.number()).min(2).max(8)).max(1_000_000),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

/** A set of ROI shapes; no payload frame. */
export const ShapesItemHeaderSchema = z.looseObject({
  ...itemBase,
  kind: z.literal("shapes"),
  shapes: z.array(RelayShapeSchema).max(100_000),
  shape_source: shortText.nullish(),
});
export type ShapesItemHeader = z.infer<typeof ShapesItemHeaderSchema>;

export const ItemHeaderSchema = z.discriminatedUnion("kind", [
  ImageItemHeaderSchema,
  ShapesItemHeaderSchema,
]);
export type ItemHeader = z.infer<typeof ItemHeaderSchema>;

/** A run as `welcome` lists it. */
export const RelayRunSchema = z.looseObject({
  execution_id: executionId,
  first_seq: seq.nullable(),
  last_seq: count,
  ended: z.boolean(),
  status: shortText.nullable(),
});

/** Reply to `hello`: the relay's identity, limits and runs. */
export const WelcomeSchema = z.looseObject({
  type: z.literal("welcome"),
  nonce: scalar.optional(),
  protocol: z.number().int(),
  incarnation: shortText.min(1),
  spool_id: shortText.min(1),
  relay_version: shortText,
  /** Where OpenHCS workers reach the relay on the server host (§8); absent from relays before 0.9. */
  viewer_port: z.number().int().min(1).max(64535).optional(),
  limits: z.looseObject({
    max_header_bytes: count,
    max_payload_bytes: count,
    max_client_message_bytes: count,
    max_credit_items: count.min(1),
    max_credit_bytes: count.min(1),
    heartbeat_interval_ms: count.min(1),
    session_timeout_ms: count.min(1),
    /** Largest run file one `file` reply carries; absent from relays before 0.10. */
    max_file_bytes: count.optional(),
  }),
  /** Deliveries and plane encodings the relay offers (§4.2, §4.3); absent before 0.11. */
  deliveries: z.array(shortText).max(16).optional(),
  encodings: z.array(shortText).max(16).optional(),
  runs: z.array(RelayRunSchema).max(1_000_000),
});
export type Welcome = z.infer<typeof WelcomeSchema>;

/** Seqs `from_seq..to_seq` (inclusive) will never arrive. */
export const GapSchema = z
  .looseObject({
    type: z.literal("gap"),
    execution_id: executionId,
    from_seq: seq,
    to_seq: seq,
    reason: z.enum(["evicted", "lost"]),
  })
  .refine((gap) => gap.from_seq <= gap.to_seq, {
    error: "from_seq is after to_seq",
    path: ["to_seq"],
  });
export type Gap = z.infer<typeof GapSchema>;

/** The run is over: every seq up to `last_seq` went out as an item or a gap. */
export const EndSchema = z.looseObject({
  type: z.literal("end"),
  execution_id: executionId,
  last_seq: count,
  status: z.enum(["complete", "failed", "cancelled", "unknown"]),
});
export type End = z.infer<typeof EndSchema>;

export const RunStartedSchema = z.looseObject({
  type: z.literal("run_started"),
  execution_id: executionId,
});
export type RunStarted = z.infer<typeof RunStartedSchema>;

export const HeartbeatSchema = z.looseObject({
  type: z.literal("heartbeat"),
  incarnation: shortText.min(1),
  time: z.number(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const RelayPongSchema = z.looseObject({
  type: z.literal("pong"),
  nonce: scalar.optional(),
});

/** A refused client message; the session stays as it was. */
export const RelayErrorSchema = z.looseObject({
  type: z.literal("error"),
  code: shortText,
  message: text,
  field: shortText.nullish(),
  /** Set when the refused message was a request (`list_files`, `fetch_file`): its id. */
  request_id: count.optional(),
});
export type RelayErrorMessage = z.infer<typeof RelayErrorSchema>;

/** A file a run wrote, as `files` lists it: its path relative to the run's directory. */
export const RunFileEntrySchema = z.looseObject({
  path: z.string().min(1).max(1000),
  size: count,
  mtime: z.number(),
});
export type RunFileEntry = z.infer<typeof RunFileEntrySchema>;

/** Reply to `list_files`. */
export const RunFilesSchema = z.looseObject({
  type: z.literal("files"),
  execution_id: executionId,
  request_id: count,
  root: text,
  files: z.array(RunFileEntrySchema).max(100_000),
  truncated: z.boolean(),
});
export type RunFiles = z.infer<typeof RunFilesSchema>;

/** Header of the reply to `fetch_file`; the file's bytes are frame 1, exactly `size` long. */
export const RunFileHeaderSchema = z.looseObject({
  type: z.literal("file"),
  execution_id: executionId,
  request_id: count,
  path: z.string().min(1).max(1000),
  size: count,
  mtime: z.number(),
});
export type RunFileHeader = z.infer<typeof RunFileHeaderSchema>;

/** Header of the reply to `fetch_plane`; the (encoded) plane is frame 1, `encoded_bytes` long. */
export const PlaneHeaderSchema = z.looseObject({
  type: z.literal("plane"),
  execution_id: executionId,
  request_id: count,
  seq,
  shape: z.array(z.number().int().min(1).max(MAX_WIRE_INT)).min(1).max(8),
  dtype: z.enum(DTYPE_NAMES),
  nbytes: count,
  encoding: shortText,
  encoded_bytes: count,
  source: z.enum(["spool", "openhcs_file"]),
});
export type PlaneHeader = z.infer<typeof PlaneHeaderSchema>;

/** Every header without a payload frame. */
export const ControlHeaderSchema = z.discriminatedUnion("type", [
  WelcomeSchema,
  GapSchema,
  EndSchema,
  RunStartedSchema,
  HeartbeatSchema,
  RelayPongSchema,
  RelayErrorSchema,
  RunFilesSchema,
]);
export type ControlHeader = z.infer<typeof ControlHeaderSchema>;

/**
 * What a stream client sends the relay (docs/relay-stream-protocol.md §4): one JSON frame per
 * message, at most 64 KiB. Builders check every message against the same rules the relay applies,
 * so a bug here fails loudly on our side instead of as an `error` reply later.
 */
import { z } from "zod";
import { OhrError } from "./ohr-error.js";
import { PLANE_ENCODINGS, type PlaneEncoding } from "./plane-encoding.js";
import {
  MAX_WIRE_INT,
  RELAY_DELIVERIES,
  RELAY_PROTOCOL_VERSION,
  type RelayDelivery,
} from "./relay-stream.js";

/** Largest client message the relay takes (larger ones make libzmq drop the connection). */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

const wireInt = z.number().int().min(0).max(MAX_WIRE_INT);
const executionId = z.string().min(1).max(200);
const nonce = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const HelloSchema = z.looseObject({
  type: z.literal("hello"),
  protocol: z.literal(RELAY_PROTOCOL_VERSION),
  client_name: z.string().max(200).optional(),
  nonce: nonce.optional(),
});
export const SubscribeSchema = z.looseObject({
  type: z.literal("subscribe"),
  execution_id: executionId,
  from_seq: wireInt.min(1).default(1),
  /** Absent: `"full"`. */
  delivery: z.enum(RELAY_DELIVERIES).optional(),
  /** How previews-delivery previews travel; absent: `"raw"`. */
  preview_encoding: z.enum(PLANE_ENCODINGS).optional(),
});
export const UnsubscribeSchema = z.looseObject({
  type: z.literal("unsubscribe"),
  execution_id: executionId,
});
export const CreditSchema = z.looseObject({
  type: z.literal("credit"),
  items: wireInt.default(0),
  bytes: wireInt.default(0),
});
export const PingSchema = z.looseObject({ type: z.literal("ping"), nonce: nonce.optional() });
export const ByeSchema = z.looseObject({ type: z.literal("bye") });
const requestPath = z.string().min(1).max(1000);
export const ListFilesSchema = z.looseObject({
  type: z.literal("list_files"),
  execution_id: executionId,
  request_id: wireInt,
  under: requestPath.optional(),
});
export const FetchFileSchema = z.looseObject({
  type: z.literal("fetch_file"),
  execution_id: executionId,
  request_id: wireInt,
  path: requestPath,
});
export const FetchPlaneSchema = z.looseObject({
  type: z.literal("fetch_plane"),
  execution_id: executionId,
  request_id: wireInt,
  seq: wireInt.min(1),
  encoding: z.enum(PLANE_ENCODINGS).default("raw"),
});

/** Every message a client may send. */
export const ClientMessageSchema = z.discriminatedUnion("type", [
  HelloSchema,
  SubscribeSchema,
  UnsubscribeSchema,
  CreditSchema,
  PingSchema,
  ByeSchema,
  ListFilesSchema,
  FetchFileSchema,
  FetchPlaneSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

/** A client message that breaks the protocol; `relayCode` is the code the relay would answer. */
export class ClientMessageError extends OhrError {
  override readonly code = "ERR_RELAY_CLIENT_MESSAGE";
  constructor(
    readonly relayCode: "ERR_PROTOCOL" | "ERR_FIELD",
    readonly field: string | null,
    reason: string,
  ) {
    super(`client message ${field === null ? "" : `field '${field}' `}refused: ${reason}`);
  }
}

/**
 * Judge frames as the relay would: the message, or a {@link ClientMessageError} naming the
 * relay's error code and field. Used to check our builders against the shared vectors.
 */
export function parseClientMessage(frames: readonly Uint8Array[]): ClientMessage {
  if (frames.length !== 1) {
    throw new ClientMessageError("ERR_PROTOCOL", null, `expected 1 frame, got ${frames.length}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(frames[0]));
  } catch (error) {
    throw new ClientMessageError("ERR_PROTOCOL", "message", (error as Error).message);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ClientMessageError("ERR_PROTOCOL", "message", "not a JSON object");
  }
  const type = (value as { type?: unknown }).type;
  if (!ClientMessageSchema.options.some((option) => option.shape.type.value === type)) {
    throw new ClientMessageError("ERR_PROTOCOL", "type", `unknown message type ${String(type)}`);
  }
  const parsed = ClientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClientMessageError(
      "ERR_FIELD",
      issue?.path.map(String).join(".") ?? null,
      issue?.message ?? "invalid",
    );
  }
  return parsed.data;
}

/** Encode a message after checking it; throws {@link ClientMessageError}. */
export function encodeClientMessage(message: ClientMessage): Uint8Array {
  const frame = new TextEncoder().encode(JSON.stringify(message));
  if (frame.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
    throw new ClientMessageError(
      "ERR_PROTOCOL",
      null,
      `${frame.byteLength} bytes, more than ${MAX_CLIENT_MESSAGE_BYTES}`,
    );
  }
  return encodeChecked(frame);
}

function encodeChecked(frame: Uint8Array): Uint8Array {
  parseClientMessage([frame]);
  return frame;
}

/** `hello`: opens (or resets) the session; the relay answers `welcome` with the same nonce. */
export function helloMessage(nonce: number, clientName: string): Uint8Array {
  return encodeClientMessage({
    type: "hello",
    protocol: RELAY_PROTOCOL_VERSION,
    client_name: clientName.slice(0, 200),
    nonce,
  });
}

/**
 * `subscribe`: follow a run from `fromSeq`, its images in full or as previews only (§4.2), the
 * previews' pixels as they are or Blosc-compressed (`previewEncoding`).
 */
export function subscribeMessage(
  executionId: string,
  fromSeq: number,
  delivery: RelayDelivery = "full",
  previewEncoding: PlaneEncoding = "raw",
): Uint8Array {
  return encodeClientMessage({
    type: "subscribe",
    execution_id: executionId,
    from_seq: fromSeq,
    // The defaults are said only when they are not, so that older relays accept the message.
    ...(delivery === "full" ? {} : { delivery }),
    ...(delivery === "previews" && previewEncoding !== "raw"
      ? { preview_encoding: previewEncoding }
      : {}),
  });
}

/** `unsubscribe`: stop following a run. */
export function unsubscribeMessage(executionId: string): Uint8Array {
  return encodeClientMessage({ type: "unsubscribe", execution_id: executionId });
}

/** `credit`: add to the window the relay may fill. */
export function creditMessage(items: number, bytes: number): Uint8Array {
  return encodeClientMessage({ type: "credit", items, bytes });
}

/** `ping`: answered by `pong`; also keeps an idle session alive. */
export function pingMessage(nonce: number): Uint8Array {
  return encodeClientMessage({ type: "ping", nonce });
}

/** `bye`: ends the session. */
export function byeMessage(): Uint8Array {
  return encodeClientMessage({ type: "bye" });
}

/** `list_files`: the files run `executionId` wrote (below `under`, relative to its directory). */
export function listFilesMessage(
  executionId: string,
  requestId: number,
  under?: string,
): Uint8Array {
  return encodeClientMessage({
    type: "list_files",
    execution_id: executionId,
    request_id: requestId,
    ...(under === undefined ? {} : { under }),
  });
}

/** `fetch_file`: one file of run `executionId`, by its path relative to the run's directory. */
export function fetchFileMessage(executionId: string, requestId: number, path: string): Uint8Array {
  return encodeClientMessage({
    type: "fetch_file",
    execution_id: executionId,
    request_id: requestId,
    path,
  });
}

/** `fetch_plane`: one image of run `executionId` at full resolution, by its seq (§4.2). */
export function fetchPlaneMessage(
  executionId: string,
  requestId: number,
  seq: number,
  encoding: PlaneEncoding = "raw",
): Uint8Array {
  return encodeClientMessage({
    type: "fetch_plane",
    execution_id: executionId,
    request_id: requestId,
    seq,
    encoding,
  });
}

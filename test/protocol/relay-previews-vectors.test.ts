/**
 * The previews-delivery and `fetch_plane` vectors (test/vectors/relay-stream-previews/), encoded
 * by the Python relay: a preview item decodes into a `preview` result with its 8-bit pixels and
 * the full plane's shape; a plane reply (raw or Blosc) decodes into the stated pixels; our
 * `subscribe` / `fetch_plane` builders write what the relay accepts and refuse what it refuses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toResultItem } from "../../src/orchestrator/relay-client/to-result-item.js";
import {
  ClientMessageError,
  decodePlane,
  decodeRelayMessage,
  fetchPlaneMessage,
  parseClientMessage,
  subscribeMessage,
} from "../../src/protocol/index.js";
import { REPO_ROOT } from "../helpers/python.js";

const VECTORS = join(REPO_ROOT, "test", "vectors", "relay-stream-previews");

interface Vector {
  readonly frames_base64: readonly string[];
  readonly expected: {
    readonly header: Record<string, unknown>;
    readonly payload_hex: string;
    readonly pixels?: number[][];
  };
}

function load(name: string): unknown {
  return JSON.parse(readFileSync(join(VECTORS, name), "utf8"));
}

function frames(base64: readonly string[]): Uint8Array[] {
  return base64.map((text) => new Uint8Array(Buffer.from(text, "base64")));
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

describe("previews delivery and fetch_plane vectors", () => {
  it("a preview item becomes a preview result: the preview's pixels, the full plane's shape", () => {
    const vector = load("item-image-preview.json") as Vector;
    const message = decodeRelayMessage(frames(vector.frames_base64));
    if (message.type !== "item" || !("preview" in message)) throw new Error("not a preview item");
    expect(message.header).toEqual(vector.expected.header);
    const item = toResultItem(message);
    if (item.kind !== "preview" || item.preview === null) throw new Error("no preview");
    expect(hex(item.preview.pixels)).toBe(vector.expected.payload_hex);
    const preview = vector.expected.header.preview as Record<string, unknown>;
    expect(item.preview).toMatchObject({
      width: preview.width,
      height: preview.height,
      sourceShape: preview.source_shape,
      valueMin: preview.value_min,
      valueMax: preview.value_max,
    });
    expect(item).toMatchObject({ shape: vector.expected.header.shape, nbytes: 216, well: "A01" });
  });

  it("refuses a preview item whose frame is not width × height bytes, naming the field", () => {
    const vector = load("item-image-preview.json") as Vector;
    const [head, pixels] = frames(vector.frames_base64);
    expect(() => decodeRelayMessage([head!, pixels!.subarray(1)])).toThrow(
      /field 'payload'.*seq 1\): 107 bytes, but a 9 × 12 preview is 108/,
    );
    expect(() => decodeRelayMessage([head!])).toThrow(/field 'frames'/);
  });

  it.each(["plane.json", "plane-blosc.json"])("%s decodes into the stated pixels", async (name) => {
    const vector = load(name) as Vector;
    const message = decodeRelayMessage(frames(vector.frames_base64));
    if (message.type !== "plane") throw new Error("not a plane");
    expect(message.header).toEqual(vector.expected.header);
    expect(hex(message.data)).toBe(vector.expected.payload_hex);
    const raw = await decodePlane(message.header.encoding, message.data, {
      nbytes: message.header.nbytes,
      dtype: message.header.dtype,
    });
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = Array.from({ length: raw.byteLength / 2 }, (_, i) =>
      view.getUint16(2 * i, true),
    );
    expect(values).toEqual(vector.expected.pixels?.flat());
  });

  it("refuses a plane reply whose frame is not encoded_bytes long", () => {
    const vector = load("plane-blosc.json") as Vector;
    const [head, data] = frames(vector.frames_base64);
    expect(() => decodeRelayMessage([head!, data!.subarray(4)])).toThrow(
      /field 'encoded_bytes'.*136, but the frame has 132 bytes/,
    );
  });

  it("our builders write the relay's accepted messages and refuse what it refuses", () => {
    const { cases } = load("client-messages.json") as {
      cases: {
        frames_base64: string[];
        expected: { message?: Record<string, unknown>; error?: { code: string; field: string } };
      }[];
    };
    for (const { frames_base64, expected } of cases) {
      const [frame] = frames(frames_base64);
      if (expected.message !== undefined) {
        expect(parseClientMessage([frame!])).toMatchObject(expected.message);
      } else {
        expect(() => parseClientMessage([frame!])).toThrow(ClientMessageError);
        try {
          parseClientMessage([frame!]);
        } catch (error) {
          expect((error as ClientMessageError).field).toBe(expected.error?.field);
        }
      }
    }
    const id = "3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10";
    expect(parseClientMessage([subscribeMessage(id, 1, "previews")])).toEqual(
      cases[0]?.expected.message,
    );
    expect(parseClientMessage([fetchPlaneMessage(id, 5, 1, "blosc")])).toEqual(
      cases[2]?.expected.message,
    );
    expect(() => fetchPlaneMessage(id, 5, 0)).toThrow(/field 'seq'/);
  });
});

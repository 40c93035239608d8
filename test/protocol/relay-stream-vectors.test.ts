/**
 * The shared relay-stream vectors (test/vectors/relay-stream/*.json), encoded by the Python
 * sender, decoded here into the meaning they state; the client messages our builders produce are
 * the ones the vectors hold; and routing writes exactly the code the routing vectors hold.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isRoutedToRelay,
  routeToRelay,
} from "../../src/orchestrator/relay-client/stream-routing.js";
import { toResultItem } from "../../src/orchestrator/relay-client/to-result-item.js";
import {
  ClientMessageError,
  byeMessage,
  creditMessage,
  fetchFileMessage,
  listFilesMessage,
  helloMessage,
  parseClientMessage,
  pingMessage,
  subscribeMessage,
} from "../../src/protocol/relay-client-messages.js";
import { decodeRelayMessage, type RelayMessage } from "../../src/protocol/relay-frames.js";
import { REPO_ROOT } from "../helpers/python.js";

const VECTORS = join(REPO_ROOT, "test", "vectors", "relay-stream");

interface RelayVector {
  readonly description: string;
  readonly direction: "relay_to_client";
  readonly frames_base64: readonly string[];
  readonly expected: {
    readonly header: Record<string, unknown>;
    readonly pixels?: unknown;
    readonly payload_hex?: string;
  };
}

interface ClientCase {
  readonly frames_base64: readonly string[];
  readonly expected:
    | { readonly message: Record<string, unknown> }
    | { readonly error: { readonly code: string; readonly field: string | null } };
}

interface RoutingCase {
  readonly pipeline_code: string;
  readonly config_code: string | null;
  readonly host: string;
  readonly port: number;
  readonly expected_pipeline_code: string;
  readonly expected_config_code: string;
}

function load(name: string): unknown {
  return JSON.parse(readFileSync(join(VECTORS, name), "utf8"));
}

function frames(base64: readonly string[]): Uint8Array[] {
  return base64.map((text) => new Uint8Array(Buffer.from(text, "base64")));
}

const relayVectors = readdirSync(VECTORS)
  .filter((name) => !["client-messages.json", "routing.json"].includes(name))
  .sort();

/** A decoded message as plain JSON: the header, plus the pixel bytes as hex for images. */
function meaning(message: RelayMessage): Record<string, unknown> {
  if (message.type === "file") {
    return { header: message.header, payload_hex: Buffer.from(message.data).toString("hex") };
  }
  if (message.type !== "item") return { header: message };
  return "pixels" in message
    ? { header: message.header, payload_hex: Buffer.from(message.pixels).toString("hex") }
    : { header: message.header };
}

/** Pixel values from raw little-endian bytes, nested by shape, as NumPy's tolist() gives them. */
function pixelValues(data: Uint8Array, dtype: string, shape: readonly number[]): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read: Record<string, [number, (offset: number) => number]> = {
    uint16: [2, (o) => view.getUint16(o, true)],
    float32: [4, (o) => view.getFloat32(o, true)],
  };
  const [size, at] = read[dtype]!;
  const flat = Array.from({ length: data.byteLength / size }, (_, i) => at(i * size));
  const nest = (values: number[], dims: readonly number[]): unknown => {
    if (dims.length <= 1) return values;
    const step = values.length / dims[0]!;
    return Array.from({ length: dims[0]! }, (_, i) =>
      nest(values.slice(i * step, (i + 1) * step), dims.slice(1)),
    );
  };
  return nest(flat, shape);
}

describe("relay → client vectors", () => {
  it("covers every message type the relay sends", () => {
    const types = relayVectors.map((name) => (load(name) as RelayVector).expected.header.type);
    expect(new Set(types)).toEqual(
      new Set([
        "item",
        "welcome",
        "gap",
        "end",
        "run_started",
        "heartbeat",
        "error",
        "files",
        "file",
      ]),
    );
  });

  it.each(relayVectors)("%s decodes into its stated header and payload", (name) => {
    const vector = load(name) as RelayVector;
    const decoded = meaning(decodeRelayMessage(frames(vector.frames_base64)));
    const expected: Record<string, unknown> = { header: vector.expected.header };
    if (vector.expected.payload_hex !== undefined) {
      expected.payload_hex = vector.expected.payload_hex;
    }
    expect(decoded).toEqual(expected);
  });

  it.each(relayVectors.filter((name) => name.startsWith("item-image")))(
    "%s becomes a ResultImage whose pixels read back as the stated values",
    (name) => {
      const vector = load(name) as RelayVector;
      const message = decodeRelayMessage(frames(vector.frames_base64));
      if (message.type !== "item") throw new Error("not an item");
      const item = toResultItem(message);
      if (item.kind !== "image") throw new Error("not an image");
      expect(pixelValues(item.data, item.dtype, item.shape)).toEqual(vector.expected.pixels);
      const header = vector.expected.header as {
        seq: number;
        components: Record<string, unknown>;
        producer: Record<string, unknown>;
      };
      expect(item).toMatchObject({
        seq: header.seq,
        well: header.components.well,
        site: header.components.site,
        channel: header.components.channel,
        z: header.components.z_index,
        timepoint: header.components.timepoint,
        step: header.producer.step_name,
        stepIndex: header.producer.pipeline_position,
        componentNames: { channel: "DAPI" },
      });
    },
  );

  it("turns the shapes vector into a ResultShapes with the polygon on the image grid", () => {
    const message = decodeRelayMessage(
      frames((load("item-shapes.json") as RelayVector).frames_base64),
    );
    if (message.type !== "item") throw new Error("not an item");
    const item = toResultItem(message);
    expect(item).toMatchObject({
      kind: "shapes",
      seq: 3,
      well: "A01",
      channel: 2,
      shapes: [
        {
          type: "polygon",
          coordinates: [
            [1.5, 2],
            [1.5, 6],
            [4, 4],
          ],
          metadata: { name: "cell-1" },
        },
      ],
    });
  });
});

describe("client → relay vectors", () => {
  const cases = (load("client-messages.json") as { cases: ClientCase[] }).cases;

  it.each(cases.map((c, i) => [i, c] as const))(
    "case %i is judged as the relay judges it",
    (_i, vector) => {
      const input = frames(vector.frames_base64);
      if ("message" in vector.expected) {
        expect(parseClientMessage(input)).toEqual(vector.expected.message);
      } else {
        const error = (() => {
          try {
            parseClientMessage(input);
          } catch (caught) {
            return caught;
          }
          return null;
        })();
        expect(error).toBeInstanceOf(ClientMessageError);
        expect(error).toMatchObject({
          relayCode: vector.expected.error.code,
          field: vector.expected.error.field,
        });
      }
    },
  );

  it("builds the same messages the accepted vectors hold", () => {
    const accepted = cases
      .filter((c) => "message" in c.expected)
      .map((c) => parseClientMessage(frames(c.frames_base64)));
    const ours = [
      helloMessage(1, "ts"),
      subscribeMessage("3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10", 13),
      creditMessage(16, 67108864),
      pingMessage(7),
      byeMessage(),
      listFilesMessage("3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10", 2, "results"),
      fetchFileMessage(
        "3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10",
        3,
        "results/A01_cell_counts_step2_details.csv",
      ),
    ].map((frame) => JSON.parse(new TextDecoder().decode(frame)) as unknown);
    expect(ours).toEqual(accepted);
  });

  it("refuses to build a message the relay would refuse", () => {
    expect(() => subscribeMessage("run", 0)).toThrow(ClientMessageError);
    expect(() => creditMessage(1.5, 0)).toThrow(/items/);
    expect(() => subscribeMessage("x".repeat(201), 1)).toThrow(/execution_id/);
    expect(() => fetchFileMessage("run", 1, "")).toThrow(/path/);
  });
});

describe("routing vectors", () => {
  const cases = (load("routing.json") as { cases: RoutingCase[] }).cases;

  it.each(cases.map((c, i) => [i, c] as const))(
    "case %i writes exactly the code the vector holds",
    (_i, vector) => {
      const routed = routeToRelay(vector.pipeline_code, vector.config_code, {
        host: vector.host,
        port: vector.port,
      });
      expect(routed.pipelineCode).toBe(vector.expected_pipeline_code);
      expect(routed.configCode).toBe(vector.expected_config_code);
    },
  );

  it("recognises routed config code, so that code the Python shim routed is not routed twice", () => {
    for (const vector of cases) {
      expect(isRoutedToRelay(vector.expected_config_code)).toBe(true);
      expect(isRoutedToRelay(vector.config_code ?? "")).toBe(false);
    }
  });

  it("refuses a host or port that would not be plain text in the code", () => {
    expect(() =>
      routeToRelay("pipeline_steps = []\n", null, { host: 'x"; import os', port: 5555 }),
    ).toThrow(/host/);
    expect(() => routeToRelay("pipeline_steps = []\n", null, { port: 64536 })).toThrow(/port/);
  });
});

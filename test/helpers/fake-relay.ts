/**
 * A fake relay stream socket (a ROUTER), for faults the real relay will not produce: malformed
 * headers, payloads that do not match, duplicate or skipped seqs, a new incarnation. It answers
 * `hello` with a `welcome` and hands every other client message to the test, which scripts what
 * the relay sends back.
 *
 * ```ts
 * const relay = await startFakeRelay();
 * relay.onMessage = (message) => { if (message.type === "subscribe") relay.sendItem(1); };
 * ```
 */
import { Router } from "zeromq";

/** A client message as the fake received it (parsed JSON). */
export type ClientMessage = Record<string, unknown> & { readonly type: string };

/** Limits the fake's welcome announces. */
export const FAKE_LIMITS = {
  max_header_bytes: 16 * 1024 * 1024,
  max_payload_bytes: 2 * 1024 * 1024 * 1024,
  max_client_message_bytes: 65536,
  max_credit_items: 256,
  max_credit_bytes: 256 * 1024 * 1024,
  heartbeat_interval_ms: 200,
  session_timeout_ms: 30_000,
};

export const FAKE_RUN = "3f2a9c1e-0b7d-4c55-9a51-0d2f6e8b7a10";

/** A running fake relay. */
export interface FakeRelay {
  readonly port: number;
  /** Every client message, in order. */
  readonly received: ClientMessage[];
  incarnation: string;
  spoolId: string;
  /** Answer hellos at all (a silent fake never welcomes). */
  welcomes: boolean;
  /** Called for every client message after the fake's own handling. */
  onMessage: (message: ClientMessage) => void;
  /** Send raw frames to the (last) client. */
  send(frames: (string | Uint8Array)[]): Promise<void>;
  /** Send a JSON header (plus optional payload). */
  sendJson(header: Record<string, unknown>, payload?: Uint8Array): Promise<void>;
  /** Send a well-formed 2×3 uint16 image item with this seq. */
  sendItem(seq: number, executionId?: string): Promise<void>;
  /** Resolve when a message of this type (matching `where`) arrives. */
  next(type: string, where?: (message: ClientMessage) => boolean): Promise<ClientMessage>;
  close(): void;
}

/** A valid image header for `seq` (pixels: {@link itemPayload}). */
export function itemHeader(seq: number, executionId = FAKE_RUN): Record<string, unknown> {
  return {
    type: "item",
    execution_id: executionId,
    seq,
    kind: "image",
    data_type: "image",
    image_id: `image-${seq}`,
    path: `/plate_openhcs/images/A01_s${String(seq).padStart(3, "0")}_w1_z001_t001.tif`,
    components: { well: "A01", site: seq, channel: 1, z_index: 1, timepoint: 1 },
    component_names: {},
    producer: { step_name: "normalize", pipeline_position: 0 },
    received_at: 0,
    shape: [2, 3],
    dtype: "uint16",
    nbytes: 12,
    order: "C",
    byte_order: "little",
  };
}

/** 12 bytes whose first value is the seq, so a test can tell items apart. */
export function itemPayload(seq: number): Uint8Array {
  const data = new Uint16Array([seq, 1, 2, 3, 4, 5]);
  return new Uint8Array(data.buffer);
}

/** Start a fake relay on 127.0.0.1 and a free port. */
export async function startFakeRelay(): Promise<FakeRelay> {
  const router = new Router({ linger: 0 });
  await router.bind("tcp://127.0.0.1:0");
  const port = Number(router.lastEndpoint?.split(":").pop());
  let peer: Buffer | null = null;
  const waiters: {
    type: string;
    where: (m: ClientMessage) => boolean;
    resolve: (m: ClientMessage) => void;
  }[] = [];
  let sending = Promise.resolve();
  const fake: FakeRelay = {
    port,
    received: [],
    incarnation: "incarnation-1",
    spoolId: "spool-1",
    welcomes: true,
    onMessage: () => undefined,
    send(frames) {
      const to = peer;
      if (to === null) return Promise.reject(new Error("no client yet"));
      sending = sending.then(() => router.send([to, ...frames]));
      return sending;
    },
    sendJson(header, payload) {
      const head = JSON.stringify(header);
      return fake.send(payload === undefined ? [head] : [head, payload]);
    },
    sendItem(seq, executionId = FAKE_RUN) {
      return fake.sendJson(itemHeader(seq, executionId), itemPayload(seq));
    },
    next(type, where = () => true) {
      return new Promise((resolve) => waiters.push({ type, where, resolve }));
    },
    close() {
      router.close();
    },
  };
  void (async () => {
    try {
      for await (const [identity, frame] of router) {
        if (identity === undefined || frame === undefined) continue;
        peer = identity;
        const message = JSON.parse(frame.toString("utf8")) as ClientMessage;
        fake.received.push(message);
        if (message.type === "hello" && fake.welcomes) {
          await fake.sendJson({
            type: "welcome",
            nonce: message.nonce,
            protocol: 1,
            incarnation: fake.incarnation,
            spool_id: fake.spoolId,
            relay_version: "fake",
            limits: FAKE_LIMITS,
            runs: [],
          });
        }
        for (const waiter of waiters.filter((w) => w.type === message.type && w.where(message))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
        fake.onMessage(message);
      }
    } catch {
      // Closed by the test.
    }
  })();
  return fake;
}

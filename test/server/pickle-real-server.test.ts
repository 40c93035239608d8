import { describe, expect, inject, it } from "vitest";
import { Request } from "zeromq";

import {
  decodePickle,
  encodePickle,
  isPickleDict,
  type PickleDict,
  type PickleValue,
} from "../../src/protocol/index.js";

/**
 * The codec against the real OpenHCS execution server (openhcs-remote-server on loopback): our
 * pickles must load in its `pickle.loads` (a bad frame would kill it), and its replies must
 * decode. Uses the `server` project's shared server.
 */
describe("the pickle codec against the real OpenHCS execution server", () => {
  const server = inject("openhcs");

  /** One request on a fresh REQ socket, as OpenHCS's own client does. */
  async function call(request: unknown, protocol: 2 | 3 | 4 | 5 = 4): Promise<PickleDict> {
    const socket = new Request({ linger: 0, receiveTimeout: 10_000, sendTimeout: 10_000 });
    try {
      socket.connect(`tcp://${server.host}:${server.controlPort}`);
      await socket.send(encodePickle(request, { protocol }));
      const [frame] = await socket.receive();
      if (frame === undefined) throw new Error("empty reply");
      const reply: PickleValue = decodePickle(frame);
      if (!isPickleDict(reply)) throw new Error("reply is not a str-keyed dict");
      return reply;
    } finally {
      socket.close();
    }
  }

  it.each([2, 3, 4, 5] as const)("gets a pong for a protocol %i ping", async (protocol) => {
    const pong = await call({ type: "ping" }, protocol);
    expect(pong).toMatchObject({
      type: "pong",
      ready: true,
      server_role: "execution",
      port: server.port,
      control_port: server.controlPort,
      control_capabilities: expect.arrayContaining(["ping"]) as unknown,
    });
    expect(pong.application).toMatchObject({ application_id: "openhcs" });
    expect(typeof pong.uptime).toBe("number");
    expect(pong.running_executions).toEqual([]);
  });

  it("decodes the status of the whole server", async () => {
    const status = await call({ type: "status" });
    // The shared server may have run other tests' pipelines: check shapes, not counts.
    expect(status).toMatchObject({ status: "ok" });
    expect(typeof status.active_executions).toBe("number");
    expect(Array.isArray(status.executions)).toBe(true);
    expect((status.executions as PickleValue[]).every((id) => typeof id === "string")).toBe(true);
    expect(typeof status.uptime).toBe("number");
  });

  it("carries non-ASCII and astral text both ways (an unknown execution id comes back in the error)", async () => {
    const id = "nope-ünïcödé-😀-\u2028";
    expect(await call({ type: "status", execution_id: id })).toEqual(
      expect.objectContaining({ status: "error", error: `Execution ${id} not found` }),
    );
  });

  it("echoes a client id through register_progress", async () => {
    const reply = await call({ type: "register_progress", client_id: "codec-test-ü" });
    expect(reply).toMatchObject({ status: "ok", client_id: "codec-test-ü" });
    await call({ type: "unregister_progress", client_id: "codec-test-ü" });
  });

  it.each([
    [{ type: "execute" }, /plate_id/],
    [{ type: "execute", plate_id: "/nonexistent", pipeline_code: "x = 1" }, /config/],
    [
      {
        type: "execute",
        plate_id: "/nonexistent",
        pipeline_code: "x = 1",
        config_code: "config = None",
        compile_only: true,
        compile_artifact_id: "abc",
      },
      /compile_only and compile_artifact_id/,
    ],
  ])(
    "gets a readable error for an execute request with bad fields (%o)",
    async (request, message) => {
      const reply = await call(request);
      expect(reply.status).toBe("error");
      const text = reply.error ?? reply.message;
      expect(typeof text).toBe("string");
      expect(text as string).toMatch(message);
    },
  );

  it("survives a pickled non-dict and an unknown type, and still answers a ping", async () => {
    const list = await call(["not", "a", "dict"]);
    expect(list).toMatchObject({ status: "error", type: "error" });
    expect(await call({ type: "no-such-type" })).toMatchObject({
      status: "error",
      error: "Unknown message type: no-such-type",
    });
    expect((await call({ type: "ping" })).type).toBe("pong");
  });
});

/**
 * Faults the real OpenHCS server will not produce, from a fake control socket. Each gives its
 * named error, names the address, and leaves the client usable for the next request.
 *
 *   RemoteOrchestrator ──REQ──▶ fake ROUTER (port+1000): silent | garbage | unsafe | wrong shape | drop
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ConnectionClosedError,
  ProtocolError,
  RemoteOrchestrator,
  RequestTimeoutError,
} from "../../src/orchestrator/index.js";
import { UnsafePickleError } from "../../src/protocol/index.js";
import {
  replyWith,
  startFakeControlServer,
  type FakeAction,
  type FakeControlServer,
} from "../helpers/fake-control-server.js";

const PONG = {
  type: "pong",
  port: 1,
  control_port: 1001,
  ready: true,
  server: "ZMQExecutionServer",
  server_type: "execution",
  server_role: "execution",
  application: { application_id: "openhcs", application_version: "0.8.6" },
};

/** A fake that misbehaves on its first request, then answers pings properly. */
async function fakeFailingOnce(fault: FakeAction): Promise<FakeControlServer> {
  let first = true;
  return startFakeControlServer(() => {
    if (first) {
      first = false;
      return fault;
    }
    return replyWith({ ...PONG });
  });
}

describe("RemoteOrchestrator against a misbehaving server", () => {
  let fake: FakeControlServer | null = null;
  let orch: RemoteOrchestrator | null = null;
  afterEach(async () => {
    orch?.close();
    await fake?.close();
  });

  async function pingTwice(
    fault: FakeAction,
  ): Promise<{ failure: unknown; address: string; second: unknown }> {
    fake = await fakeFailingOnce(fault);
    orch = new RemoteOrchestrator({
      serverHost: "127.0.0.1",
      serverPort: fake.port,
      timeoutMs: 600,
      retries: 0,
    });
    const failure = await orch.ping().catch((error: unknown) => error);
    await fake.listening; // a fake that dropped its connections listens again first
    const second = await orch.ping();
    return { failure, address: `127.0.0.1:${fake.port + 1000}`, second };
  }

  it("rejects with RequestTimeoutError when the server never replies, then works again", async () => {
    const { failure, address, second } = await pingTwice({ silent: true });
    expect(failure).toBeInstanceOf(RequestTimeoutError);
    expect((failure as Error).message).toBe(`'ping' to ${address} got no reply within 600 ms`);
    expect(second).toMatchObject({ type: "pong" });
  });

  it("rejects with ProtocolError when the reply is not a pickle", async () => {
    const { failure, address, second } = await pingTwice({
      reply: new TextEncoder().encode('{"type": "pong"}'),
    });
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^malformed reply to 'ping' .* from ${address}$`),
    );
    expect(second).toMatchObject({ type: "pong" });
  });

  it("refuses an unsafe pickle without running it, naming the opcode", async () => {
    const evil = new TextEncoder().encode("cos\nsystem\n(S'touch /tmp/ohr-pwned'\ntR.");
    const { failure, second } = await pingTwice({ reply: evil });
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).cause).toBeInstanceOf(UnsafePickleError);
    expect((failure as Error).message).toContain("GLOBAL");
    expect(second).toMatchObject({ type: "pong" });
  });

  it("names the field when a reply has the wrong shape", async () => {
    const { failure, second } = await pingTwice(
      replyWith({ ...PONG, port: "seven", ready: "yes" }),
    );
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).message).toContain("field port");
    expect(second).toMatchObject({ type: "pong" });
  });

  it("rejects with ConnectionClosedError when the server drops the connection mid-request", async () => {
    const { failure, address, second } = await pingTwice({ disconnect: true });
    expect(failure).toBeInstanceOf(ConnectionClosedError);
    expect((failure as Error).message).toBe(
      `${address} closed the connection before replying to 'ping'`,
    );
    expect(second).toMatchObject({ type: "pong" });
  });

  it("never sends execute twice when its reply is lost: it finds the run by its token", async () => {
    let executes = 0;
    let token = "";
    fake = await startFakeControlServer((request) => {
      switch (request.type) {
        case "ping":
          return replyWith({ ...PONG });
        case "execute":
          executes += 1;
          token = String(request.client_address);
          return { silent: true }; // the run is queued, but the reply is lost
        case "status":
          if (request.execution_id === undefined) {
            return replyWith({ status: "ok", executions: ["older-run", "lost-reply-run"] });
          }
          return replyWith({
            status: "ok",
            execution: {
              execution_id: request.execution_id,
              plate_id: "/plate",
              client_address: request.execution_id === "lost-reply-run" ? token : "someone-else",
              status: "queued",
            },
          });
        default:
          return replyWith({ status: "error", error: `unexpected ${String(request.type)}` });
      }
    });
    orch = new RemoteOrchestrator({
      serverHost: "127.0.0.1",
      serverPort: fake.port,
      timeoutMs: 500,
      retries: 3,
      onWarning: () => undefined,
    });
    const executionId = await orch.executeRemote({
      plateId: "/plate",
      pipelineCode: "pipeline_steps = []",
      configCode: "config = None",
    });
    expect(executionId).toBe("lost-reply-run");
    expect(executes).toBe(1);
    expect(token).toMatch(/^openhcs-remote:[0-9a-f-]{36}$/);
  });

  it("sends execute again only after the server confirms it does not have the run", async () => {
    let executes = 0;
    fake = await startFakeControlServer((request) => {
      if (request.type === "ping") return replyWith({ ...PONG });
      if (request.type === "execute") {
        executes += 1;
        return executes === 1
          ? { silent: true }
          : replyWith({ status: "accepted", execution_id: "second-try", message: "queued" });
      }
      return replyWith({ status: "ok", executions: [] }); // it never saw the first one
    });
    orch = new RemoteOrchestrator({
      serverHost: "127.0.0.1",
      serverPort: fake.port,
      timeoutMs: 500,
      retries: 3,
      onWarning: () => undefined,
    });
    const executionId = await orch.executeRemote({
      plateId: "/plate",
      pipelineCode: "pipeline_steps = []",
      configCode: "config = None",
    });
    expect(executionId).toBe("second-try");
    expect(executes).toBe(2);
    expect(fake.requests.map((r) => r.type)).toEqual(["ping", "execute", "status", "execute"]);
  });
});

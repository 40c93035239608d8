import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CommandAbortedError,
  CommandFailedError,
  CommandTimeoutError,
} from "../../src/widget/state/widget-errors.js";
import { COMMAND_TIMEOUT_MS, invoke } from "../../src/widget/model/invoke.js";
import { MockModel } from "./helpers/mock-model.js";

describe("invoke(), a command to the shim", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves with the reply that carries its id, and its buffers as DataViews", async () => {
    const model = new MockModel();
    model.onSend = ({ content }) => {
      model.kernelSend({ kind: "ohr-reply", id: "someone-else", ok: true, result: "not mine" });
      model.kernelSend({ kind: "ohr-reply", id: content.id, ok: true, result: { count: 3 } }, [
        new Uint8Array([7, 8]),
      ]);
    };
    const reply = await invoke(model, "replay_previews", {});
    expect(reply.result).toEqual({ count: 3 });
    expect(reply.buffers[0]).toBeInstanceOf(DataView);
    expect([reply.buffers[0]?.getUint8(0), reply.buffers[0]?.getUint8(1)]).toEqual([7, 8]);
    expect(model.sent[0]?.content).toMatchObject({
      kind: "ohr-command",
      name: "replay_previews",
      args: {},
    });
    expect(model.listenerCount("msg:custom")).toBe(0);
  });

  it(`rejects with CommandTimeoutError after ${COMMAND_TIMEOUT_MS} ms and stops listening`, async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const model = new MockModel();
    const pending = invoke(model, "cancel", {});
    const outcome = pending.catch((e: unknown) => e);
    expect(model.listenerCount("msg:custom")).toBe(1);
    await vi.advanceTimersByTimeAsync(COMMAND_TIMEOUT_MS);
    const error = await outcome;
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).code).toBe("ERR_COMMAND_TIMEOUT");
    expect((error as Error).message).toContain("'cancel'");
    expect(model.listenerCount("msg:custom")).toBe(0);
  });

  it("rejects with CommandAbortedError when its signal aborts, and stops listening", async () => {
    const model = new MockModel();
    const abort = new AbortController();
    const pending = invoke(model, "fetch_plane", { well: "A01" }, { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(CommandAbortedError);
    expect(model.listenerCount("msg:custom")).toBe(0);
  });

  it("rejects with CommandFailedError carrying the shim's code when the reply is not ok", async () => {
    const model = new MockModel();
    model.onSend = ({ content }) => {
      model.kernelSend({
        kind: "ohr-reply",
        id: content.id,
        ok: false,
        error: { code: "ERR_NO_RUN", message: "gone" },
      });
    };
    const error = await invoke(model, "cancel", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toMatchObject({
      code: "ERR_COMMAND_FAILED",
      remoteCode: "ERR_NO_RUN",
      remoteMessage: "gone",
    });
  });
});

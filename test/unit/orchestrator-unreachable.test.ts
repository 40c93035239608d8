import { describe, expect, it } from "vitest";
import { RemoteOrchestrator, ServerUnreachableError } from "../../src/orchestrator/index.js";
import { freePortPair } from "../helpers/ports.js";

describe("RemoteOrchestrator when no server listens", () => {
  it("rejects connect with ServerUnreachableError within the timeout", async () => {
    const port = await freePortPair();
    const orch = new RemoteOrchestrator({
      serverHost: "127.0.0.1",
      serverPort: port,
      timeoutMs: 1000,
      retries: 0,
    });
    const started = Date.now();
    const failure = await orch.connect().catch((error: unknown) => error);
    const took = Date.now() - started;
    orch.close();
    expect(failure).toBeInstanceOf(ServerUnreachableError);
    expect((failure as ServerUnreachableError).code).toBe("ERR_SERVER_UNREACHABLE");
    expect((failure as Error).message).toContain(`127.0.0.1:${port + 1000}`);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
  });

  it("retries with backoff before giving up, and says so", async () => {
    const port = await freePortPair();
    const warnings: string[] = [];
    const orch = new RemoteOrchestrator({
      serverHost: "127.0.0.1",
      serverPort: port,
      timeoutMs: 300,
      retries: 2,
      onWarning: (warning) => warnings.push(warning.code),
    });
    const started = Date.now();
    await expect(orch.connect()).rejects.toBeInstanceOf(ServerUnreachableError);
    orch.close();
    // Three attempts of 300 ms plus backoffs of 250 and 500 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 300 + 750 - 100);
    expect(warnings).toEqual(["retry", "retry"]);
  });
});

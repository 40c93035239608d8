import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator, RunLostError } from "../../src/orchestrator/index.js";
import { startOpenhcsServer, type StartedServer } from "../helpers/openhcs-server.js";
import { CONFIG_ONE_WORKER, PIPELINE_NORMALIZE_PROJECT_COUNT } from "../helpers/pipelines.js";

const shared = inject("openhcs");

describe("RemoteOrchestrator when the server is killed mid-run", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startOpenhcsServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("rejects with RunLostError within 10 s instead of hanging", async () => {
    const orch = new RemoteOrchestrator({ serverHost: server.host, serverPort: server.port });
    try {
      await orch.connect();
      const executionId = await orch.executeRemote({
        plateId: shared.slowPlate,
        pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
        configCode: CONFIG_ONE_WORKER,
      });
      let killedAt = 0;
      const waiting = orch.wait(executionId, {
        onProgress: (snapshot) => {
          if (killedAt === 0 && snapshot.phase === "running") {
            killedAt = Date.now();
            // The server and its workers share a process group (openhcs-remote-server starts it so).
            process.kill(-server.serverPid, "SIGKILL");
          }
        },
      });
      const failure = await waiting.catch((error: unknown) => error);
      const noticedAfterMs = Date.now() - killedAt;
      expect(killedAt).toBeGreaterThan(0);
      expect(failure).toBeInstanceOf(RunLostError);
      expect((failure as RunLostError).message).toContain(executionId);
      expect((failure as RunLostError).message).toContain(`${server.host}:${server.controlPort}`);
      console.info(`run-lost noticed ${noticedAfterMs} ms after the kill`);
      expect(noticedAfterMs).toBeLessThan(10_000);
    } finally {
      orch.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  RemoteOrchestrator,
  RunLostError,
  SERVER_SILENT_NOTICE_MS,
} from "../../src/orchestrator/index.js";
import { startOpenhcsServer, type StartedServer } from "../helpers/openhcs-server.js";
import { CONFIG_ONE_WORKER, PIPELINE_NORMALIZE_PROJECT_COUNT } from "../helpers/pipelines.js";

const shared = inject("openhcs");

/** Connect and submit the one-worker normalize pipeline on `plateId`; its execution id. */
async function submit(orch: RemoteOrchestrator, plateId: string): Promise<string> {
  await orch.connect();
  return orch.executeRemote({
    plateId,
    pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
    configCode: CONFIG_ONE_WORKER,
  });
}

describe("RemoteOrchestrator when the server goes silent mid-run", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startOpenhcsServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("reports a paused server silent, then back, and the run completes", async () => {
    const orch = new RemoteOrchestrator({ serverHost: server.host, serverPort: server.port });
    try {
      const executionId = await submit(orch, shared.smallPlate);
      const reports: (number | null)[] = [];
      let paused = false;
      const outcome = await orch.wait(executionId, {
        onProgress: (snapshot) => {
          if (paused || snapshot.phase !== "running") return;
          paused = true;
          // The server and its workers share a process group: a laptop's link down for 9 s
          // looks the same from here (nothing answers, nothing is sent).
          process.kill(-server.serverPid, "SIGSTOP");
          setTimeout(() => process.kill(-server.serverPid, "SIGCONT"), 9000);
        },
        onServerSilent: (silentMs) => reports.push(silentMs),
      });
      expect(outcome.record.status).toBe("complete");
      expect(reports).toHaveLength(2);
      expect(reports[0]).toBeGreaterThanOrEqual(SERVER_SILENT_NOTICE_MS);
      expect(reports[1]).toBeNull();
    } finally {
      if (server.serverPid > 0) process.kill(-server.serverPid, "SIGCONT");
      orch.close();
    }
  });

  it("rejects with RunLostError within 10 s of a kill when told to wait 6 s", async () => {
    const orch = new RemoteOrchestrator({ serverHost: server.host, serverPort: server.port });
    try {
      const executionId = await submit(orch, shared.slowPlate);
      let killedAt = 0;
      const waiting = orch.wait(executionId, {
        lostAfterMs: 6000,
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

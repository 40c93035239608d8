/**
 * IPC, for a client on the server's own host: `openhcs-remote-server --transport ipc` and
 * `new RemoteOrchestrator({ transport: "ipc" })` meet at the same socket files, and a run goes
 * through to `complete` with its progress — nothing listens on TCP.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator } from "../../src/orchestrator/index.js";
import { serverEndpoint } from "../../src/orchestrator/server-endpoint.js";
import { runCli } from "../helpers/cli.js";
import { startOpenhcsServer, type StartedServer } from "../helpers/openhcs-server.js";
import { CONFIG_ONE_WORKER, PIPELINE_NORMALIZE_PROJECT_COUNT } from "../helpers/pipelines.js";
import { canConnectTcp } from "../helpers/ports.js";

const shared = inject("openhcs");

describe("RemoteOrchestrator over IPC to the real OpenHCS execution server", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startOpenhcsServer({ extraArgs: ["--transport", "ipc", "--no-relay"] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("finds the server's sockets where OpenHCS put them, and nothing on TCP", async () => {
    const endpoint = serverEndpoint({ serverHost: "", serverPort: server.port, transport: "ipc" });
    expect(server.ready.execution).toMatchObject({
      transport: "ipc",
      control_address: endpoint.controlUrl,
      address: endpoint.dataUrl,
    });
    expect(existsSync(endpoint.controlAddress)).toBe(true);
    expect(await canConnectTcp("127.0.0.1", server.controlPort)).toBe(false);
  });

  it("handshakes and runs a pipeline to complete with progress for every well", async () => {
    const orch = new RemoteOrchestrator({
      serverHost: "localhost",
      serverPort: server.port,
      transport: "ipc",
    });
    try {
      const info = await orch.connect();
      expect(info.application).toBe("openhcs");
      const wellsSeen = new Set<string>();
      const outcome = await orch.runRemotePipeline({
        plateId: shared.smallPlate,
        pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
        configCode: CONFIG_ONE_WORKER,
        onProgress: (_snapshot, event) => {
          if (event.phase === "axis_completed" && event.axis_id !== "") {
            wellsSeen.add(event.axis_id);
          }
        },
      });
      expect(outcome.record.status).toBe("complete");
      expect([...wellsSeen].sort()).toEqual(["A01", "A02", "B01"]);
      expect(outcome.progress.wellsDone).toBe(3);
    } finally {
      orch.close();
    }
  });

  it("is what `openhcs-remote ping --ipc` reaches", async () => {
    const { code, stdout } = await runCli(["ping", `localhost:${String(server.port)}`, "--ipc"]);
    expect(code).toBe(0);
    expect(stdout).toContain("ZMQExecutionServer (openhcs 0.8.6)");
  });
});

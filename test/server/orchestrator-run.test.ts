import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator, type RunProgressSnapshot } from "../../src/orchestrator/index.js";
import type { ProgressEvent } from "../../src/protocol/progress-event.js";
import { CONFIG_ONE_WORKER, PIPELINE_NORMALIZE_PROJECT_COUNT } from "../helpers/pipelines.js";

const shared = inject("openhcs");

describe("RemoteOrchestrator against the real OpenHCS execution server", () => {
  let orch: RemoteOrchestrator;
  afterEach(() => {
    orch.close();
  });

  it("handshakes and reports the application, version and queue", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    const info = await orch.connect();
    expect(info.application).toBe("openhcs");
    expect(info.version).toBe("0.8.6");
    expect(info.server).toBe("ZMQExecutionServer");
    expect(info.ready).toBe(true);
    expect(info.processId).toBe(shared.serverPid);
    expect(Array.isArray(info.running)).toBe(true);
  });

  it("runs a three-step pipeline to complete, with progress for every well and outputs on disk", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    const events: ProgressEvent[] = [];
    const snapshots: RunProgressSnapshot[] = [];
    let acceptedId: string | null = null;
    const outcome = await orch.runRemotePipeline({
      plateId: shared.smallPlate,
      pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
      configCode: CONFIG_ONE_WORKER,
      onSubmitted: (id) => (acceptedId = id),
      onProgress: (snapshot, event) => {
        snapshots.push(snapshot);
        events.push(event);
      },
    });

    expect(outcome.record.status).toBe("complete");
    expect(outcome.executionId).toBe(acceptedId);
    expect(events.every((event) => event.execution_id === outcome.executionId)).toBe(true);

    const wells = ["A01", "A02", "B01"];
    for (const well of wells) {
      const mine = events.filter((event) => event.axis_id === well);
      expect(mine.map((event) => event.phase)).toContain("axis_started");
      expect(
        mine.some((event) => event.phase === "axis_completed" && event.status === "success"),
      ).toBe(true);
      expect(
        new Set(mine.filter((e) => e.phase === "step_completed").map((e) => e.step_name)),
      ).toEqual(new Set(["normalize", "z_projection", "count_cells"]));
    }
    const last = outcome.progress;
    expect(last.wellsDone).toBe(3);
    expect(last.wellsTotal).toBe(3);
    expect(last.fraction).toBe(1);
    expect(last.stepNames).toEqual(["normalize", "z_projection", "count_cells"]);
    // The fraction only grows, and an ETA was quoted while wells were running.
    const fractions = snapshots.map((s) => s.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(snapshots.some((s) => s.phase === "running" && s.etaMs !== null && s.etaMs > 0)).toBe(
      true,
    );

    const output = outcome.record.results_summary?.output_plate_root;
    expect(output).toBe(`${shared.smallPlate}_openhcs`);
    const images = readdirSync(join(output!, "images"));
    for (const well of wells) {
      // 2 sites × 2 channels, z flattened to one plane.
      expect(
        images.filter((name) => name.startsWith(`${well}_`) && name.endsWith(".tif")),
      ).toHaveLength(4);
    }
    expect(existsSync(join(output!, "results"))).toBe(true);
  });

  it("streams validated progress events of one run through progress()", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    await orch.connect();
    const executionId = await orch.executeRemote({
      plateId: shared.smallPlate,
      pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
      configCode: CONFIG_ONE_WORKER,
    });
    const phases: string[] = [];
    for await (const event of orch.progress(executionId)) {
      expect(event.execution_id).toBe(executionId);
      phases.push(event.phase);
      if (event.axis_id === "" && event.phase === "success") break;
    }
    expect(phases).toContain("compile");
    expect(phases).toContain("axis_completed");
    expect((await orch.status(executionId)).status).toBe("complete");
  });
});

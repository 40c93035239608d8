import { afterEach, describe, expect, inject, it } from "vitest";
import {
  RemoteOrchestrator,
  RunCancelledError,
  RunFailedError,
  ServerError,
} from "../../src/orchestrator/index.js";
import {
  CONFIG_ONE_WORKER,
  PIPELINE_NORMALIZE_PROJECT_COUNT,
  PIPELINE_WITH_NAME_ERROR,
  PIPELINE_WITH_STEP_ERROR,
} from "../helpers/pipelines.js";

const shared = inject("openhcs");

describe("RemoteOrchestrator when a run goes wrong on the real server", () => {
  let orch: RemoteOrchestrator;
  afterEach(() => {
    orch.close();
  });

  it("rejects with RunFailedError carrying the Python traceback of a failing step", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    const failure = await orch
      .runRemotePipeline({
        plateId: shared.smallPlate,
        pipelineCode: PIPELINE_WITH_STEP_ERROR,
        configCode: CONFIG_ONE_WORKER,
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailedError);
    const error = failure as RunFailedError;
    expect(error.code).toBe("ERR_RUN_FAILED");
    expect(error.message).toContain(`${shared.host}:${shared.controlPort}`);
    expect(error.message).toContain(error.place.executionId);
    expect(error.serverMessage).toMatch(/not supported for the input types/);
    expect(error.serverTraceback).toMatch(/^Traceback \(most recent call last\)/);
    expect(error.serverTraceback).toContain("stack_percentile_normalize");
  });

  it("rejects with the NameError of pipeline code the server cannot build", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    const failure = await orch
      .runRemotePipeline({
        plateId: shared.smallPlate,
        pipelineCode: PIPELINE_WITH_NAME_ERROR,
        configCode: CONFIG_ONE_WORKER,
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailedError);
    expect((failure as RunFailedError).serverMessage).toContain("undefined_step_factory");
    expect((failure as RunFailedError).serverTraceback).toContain("NameError");
  });

  it("gets ServerError naming the field when execute lacks one", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    const failure = await orch
      .executeRemote({ plateId: "", pipelineCode: "", configCode: "" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServerError);
    expect((failure as ServerError).message).toMatch(/plate_id|pipeline_code/);
  });

  it("cancels a running run: status turns cancelled and wait rejects with RunCancelledError", async () => {
    orch = new RemoteOrchestrator({ serverHost: shared.host, serverPort: shared.port });
    await orch.connect();
    const executionId = await orch.executeRemote({
      plateId: shared.slowPlate,
      pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
      configCode: CONFIG_ONE_WORKER,
    });
    let cancelSent = false;
    const waiting = orch.wait(executionId, {
      onProgress: (snapshot) => {
        if (!cancelSent && snapshot.phase === "running") {
          cancelSent = true;
          void orch.cancel(executionId);
        }
      },
    });
    await expect(waiting).rejects.toBeInstanceOf(RunCancelledError);
    expect(cancelSent).toBe(true);
    expect((await orch.status(executionId)).status).toBe("cancelled");
    // The server goes back to work: the cancelled run stops at its next well boundary.
    const deadline = Date.now() + 120_000;
    while ((await orch.serverStatus()).running_executions?.length !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await orch.serverStatus()).running_executions).toEqual([]);
  });
});

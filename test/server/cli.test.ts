import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import { PIPELINE_WITH_STEP_ERROR } from "../helpers/pipelines.js";
import { REPO_ROOT } from "../helpers/python.js";

const shared = inject("openhcs");
const server = `${shared.host}:${shared.port}`;
const pipeline = join(REPO_ROOT, "examples", "pipelines", "normalize_project_count.py");
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");

describe("openhcs-remote against the real server", () => {
  it("ping names the server, its application and version", async () => {
    const { code, stdout } = await runCli(["ping", server]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^${shared.host}:${shared.controlPort}: ZMQExecutionServer \\(openhcs 0\\.8\\.6\\)`,
      ),
    );
  });

  it("run --json reports accepted, per-well progress and complete, and status agrees", async () => {
    const args = ["run", "--server", server, "--plate", shared.smallPlate, "--pipeline", pipeline];
    const { code, stdout } = await runCli([...args, "--config", config, "--json"]);
    expect(code).toBe(0);
    const events = jsonLines(stdout);
    expect(events[0]).toMatchObject({ event: "accepted" });
    const executionId = events[0]!.execution_id as string;
    const progress = events.filter((e) => e.event === "progress");
    expect(new Set(progress.map((e) => e.well))).toEqual(new Set(["", "A01", "A02", "B01"]));
    expect(progress.at(-1)).toMatchObject({ wells_done: 3, wells_total: 3, fraction: 1 });
    expect(events.at(-1)).toMatchObject({ event: "complete", execution_id: executionId });

    const status = await runCli(["status", "--server", server, executionId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^${executionId}: complete in [0-9.]+ s`));
  });

  it("run shows a progress bar with ETA on a terminal-less stderr and a summary", async () => {
    const args = ["run", "--server", server, "--plate", shared.smallPlate, "--pipeline", pipeline];
    const { code, stdout, stderr } = await runCli([...args, "--config", config]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\[#+-*\]\s+\d+%\s+\d\/3 wells/);
    expect(stderr).toContain("[############################] 100%  3/3 wells");
    expect(stdout).toMatch(
      /^run [0-9a-f-]{36} complete in \d+ s: 3 wells, output in .*_openhcs \(on the server\)/,
    );
  });

  it("run of a failing pipeline exits 1 and prints the server's traceback", async () => {
    const badPipeline = join(shared.workDir, "bad_pipeline.py");
    writeFileSync(badPipeline, PIPELINE_WITH_STEP_ERROR);
    const { code, stderr } = await runCli([
      "run",
      "--server",
      server,
      "--plate",
      shared.smallPlate,
      "--pipeline",
      badPipeline,
      "--config",
      config,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/openhcs-remote: run [0-9a-f-]{36} on .* failed: /);
    expect(stderr).toContain("Server traceback:\nTraceback (most recent call last):");
  });

  it("cancel of an unknown run exits non-zero and says the server does not know it", async () => {
    const { code, stderr } = await runCli(["cancel", "--server", server, "no-such-run"]);
    expect(code).toBe(6);
    expect(stderr).toContain("Execution no-such-run not found");
  });

  it("exits 3 when nothing listens at the address", async () => {
    const { code, stderr } = await runCli([
      "ping",
      "127.0.0.1:1",
      "--timeout-ms",
      "300",
      "--retries",
      "0",
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain("no OpenHCS server answered at 127.0.0.1:1001 within 300 ms");
  });
});

/**
 * `openhcs-remote rerun`, against the real server: a run where one well fails, then a re-run
 * from the CLI's run journal that the server executes on that well alone.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import { REPO_ROOT, runPython } from "../helpers/python.js";
import { ownPlate } from "../helpers/relay-results.js";

const shared = inject("openhcs");
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");
const COUNT = `from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(count_cells_single_channel,
    {'min_cell_area': 10, 'max_cell_area': 2000}), name='count')]
`;

/** Crop (or restore) B01's second site: a tile of the wrong size makes that well fail alone. */
const SPOIL = `
import sys, pathlib, numpy, tifffile
plate, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
tile = sorted(plate.rglob("B01_s002_w1*.tif"))[0]
keep = plate.parent / f"{plate.name}-B01-tile.npy"  # outside the plate: OpenHCS parses its names
if mode == "spoil":
    good = tifffile.imread(tile); numpy.save(keep, good); tifffile.imwrite(tile, good[:32, :32])
else:
    tifffile.imwrite(tile, numpy.load(keep))
`;

describe("openhcs-remote rerun, against the real server", () => {
  it("re-runs exactly the well that failed, with the pipeline the journal kept", async () => {
    const plate = await ownPlate(shared.workDir, "rerun-cli-plate");
    const pipeline = join(shared.workDir, "count-for-rerun.py");
    writeFileSync(pipeline, COUNT);
    const env = { OPENHCS_REMOTE_STATE_DIR: mkdtempSync(join(shared.workDir, "journal-")) };
    const server = ["--server", `${shared.host}:${shared.port}`];
    await runPython(SPOIL, { args: [plate, "spoil"] });
    const first = await runCli(
      ["run", ...server, "--plate", plate, "--pipeline", pipeline, "--config", config, "--json"],
      180_000,
      env,
    );
    expect(first.code, first.stderr).toBe(1); // the run failed
    const id = String(jsonLines(first.stdout).find((e) => e.event === "accepted")?.execution_id);
    const journalFile = join(env.OPENHCS_REMOTE_STATE_DIR, id, "run.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { wells: unknown };
    // B01 was in flight when the run failed (OpenHCS 0.8.6 sends no per-well failure event).
    expect(journal.wells).toMatchObject({ A01: "done", A02: "done" });
    expect(journal.wells).toHaveProperty("B01", expect.not.stringMatching(/^done$/));

    await runPython(SPOIL, { args: [plate, "restore"] });
    const again = await runCli(["rerun", id, "--json"], 180_000, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`re-running 1 well(s) of ${id}: B01`);
    const complete = jsonLines(again.stdout).find((e) => e.event === "complete") as
      { execution_id: string; record: { results_summary?: { wells?: string[] } } } | undefined;
    // On the server side: OpenHCS processed B01 and nothing else.
    expect(complete?.record.results_summary?.wells).toEqual(["B01"]);
    expect(
      existsSync(join(env.OPENHCS_REMOTE_STATE_DIR, complete?.execution_id ?? "", "run.json")),
    ).toBe(true);
    const done = await runCli(["rerun", complete?.execution_id ?? ""], 30_000, env);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("every well finished; nothing to re-run");
  });

  it("says which journal it looked in for a run it does not know", async () => {
    const env = { OPENHCS_REMOTE_STATE_DIR: mkdtempSync(join(shared.workDir, "journal-")) };
    const unknown = await runCli(["rerun", "0f0f0f0f-unknown"], 30_000, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `not in this machine's run journal (${env.OPENHCS_REMOTE_STATE_DIR})`,
    );
    const escape = await runCli(["rerun", "../../etc"], 30_000, env);
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain("'../../etc' is not an execution id");
  });
});

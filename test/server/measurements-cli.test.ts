/**
 * A run's tables and ROIs through the relay, against the real server: `run --out` writes them,
 * `measurements` prints them, value for value what OpenHCS wrote in its own results folder.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/python.js";
import { ownPlate, type ReadyRelay } from "../helpers/relay-results.js";

const shared = inject("openhcs");
const relay = shared.relay as unknown as ReadyRelay;
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");
const COUNT = `from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(count_cells_single_channel,
    {'min_cell_area': 10, 'max_cell_area': 2000}), name='count')]
`;

/** A CSV's rows as text cells, keyed by the header. */
function readCsv(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true });
}

let plate = "";
let executionId = "";
let outDir = "";
const relayArgs = () => ["--relay", `${relay.stream_host}:${relay.stream_port}`];
const serverArgs = () => ["--server", `${shared.host}:${shared.port}`];

/** OpenHCS's own per-well tables of the run, rows in file-name order, as text cells. */
function openhcsRows(): Record<string, string>[] {
  const results = join(`${plate}_openhcs`, "results");
  return readdirSync(results)
    .filter((name) => name.endsWith("_cell_counts_step0_details.csv"))
    .sort()
    .flatMap((name) => readCsv(readFileSync(join(results, name), "utf8")));
}

describe("measurements from the relay, against the real server", () => {
  beforeAll(async () => {
    plate = await ownPlate(shared.workDir, "measurements-cli-plate");
    const pipeline = join(shared.workDir, "count-for-cli.py");
    writeFileSync(pipeline, COUNT);
    outDir = join(shared.workDir, "measurements-cli-out");
    const { code, stdout, stderr } = await runCli([
      "run",
      ...serverArgs(),
      "--plate",
      plate,
      "--pipeline",
      pipeline,
      "--config",
      config,
      ...relayArgs(),
      "--out",
      outDir,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const events = jsonLines(stdout);
    executionId = String(events.find((event) => event.event === "accepted")?.execution_id);
    const saved = events.find((event) => event.event === "measurements_saved") as
      { tables?: { name: string }[] } | undefined;
    expect(saved?.tables?.map((table) => table.name)).toContain("cell_counts");
  });

  it("run --out writes the cell counts of every well, value for value OpenHCS's own files", () => {
    const ours = readCsv(readFileSync(join(outDir, "measurements", "cell_counts.csv"), "utf8"));
    const theirs = openhcsRows();
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toHaveLength(theirs.length);
    ours.forEach((row, index) => {
      const own = theirs[index] ?? {};
      for (const [column, value] of Object.entries(own)) {
        const mine = row[column] ?? "";
        // Numbers are compared as numbers (our CSV prints them as JavaScript does).
        if (/^-?[\d.]+(e-?\d+)?$/i.test(value)) expect(Number(mine)).toBe(Number(value));
        else expect(mine).toBe(value);
      }
      expect(row.step).toBe("count");
      expect(row.step_index).toBe("0");
    });
    expect(new Set(ours.map((row) => row.well))).toEqual(new Set(["A01", "A02", "B01"]));
  });

  it("run --out copies OpenHCS's ROI zips byte for byte", () => {
    const results = join(`${plate}_openhcs`, "results");
    const zips = readdirSync(results).filter((name) => name.endsWith(".roi.zip"));
    expect(zips.length).toBeGreaterThan(0);
    expect(readdirSync(join(outDir, "rois")).sort()).toEqual(zips.sort());
    for (const name of zips) {
      expect(readFileSync(join(outDir, "rois", name))).toEqual(readFileSync(join(results, name)));
    }
  });

  it("measurements prints the table as CSV, filtered by well", async () => {
    const { code, stdout, stderr } = await runCli([
      "measurements",
      ...serverArgs(),
      ...relayArgs(),
      executionId,
      "--well",
      "B01",
    ]);
    expect(code, stderr).toBe(0);
    const rows = readCsv(stdout);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.well === "B01")).toBe(true);
    expect(rows.map((row) => Number(row.cell_count))).toEqual(
      openhcsRows()
        .filter((row) => row.well === "B01")
        .map((row) => Number(row.cell_count)),
    );
  });

  it("names the tables there are when asked for one that is not", async () => {
    const { code, stderr } = await runCli([
      "measurements",
      ...serverArgs(),
      ...relayArgs(),
      executionId,
      "--table",
      "no_such_table",
    ]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/ERR_NO_SUCH_TABLE|no table no_such_table/);
    expect(stderr).toContain("cell_counts");
  });

  it("lists the run's tables and files", async () => {
    const { code, stdout, stderr } = await runCli([
      "measurements",
      ...serverArgs(),
      ...relayArgs(),
      executionId,
      "--list",
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^tables: cell_counts, metaxpress_style_summary/);
    expect(stdout).toMatch(/rois +results\/A01_.*\.roi\.zip/);
  });
});

/**
 * A run's tables and ROIs through the relay, against the real server: `run --out` writes them,
 * `measurements` prints them, value for value what OpenHCS wrote in its own results folder.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator } from "../../src/orchestrator/index.js";
import { jsonLines, runCli } from "../helpers/cli.js";
import { REPO_ROOT, runPython } from "../helpers/python.js";
import { ownPlate, relayOptions, type ReadyRelay } from "../helpers/relay-results.js";

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

  it("RunOutputs.rois() gives the ROIs of OpenHCS's zips, vertex for vertex (as roifile reads them)", async () => {
    const results = join(`${plate}_openhcs`, "results");
    const theirs = JSON.parse(
      (
        await runPython(
          String.raw`
import json, pathlib, sys, zipfile
import numpy as np
from roifile import ImagejRoi
out = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.roi.zip")):
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".roi"):
                roi = ImagejRoi.frombytes(archive.read(name))
                out.append([path.name[:3], np.asarray(roi.coordinates(), float)[:, ::-1].tolist()])
print(json.dumps(out))
`,
          { args: [results] },
        )
      ).toString("utf8"),
    ) as [string, number[][]][];
    expect(theirs.length).toBeGreaterThan(0);
    const orch = new RemoteOrchestrator({
      serverHost: shared.host,
      serverPort: shared.port,
      relay: relayOptions(relay),
    });
    const outputs = orch.runOutputs(executionId);
    try {
      const ours = await outputs.rois();
      const key = ([well, polygon]: [string | null, unknown]): string =>
        `${well} ${JSON.stringify(polygon)}`;
      expect(ours.map((roi) => key([roi.well, roi.polygon])).sort()).toEqual(
        theirs.map(key).sort(),
      );
      const b01 = await outputs.rois({ wells: ["B01"] });
      expect(b01.length).toBe(theirs.filter(([well]) => well === "B01").length);
      expect(b01.every((roi) => roi.well === "B01" && roi.step === null)).toBe(true);
      const cli = await runCli([
        "measurements",
        ...serverArgs(),
        ...relayArgs(),
        executionId,
        "--rois",
        "--well",
        "B01",
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(jsonLines(cli.stdout)).toEqual(JSON.parse(JSON.stringify(b01)));
    } finally {
      outputs.close();
      orch.close();
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

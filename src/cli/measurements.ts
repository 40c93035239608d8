/** `openhcs-remote measurements`: a run's tables (and ROI zips) from the relay, as CSV. */
import { UsageError, emitJson } from "./cli-support.js";
import { tableCsv, writeRunMeasurements } from "./measurement-output.js";
import { RELAY_OPTIONS, relayFrom } from "./run-streaming.js";
import { serverVerb } from "./verb.js";
import { tableNames } from "../orchestrator/index.js";

function list(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

export const measurements = serverVerb({
  summary: "a run's measurement tables (CSV) and ROIs, from the relay",
  help: `Usage: openhcs-remote measurements --server HOST:PORT --relay HOST:PORT EXECUTION_ID [options]

Print one of the run's measurement tables as CSV on stdout: the rows of every well so
far (it works while the run is going), led by well, site and step. With --out DIR,
write every table as DIR/measurements/<table>.csv and OpenHCS's ROI zips (ImageJ ROI
sets, which Fiji opens) in DIR/rois/. The files come from the run's own output folder
on the server, through the relay; nothing else there can be read.

  --table NAME           the table (default: the run's only per-well table)
  --well A01,B02         only these wells
  --step NAME            only the tables this step wrote (a name or a 0-based position)
  --list                 list the run's tables and files instead
  --rois                 print the run's ROIs instead, one JSON object a line: well, site,
                         channel, z, timepoint, step, name, type, polygon ([y, x] pixel rows)
  --out DIR              write every table and ROI zip under DIR
  --relay HOST:PORT      the relay's stream port (required)
  --relay-key KEY        the relay's CURVE public key, if it has one`,
  options: {
    table: { type: "string" },
    well: { type: "string" },
    step: { type: "string" },
    list: { type: "boolean" },
    rois: { type: "boolean" },
    out: { type: "string" },
    ...RELAY_OPTIONS,
  },
  check: ({ values, positionals }) => {
    if (positionals[0] === undefined) throw new UsageError("EXECUTION_ID is required");
    if (values.relay === undefined) throw new UsageError("--relay HOST:PORT is required");
  },
  act: async (orch, { values, positionals }) => {
    const executionId = positionals[0] ?? "";
    orch.relay = relayFrom(values);
    const outputs = orch.runOutputs(executionId);
    const json = values.json === true;
    try {
      if (values.list === true) {
        const files = await outputs.list();
        if (json) emitJson({ event: "run_outputs", execution_id: executionId, files });
        else {
          process.stdout.write(`tables: ${tableNames(files).join(", ") || "(none yet)"}\n`);
          for (const file of files) process.stdout.write(`  ${file.kind.padEnd(6)} ${file.path}\n`);
        }
        return 0;
      }
      if (values.out !== undefined) {
        const written = await writeRunMeasurements(outputs, values.out);
        if (json) emitJson({ event: "measurements_saved", dir: values.out, ...written });
        else {
          for (const table of written.tables) {
            process.stderr.write(`openhcs-remote: ${table.path}: ${table.rows} rows\n`);
          }
          process.stderr.write(`openhcs-remote: ${written.rois} ROI zips in ${values.out}/rois\n`);
        }
        return 0;
      }
      const steps = list(values.step)?.map((step) => (/^\d+$/.test(step) ? Number(step) : step));
      if (values.rois === true) {
        for (const roi of await outputs.rois({ wells: list(values.well), steps })) {
          process.stdout.write(`${JSON.stringify(roi)}\n`);
        }
        return 0;
      }
      const table = await outputs.measurements({
        table: values.table,
        wells: list(values.well),
        steps,
      });
      if (json) emitJson({ event: "measurements", execution_id: executionId, ...table });
      else process.stdout.write(tableCsv(table));
      return 0;
    } finally {
      outputs.close();
    }
  },
});

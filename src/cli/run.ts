/** `openhcs-remote run`: submit a pipeline, show progress with an ETA, report the outcome. */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { emitJson, UsageError } from "./cli-support.js";
import { ProgressBar } from "./progress-bar.js";
import { openResultOutput, OUT_OPTION_HELP } from "./result-output.js";
import {
  deliveryFrom,
  RELAY_OPTIONS,
  RELAY_OPTIONS_HELP,
  relayFrom,
  StreamedResults,
} from "./run-streaming.js";
import { reportServerSilence } from "./server-silence.js";
import { serverVerb } from "./verb.js";
import { DEFAULT_CONFIG_CODE, imageFromPreview, type ResultItem } from "../orchestrator/index.js";
import { formatDuration } from "../protocol/index.js";
import { writeRunMeasurements } from "./measurement-output.js";
import { noteSubmitted, noteWells } from "./run-journal.js";

function readSource(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file '${path}': ${(error as Error).message}`);
  }
}

/** A relative path that exists here is made absolute (the demo's server shares this disk). */
function plateArgument(text: string): string {
  if (/^\d+$/.test(text) || isAbsolute(text) || !existsSync(text)) return text;
  return resolve(text);
}

export const run = serverVerb({
  summary: "submit a pipeline and follow it to the end (progress, ETA)",
  help: `Usage: openhcs-remote run --server HOST:PORT --plate ID|PATH --pipeline FILE.py [--config FILE.py] [options]

Send a pipeline (Python source) to an OpenHCS execution server, which compiles and
runs it on the plate; show per-well progress with an ETA; exit 0 when it completes.
Nothing is compiled here: only the code text is sent.

  --plate ID|PATH        plate on the server: a path there, or an OMERO plate id
  --pipeline FILE.py     defines pipeline_steps (and optionally pipeline_config)
  --config FILE.py       defines config = GlobalPipelineConfig(...)
                         (default: GlobalPipelineConfig() with OpenHCS defaults)
  --well-filter A01,B02  run only these wells
${OUT_OPTION_HELP}
${RELAY_OPTIONS_HELP}

`,
  epilog: `Exit codes: 0 complete, 1 run failed, 2 usage, 3 server unreachable, 4 cancelled,
5 run lost (server went away), 6 other error.`,
  options: {
    plate: { type: "string" },
    pipeline: { type: "string" },
    config: { type: "string" },
    "well-filter": { type: "string" },
    out: { type: "string" },
    ...RELAY_OPTIONS,
  },
  check: ({ values }) => {
    if (values.plate === undefined) throw new UsageError("--plate ID|PATH is required");
    if (values.pipeline === undefined) throw new UsageError("--pipeline FILE.py is required");
  },
  act: async (orch, { values }) => {
    const plate = values.plate ?? "";
    const pipeline = values.pipeline ?? "";
    const pipelineCode = readSource(pipeline, "pipeline");
    const configCode =
      values.config === undefined ? DEFAULT_CONFIG_CODE : readSource(values.config, "config");
    const wellFilter = values["well-filter"]
      ?.split(",")
      .map((w) => w.trim())
      .filter((w) => w !== "");
    const json = values.json === true;
    orch.relay = relayFrom(values);
    const delivery = deliveryFrom(values);
    const output =
      values.out === undefined
        ? undefined
        : await openResultOutput(values.out, orch, (m) =>
            process.stderr.write(`openhcs-remote: ${m}\n`),
          );
    // Step names by position, from the images: the tables name their step by position only.
    const stepNames = new Map<number, string>();
    const keep =
      output === undefined
        ? undefined
        : async (item: ResultItem) => {
            if (item.stepIndex !== null && item.step !== null) {
              stepNames.set(item.stepIndex, item.step);
            }
            if (item.kind !== "preview") return output.onImage(item);
            // Previews delivery: the pixels are fetched (compressed) right behind the preview;
            // awaited, so the stream waits for the disk and the link instead of piling up.
            results?.willFetch(item.nbytes);
            const { data } = await orch.fetchPlane(item.executionId, item.seq);
            results?.fetched(data);
            await output.onImage(imageFromPreview(item, data));
          };
    const results = orch.relay === null ? null : new StreamedResults(json, keep);
    const bar = results ?? new ProgressBar();
    const started = Date.now();
    // What rerun needs later: the sources (on accept) and how each well stood at the end.
    const journal: { id: string | null; wells: Record<string, string> } = { id: null, wells: {} };
    try {
      const outcome = await orch.runRemotePipeline({
        plateId: plateArgument(plate),
        pipelineCode,
        configCode,
        configParams: wellFilter === undefined ? undefined : { well_filter: wellFilter },
        delivery,
        onImage: results?.onImage ?? keep,
        releaseFrames: true, // the hooks above count, store and let go of each item
        onGap: results?.onGap,
        onRelayLink: results?.onRelayLink,
        onServerSilent: (silentMs) => {
          reportServerSilence(json, orch.endpoint.controlAddress, silentMs, bar);
        },
        onSubmitted: (executionId) => {
          noteSubmitted(
            {
              execution_id: executionId,
              server: orch.endpoint.dataAddress,
              plate: plateArgument(plate),
              well_filter: wellFilter ?? null,
            },
            pipelineCode,
            configCode,
          );
          journal.id = executionId;
          if (json) emitJson({ event: "accepted", execution_id: executionId });
          else
            process.stderr.write(
              `openhcs-remote: run ${executionId} accepted by ${orch.endpoint.controlAddress}\n`,
            );
        },
        onProgress: (snapshot, event) => {
          journal.wells = Object.fromEntries(snapshot.wells.map((w) => [w.well, w.state]));
          if (json) {
            emitJson({
              event: "progress",
              execution_id: snapshot.executionId,
              phase: event.phase,
              well: event.axis_id,
              step: event.step_name,
              fraction: snapshot.fraction,
              wells_done: snapshot.wellsDone,
              wells_total: snapshot.wellsTotal,
              eta_ms: snapshot.etaMs,
            });
          } else {
            bar.update(snapshot);
          }
        },
      });
      bar.finish();
      if (output !== undefined && values.out !== undefined) {
        const outputs = orch.runOutputs(outcome.executionId);
        try {
          const written = await writeRunMeasurements(outputs, values.out, stepNames);
          if (json) emitJson({ event: "measurements_saved", dir: values.out, ...written });
          else
            process.stderr.write(
              `openhcs-remote: ${written.tables.map((t) => `${t.name} (${t.rows} rows)`).join(", ") || "no tables"}` +
                ` and ${written.rois} ROI zips saved in ${values.out}\n`,
            );
        } finally {
          outputs.close();
        }
      }
      const summary = outcome.record.results_summary;
      if (json) {
        emitJson({
          event: "complete",
          execution_id: outcome.executionId,
          record: outcome.record,
          ...(outcome.results === null ? {} : { results: outcome.results }),
        });
      } else {
        process.stdout.write(
          `run ${outcome.executionId} complete in ${formatDuration(Date.now() - started)}: ` +
            `${summary?.well_count ?? outcome.progress.wellsDone} wells` +
            (results?.describe(outcome.results) ?? "") +
            (summary?.output_plate_root != null
              ? `, output in ${summary.output_plate_root} (on the server)`
              : "") +
            "\n",
        );
      }
      return 0;
    } finally {
      if (journal.id !== null) noteWells(journal.id, journal.wells);
      bar.finish();
      await output?.finish(json);
    }
  },
});

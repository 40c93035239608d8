/**
 * `openhcs-remote rerun EXECUTION_ID`: `run` again, with the same pipeline, config and plate, on
 * exactly the wells that run did not finish — read from this machine's run journal
 * (`run-journal.ts`) and restricted with OpenHCS's own `well_filter`.
 */
import { EXIT } from "./cli-support.js";
import { readEntry, startedWells, unfinishedWells } from "./run-journal.js";
import { run } from "./run.js";
import type { Verb } from "./verb.js";

const HELP = `Usage: openhcs-remote rerun EXECUTION_ID [run options]

Run the same pipeline and config again, on the same plate, on exactly the wells
that run EXECUTION_ID did not finish (failed, cancelled, or never done because the
server or this command stopped). Only runs started on this machine with
'openhcs-remote run' can be re-run: their sources are kept in the run journal
($OPENHCS_REMOTE_STATE_DIR, else $XDG_STATE_HOME/openhcs-remote/runs; the newest
200 runs). The server is the run's own unless --server is given; every other
option is run's ('openhcs-remote run --help'), e.g. --out DIR, --json.

Exit codes: as run's; 0 with a message when every well finished.`;

export const rerun: Verb & { readonly help: string } = {
  summary: "run again the wells a run did not finish (same pipeline and config)",
  help: HELP,
  async run(argv) {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write(`${HELP}\n`);
      return EXIT.ok;
    }
    const [executionId, ...rest] = argv;
    if (executionId === undefined || executionId.startsWith("-")) {
      process.stderr.write(`openhcs-remote: rerun needs an EXECUTION_ID\n\n${HELP}\n`);
      return EXIT.usage;
    }
    const { record, pipelinePath, configPath } = readEntry(executionId);
    // A run that failed before its first well re-runs whole (its own well filter, if any).
    const whole = startedWells(record).length === 0;
    const wells = whole ? (record.well_filter ?? []) : unfinishedWells(record);
    if (!whole && wells.length === 0) {
      process.stdout.write(`run ${executionId}: every well finished; nothing to re-run\n`);
      return EXIT.ok;
    }
    process.stderr.write(
      whole
        ? `openhcs-remote: run ${executionId} failed before its first well: re-running it whole\n`
        : `openhcs-remote: re-running ${wells.length} well(s) of ${executionId}: ${wells.join(", ")}\n`,
    );
    const server =
      rest.includes("--server") || rest.includes("-s") ? [] : ["--server", record.server];
    return run.run([
      ...server,
      "--plate",
      record.plate,
      "--pipeline",
      pipelinePath,
      "--config",
      configPath,
      ...(wells.length === 0 ? [] : ["--well-filter", wells.join(",")]),
      ...rest,
    ]);
  },
};

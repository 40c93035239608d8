/** `openhcs-remote status`: one run's record, or the server's table of runs. */
import { emitJson } from "./cli-support.js";
import { serverVerb } from "./verb.js";

export const status = serverVerb({
  summary: "a run's state, or the server's runs",
  help: `Usage: openhcs-remote status --server HOST:PORT [EXECUTION_ID] [options]

Without an id, list the server's runs (running, queued, known). With an id, print
that run's state, times, error and the server's traceback if it failed.

`,
  act: async (orch, { values, positionals }) => {
    const executionId = positionals[0];
    if (executionId === undefined) {
      const table = await orch.serverStatus();
      if (values.json === true) {
        emitJson({ event: "server_status", ...table });
      } else {
        const running = table.running_executions ?? [];
        const queued = table.queued_executions ?? [];
        process.stdout.write(
          `${table.executions.length} runs known, ${running.length} running, ${queued.length} queued\n`,
        );
        for (const run of running)
          process.stdout.write(`  running  ${run.execution_id}  ${run.plate_id}\n`);
        for (const run of queued)
          process.stdout.write(`  queued   ${run.execution_id}  ${run.plate_id}\n`);
      }
      return 0;
    }
    const record = await orch.status(executionId);
    if (values.json === true) {
      emitJson({ event: "status", execution: record });
    } else {
      const took =
        record.start_time != null && record.end_time != null
          ? ` in ${(record.end_time - record.start_time).toFixed(1)} s`
          : "";
      process.stdout.write(
        `${record.execution_id}: ${record.status}${took} (plate ${record.plate_id})\n`,
      );
      if (record.error != null) process.stdout.write(`error: ${record.error}\n`);
      if (record.traceback != null)
        process.stdout.write(`\nServer traceback:\n${record.traceback.trimEnd()}\n`);
    }
    return 0;
  },
});

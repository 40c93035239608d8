/** `openhcs-remote cancel`: ask the server to cancel a run. */
import { emitJson, UsageError } from "./cli-support.js";
import { serverVerb } from "./verb.js";

export const cancel = serverVerb({
  summary: "cancel a run",
  help: `Usage: openhcs-remote cancel --server HOST:PORT EXECUTION_ID [options]

Cancel a queued or running run. OpenHCS cancels cooperatively: the run's status
turns 'cancelled' at once and its workers stop at the next well or step.
`,
  check: ({ positionals }) => {
    if (positionals[0] === undefined) throw new UsageError("cancel needs an EXECUTION_ID");
  },
  act: async (orch, { values, positionals }) => {
    const executionId = positionals[0] ?? "";
    const { message } = await orch.cancel(executionId);
    if (values.json === true) emitJson({ event: "cancelled", execution_id: executionId, message });
    else process.stdout.write(`${executionId}: ${message}\n`);
    return 0;
  },
});

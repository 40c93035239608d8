/** `openhcs-remote cancel`: ask the server to cancel a run. */
import {
  emitJson,
  orchestratorFrom,
  parseVerbArgs,
  SERVER_OPTIONS,
  SERVER_OPTIONS_HELP,
  UsageError,
} from "./cli-support.js";

export const CANCEL_HELP = `Usage: openhcs-remote cancel --server HOST:PORT EXECUTION_ID [options]

Cancel a queued or running run. OpenHCS cancels cooperatively: the run's status
turns 'cancelled' at once and its workers stop at the next well or step.

Options:
${SERVER_OPTIONS_HELP}`;

/** Run the verb; returns the exit code. */
export async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, SERVER_OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${CANCEL_HELP}\n`);
    return 0;
  }
  const executionId = positionals[0];
  if (executionId === undefined) throw new UsageError("cancel needs an EXECUTION_ID");
  const orch = orchestratorFrom(values);
  try {
    const { message } = await orch.cancel(executionId);
    if (values.json === true) emitJson({ event: "cancelled", execution_id: executionId, message });
    else process.stdout.write(`${executionId}: ${message}\n`);
    return 0;
  } finally {
    orch.close();
  }
}

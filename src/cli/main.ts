#!/usr/bin/env node
/** `openhcs-remote`: wiring only — pick the verb, run it, map errors to exit codes. */
import { cancel } from "./cancel.js";
import { EXIT, reportError, UsageError } from "./cli-support.js";
import { ping } from "./ping.js";
import { rerun } from "./rerun.js";
import { run } from "./run.js";
import { status } from "./status.js";
import { measurements } from "./measurements.js";
import type { Verb } from "./verb.js";

/** Every verb, in the order the help lists them. */
const VERBS: Readonly<Record<string, Verb>> = {
  ping,
  run,
  status,
  cancel,
  measurements,
  rerun,
};

const HELP = `Usage: openhcs-remote <command> [options]

Run OpenHCS pipelines on a remote OpenHCS execution server.

Commands:
${Object.entries(VERBS)
  .map(([name, verb]) => `  ${name.padEnd(18)} ${verb.summary}`)
  .join("\n")}

'openhcs-remote <command> --help' shows each command's options.
The server runs any code it receives and has no authentication: reach remote
servers through an SSH tunnel (docs/user-guide.md).`;

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === "-h" || verb === "--help" || verb === "help") {
    process.stdout.write(`${HELP}\n`);
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  const handler = VERBS[verb];
  if (handler === undefined) {
    process.stderr.write(`openhcs-remote: unknown command '${verb}'\n\n${HELP}\n`);
    return EXIT.usage;
  }
  try {
    return await handler.run(rest);
  } catch (error) {
    const code = reportError(error, rest.includes("--json"));
    if (error instanceof UsageError) process.stderr.write(`Try 'openhcs-remote ${verb} --help'.\n`);
    return code;
  }
}

process.exitCode = await main(process.argv.slice(2));

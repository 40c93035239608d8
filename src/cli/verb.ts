/**
 * What a verb is, and the steps every verb of the server takes the same way: parse its options
 * (errors become usage errors), answer `--help`, and close the orchestrator it opened, whatever
 * happens. A verb file then holds only its help text and what it does.
 */
import type { ParseArgsConfig } from "node:util";
import type { RemoteOrchestrator } from "../orchestrator/index.js";
import {
  orchestratorFrom,
  parseVerbArgs,
  SERVER_OPTIONS,
  SERVER_OPTIONS_HELP,
} from "./cli-support.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type ServerOptions = typeof SERVER_OPTIONS;

/** The parsed command line of one verb. */
export type VerbArgs<O extends Options> = ReturnType<typeof parseVerbArgs<ServerOptions & O>>;

/** One `openhcs-remote` verb, as `main.ts` lists it. */
export interface Verb {
  /** One line for the top-level help. */
  readonly summary: string;
  /** The verb's argv after its name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** A verb that talks to an execution server. */
export interface ServerVerbSpec<O extends Options> {
  readonly summary: string;
  /** Usage and description; the server options' help is appended. */
  readonly help: string;
  /** Lines after the options' help (exit codes, notes). */
  readonly epilog?: string;
  /** Options beyond {@link SERVER_OPTIONS}. */
  readonly options?: O;
  /** Check the arguments before anything connects; throw a `UsageError` to refuse. */
  readonly check?: (args: VerbArgs<O>) => void;
  /** The server's `HOST:PORT` when a verb takes it elsewhere than `--server` (default). */
  readonly server?: (args: VerbArgs<O>) => string | undefined;
  /** Do the verb with an orchestrator that is closed afterwards; resolves to the exit code. */
  readonly act: (orch: RemoteOrchestrator, args: VerbArgs<O>) => Promise<number>;
}

export function serverVerb<O extends Options = ServerOptions>(
  spec: ServerVerbSpec<O>,
): Verb & { readonly help: string } {
  const epilog = spec.epilog === undefined ? "" : `\n\n${spec.epilog.trim()}`;
  const help = `${spec.help.trimEnd()}\n\nOptions:\n${SERVER_OPTIONS_HELP}${epilog}`;
  return {
    summary: spec.summary,
    help,
    async run(argv) {
      const args = parseVerbArgs(argv, { ...SERVER_OPTIONS, ...spec.options } as ServerOptions & O);
      // Every verb has the server options; the generic type cannot show it.
      const common = args.values as Parameters<typeof orchestratorFrom>[0] & { help?: boolean };
      if (common.help === true) {
        process.stdout.write(`${help}\n`);
        return 0;
      }
      spec.check?.(args);
      const orch = orchestratorFrom(common, spec.server?.(args) ?? common.server);
      try {
        return await spec.act(orch, args);
      } finally {
        orch.close();
      }
    },
  };
}

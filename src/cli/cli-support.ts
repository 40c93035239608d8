/**
 * What every `openhcs-remote` verb shares: parsing `HOST:PORT`, common options, exit codes, and
 * turning errors into one readable line (plus the server's traceback when there is one).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isOhrError } from "../protocol/index.js";
import { RemoteOrchestrator } from "../orchestrator/index.js";

/** Exit codes, stable for scripts. */
export const EXIT = {
  ok: 0,
  runFailed: 1,
  usage: 2,
  unreachable: 3,
  cancelled: 4,
  lost: 5,
  error: 6,
} as const;

/** A usage mistake: printed with the verb's help hint, exit code 2. */
export class UsageError extends Error {}

/** `gpu-server.lab:7777` → host and port; a bare host means port 7777. */
export function parseServerAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:]+))(?::(?<port>\d+))?$/.exec(text.trim());
  if (match?.groups === undefined) throw new UsageError(`not a HOST:PORT address: '${text}'`);
  const host = match.groups.v6 ?? match.groups.host ?? "";
  const port = match.groups.port === undefined ? 7777 : Number(match.groups.port);
  if (port < 1 || port > 64535) {
    throw new UsageError(`port ${port} out of range (1..64535; control is port + 1000)`);
  }
  return { host, port };
}

/** Options shared by the verbs that talk to a server. */
export const SERVER_OPTIONS = {
  server: { type: "string", short: "s" },
  "timeout-ms": { type: "string" },
  retries: { type: "string" },
  ipc: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** Help lines for {@link SERVER_OPTIONS}. */
export const SERVER_OPTIONS_HELP = `  -s, --server HOST:PORT   execution server (data port; control is port+1000)
      --timeout-ms N       budget of each request (default 30000)
      --retries N          retries of a transient failure (default 3)
      --ipc                a server on this host started with --transport ipc
                           (its sockets in ~/.openhcs/ipc, named by PORT)
      --json               machine-readable output (JSON lines on stdout)
  -h, --help               this help`;

/** Parse argv for one verb, turning parse errors into {@link UsageError}. */
export function parseVerbArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function positiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new UsageError(`--${name} must be a whole number`);
  return value;
}

/** Build an orchestrator from `--server`, `--timeout-ms`, `--retries`. */
export function orchestratorFrom(
  values: {
    server?: string | undefined;
    "timeout-ms"?: string | undefined;
    retries?: string | undefined;
    ipc?: boolean | undefined;
  },
  serverText = values.server,
): RemoteOrchestrator {
  if (serverText === undefined) throw new UsageError("--server HOST:PORT is required");
  const { host, port } = parseServerAddress(serverText);
  return new RemoteOrchestrator({
    serverHost: host,
    serverPort: port,
    timeoutMs: positiveInteger(values["timeout-ms"], "timeout-ms") ?? 30_000,
    retries: positiveInteger(values.retries, "retries") ?? 3,
    transport: values.ipc === true ? "ipc" : "tcp",
    onWarning: (warning) => {
      process.stderr.write(`openhcs-remote: warning: ${warning.message}\n`);
    },
  });
}

/** Print an error for a human (or as JSON) and return the exit code it maps to. */
export function reportError(error: unknown, json: boolean): number {
  const code = isOhrError(error)
    ? error.code
    : error instanceof UsageError
      ? "ERR_USAGE"
      : "ERR_INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  const traceback =
    typeof error === "object" && error !== null && "serverTraceback" in error
      ? (error as { serverTraceback?: string }).serverTraceback
      : undefined;
  if (json) {
    process.stdout.write(`${JSON.stringify({ event: "error", code, message, traceback })}\n`);
  } else {
    process.stderr.write(`openhcs-remote: ${message}\n`);
    if (traceback !== undefined && traceback !== "") {
      process.stderr.write(`\nServer traceback:\n${traceback.trimEnd()}\n`);
    }
  }
  switch (code) {
    case "ERR_USAGE":
      return EXIT.usage;
    case "ERR_SERVER_UNREACHABLE":
      return EXIT.unreachable;
    case "ERR_RUN_FAILED":
      return EXIT.runFailed;
    case "ERR_RUN_CANCELLED":
      return EXIT.cancelled;
    case "ERR_RUN_LOST":
      return EXIT.lost;
    default:
      return EXIT.error;
  }
}

/** Write one JSON line on stdout. */
export function emitJson(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

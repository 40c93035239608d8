/**
 * The processes `bench -- stream` runs: a relay on its own (no execution server: OpenHCS's
 * sender is driven directly, so every item lands in the relay's `unattributed` run), the
 * Python driver (bench/python/stream_driver.py) in its modes, and our client in a process of
 * its own (bench/stream-client.ts), with the Node flags the sidecar runs with.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { Dealer } from "zeromq";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";

const DRIVER = join(REPO_ROOT, "bench", "python", "stream_driver.py");
/** The compiled bench/stream-client.ts, beside this file in the bench's build. */
const CLIENT = fileURLToPath(new URL("./stream-client.js", import.meta.url));

/** A relay started for the bench. */
export interface BenchRelay {
  readonly viewerPort: number;
  readonly streamPort: number;
  /** The next seq of `run` (1 for a run the spool does not have). */
  nextSeq(run: string): number;
  stop(): Promise<void>;
}

/** `python -m openhcs_remote.server.relay` on free ports; resolves once it is ready. */
export async function startRelay(spoolDir: string, spoolMaxBytes: number): Promise<BenchRelay> {
  const child = spawn(
    PYTHON,
    [
      "-m",
      "openhcs_remote.server.relay",
      "--viewer-port",
      "0",
      "--stream-port",
      "0",
      "--spool-dir",
      spoolDir,
      "--spool-max-bytes",
      String(spoolMaxBytes),
    ],
    { cwd: join(REPO_ROOT, "jupyterlab_ext"), stdio: ["ignore", "pipe", "ignore"] },
  );
  const exited = new Promise<void>((resolve) =>
    child.on("exit", () => {
      resolve();
    }),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  const ready = JSON.parse(String(first.value)) as {
    event: string;
    viewer_port: number;
    stream_port: number;
  };
  if (ready.event !== "relay_ready") throw new Error(`relay did not start: ${String(first.value)}`);
  const runs = await listRuns(ready.stream_port);
  return {
    viewerPort: ready.viewer_port,
    streamPort: ready.stream_port,
    nextSeq: (run) => (runs.get(run) ?? 0) + 1,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Ask the relay (one hello) which runs its spool holds, and their last seqs. */
async function listRuns(streamPort: number): Promise<Map<string, number>> {
  const socket = new Dealer({ linger: 0, receiveTimeout: 10_000 });
  socket.connect(`tcp://127.0.0.1:${streamPort}`);
  try {
    await socket.send(JSON.stringify({ type: "hello", protocol: 1, client_name: "bench" }));
    const [frame] = await socket.receive();
    const welcome = JSON.parse(String(frame)) as {
      runs: { execution_id: string; last_seq: number }[];
    };
    await socket.send(JSON.stringify({ type: "bye" }));
    return new Map(welcome.runs.map((run) => [run.execution_id, run.last_seq]));
  } finally {
    socket.close();
  }
}

/** Run the driver in one mode; resolves with its JSON output lines once it exits cleanly. */
export function runDriver(args: readonly string[]): Promise<unknown[]> {
  return jsonLinesOf(`stream_driver ${args[0]}`, PYTHON, [DRIVER, ...args]);
}

/** Our client alone in a Node process: `[{bytes, elapsed}]` once it read `count` images. */
export async function runClient(
  streamPort: number,
  run: string,
  fromSeq: number,
  count: number,
): Promise<unknown[]> {
  const args = [String(streamPort), run, String(fromSeq), String(count)];
  return jsonLinesOf("stream-client", process.execPath, [
    ...(await sidecarNodeFlags()),
    CLIENT,
    ...args,
  ]);
}

let nodeFlags: Promise<string[]> | null = null;

/** The Node flags the notebook shim starts the sidecar with (its `NODE_FLAGS`), asked once. */
function sidecarNodeFlags(): Promise<string[]> {
  nodeFlags ??= jsonLinesOf("NODE_FLAGS", PYTHON, [
    "-c",
    "import json; from openhcs_remote.notebook.sidecar import NODE_FLAGS; " +
      "print(json.dumps({'flags': NODE_FLAGS}))",
  ]).then(([line]) => (line as { flags: string[] }).flags);
  return nodeFlags;
}

async function jsonLinesOf(name: string, command: string, args: string[]): Promise<unknown[]> {
  const child = spawn(command, args, {
    cwd: join(REPO_ROOT, "jupyterlab_ext"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString("utf8"));
    if (stderr.length > 50) stderr.shift();
  });
  const out: unknown[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith("{")) out.push(JSON.parse(line));
  }
  const code = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`${name} exited ${code}:\n${stderr.join("")}`);
  return out;
}

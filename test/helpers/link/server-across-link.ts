/**
 * The real OpenHCS server and our relay across a shaped link, as the link tests and the link
 * bench set it up: a work directory with the normalize pipeline and a synthetic plate, the
 * server in the server namespace bound to the veth address, the delay proxies for its three
 * ports on the user namespace's 127.0.0.1 (as an SSH tunnel), and the user's side: our
 * orchestrator in a Node child there (follower.ts), or runs submitted beside the server.
 *
 * ```ts
 * const across = await startServerAcrossLink({ name: "link-run", plate: { wells: ["A01"] } });
 * const run = across.submitBeside();
 * const followed = across.follow(await run.executionId);
 * await across.close();
 * ```
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CLI, TEST_JOURNAL } from "../cli.js";
import {
  startOpenhcsServer,
  writeSyntheticPlate,
  type PlateOptions,
  type StartedServer,
} from "../openhcs-server.js";
import { REPO_ROOT } from "../python.js";
import { PIPELINE_NORMALIZE, type ReadyRelay } from "../relay-results.js";
import { childScript } from "./child-scripts.js";
import { createShapedLink, type ShapedLink, type ShapedLinkOptions } from "./shaped-link.js";

const CONFIG = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");

/** Options of {@link startServerAcrossLink}. */
export interface ServerAcrossLinkOptions {
  /** Names the work directory (`ohr-<name>-…` in the temporary folder). */
  readonly name: string;
  readonly plate: PlateOptions;
  /** Default: 100 Mbit/s, 20 ms RTT. */
  readonly link?: ShapedLinkOptions;
  /** More `openhcs-remote-server serve` arguments (after `--host`). */
  readonly serverArgs?: readonly string[];
  /** How long the server may take to be ready. */
  readonly timeoutMs?: number;
}

/** A line a child printed (one JSON object), when it came on this host's clock. */
export type ChildEvent = Record<string, unknown> & { readonly event?: string };

/** A child process of {@link ServerAcrossLink}: its JSON lines and how it ended. */
export interface LinkChild {
  /** Every JSON line so far, in order. */
  readonly events: readonly ChildEvent[];
  /** Resolves when it exited (all its lines read) with its exit code; never rejects. */
  readonly exited: Promise<number | null>;
  /** The last 64 kB of its stderr. */
  stderr(): string;
}

/** A `follow` line of follower.ts: an item as it arrived (`at`, `receivedAt`: epoch ms). */
export interface FollowedItem {
  readonly event: "item";
  readonly at: number;
  readonly seq: number;
  readonly kind: string;
  readonly well: string;
  readonly path: string;
  readonly nbytes: number;
  /** Bytes of the preview's pixels. */
  readonly preview: number;
  /** Bytes the preview took on the wire (Blosc-compressed, as the stream asks by default). */
  readonly wire: number;
  /** The relay's receipt of the plane from OpenHCS. */
  readonly receivedAt: number | null;
}

/** A `fetch` line of follower.ts: one plane fetched, its decoded pixels' sha256. */
export interface FetchedPlane {
  readonly event: "plane";
  readonly seq: number;
  readonly encoded: number;
  readonly source: string;
  readonly sha256: string;
}

/** How {@link ServerAcrossLink} starts a child. */
export interface ChildOptions {
  /** Called with each JSON line as it comes. */
  readonly onEvent?: ((event: ChildEvent) => void) | undefined;
  /** More environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The lines `event` of a child that exited 0; otherwise throws with its stderr. */
export async function linesOf<T>(child: LinkChild, event: string): Promise<T[]> {
  const code = await child.exited;
  if (code !== 0) throw new Error(`exited ${code}: ${child.stderr().slice(-2000)}`);
  return child.events.filter((e) => e.event === event) as unknown as T[];
}

/** A run submitted by the CLI beside the server (its own full stream stays off the link). */
export interface BesideRun extends LinkChild {
  /** The execution id, once the server accepted it; rejects if the CLI exits first. */
  readonly executionId: Promise<string>;
}

/** The running set-up; {@link close} removes it all. */
export interface ServerAcrossLink {
  readonly link: ShapedLink;
  readonly server: StartedServer;
  readonly relay: ReadyRelay;
  readonly workDir: string;
  readonly plate: string;
  readonly pipeline: string;
  /** `run --server H:P --plate … --relay H:S --json …extra` against `host` (CLI arguments). */
  runArgs(host: string, extra?: readonly string[]): string[];
  /** The CLI in the server namespace against the veth address: a run nobody across watches. */
  submitBeside(): BesideRun;
  /** `argv` in the user namespace, from the checkout (a kernel, a script). */
  inUserNs(argv: readonly string[], options?: ChildOptions): LinkChild;
  /** follower.ts in the user namespace: `follow ID` or `fetch ID SEQS`; `onEvent` per line. */
  follow(
    executionId: string,
    options?: { readonly seqs?: readonly number[]; readonly onEvent?: (e: ChildEvent) => void },
  ): LinkChild;
  /** Stop the server, remove the link and the work directory. */
  close(): Promise<void>;
}

/** Run `argv` from the checkout; its stdout's JSON lines go to `events` and `onEvent`. */
function startChild(argv: readonly string[], options: ChildOptions = {}): LinkChild {
  const [command = "ip", ...args] = argv;
  const { onEvent } = options;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, OPENHCS_REMOTE_STATE_DIR: TEST_JOURNAL, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: ChildEvent[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-65_536);
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    let event: ChildEvent;
    try {
      event = JSON.parse(line) as ChildEvent;
    } catch {
      return; // not a JSON line
    }
    events.push(event);
    onEvent?.(event);
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { events, exited, stderr: () => stderr };
}

/** Create the link, write the plate and start the server in its namespace with the proxies. */
export async function startServerAcrossLink(
  options: ServerAcrossLinkOptions,
): Promise<ServerAcrossLink> {
  const workDir = mkdtempSync(join(tmpdir(), `ohr-${options.name}-`));
  const pipeline = join(workDir, "normalize.py");
  writeFileSync(pipeline, PIPELINE_NORMALIZE);
  let link: ShapedLink | undefined;
  let server: StartedServer | undefined;
  const close = async () => {
    await server?.stop();
    await link?.close();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const shaped = await createShapedLink(options.link ?? { rateMbit: 100, rttMs: 20 });
    link = shaped;
    const [plate, started] = await Promise.all([
      writeSyntheticPlate(join(workDir, "plate"), options.plate),
      startOpenhcsServer({
        launcher: shaped.serverPrefix,
        extraArgs: ["--host", shaped.serverAddr, ...(options.serverArgs ?? [])],
        logDir: join(workDir, "logs"),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    ]);
    server = started;
    const relay = started.ready.relay as unknown as ReadyRelay;
    // What --host covers: the execution server's two ports and the relay's stream port.
    for (const port of [started.port, started.controlPort, relay.stream_port]) {
      await shaped.proxyFor(port);
    }
    const follower = await childScript("follower");
    const runArgs = (host: string, extra: readonly string[] = []) => [
      "run",
      "--server",
      `${host}:${started.port}`,
      "--plate",
      plate,
      "--pipeline",
      pipeline,
      "--config",
      CONFIG,
      "--relay",
      `${host}:${relay.stream_port}`,
      "--json",
      ...extra,
    ];
    return {
      link: shaped,
      server: started,
      relay,
      workDir,
      plate,
      pipeline,
      runArgs,
      submitBeside() {
        let accept: (id: string) => void = () => undefined;
        const argv = [...shaped.serverPrefix, process.execPath, CLI, ...runArgs(shaped.serverAddr)];
        const child = startChild(argv, {
          onEvent: (event) => {
            if (event.event === "accepted") accept(String(event.execution_id));
          },
        });
        const executionId = new Promise<string>((resolve, reject) => {
          accept = resolve;
          void child.exited.then((code) => {
            reject(new Error(`run exited ${code} before it was accepted\n${child.stderr()}`));
          });
        });
        // A run that is never accepted is reported by whoever awaits the id.
        executionId.catch(() => undefined);
        return { ...child, executionId };
      },
      follow(executionId, followOptions = {}) {
        const mode =
          followOptions.seqs === undefined
            ? ["follow", String(started.port), String(relay.stream_port), executionId]
            : [
                "fetch",
                String(started.port),
                String(relay.stream_port),
                executionId,
                followOptions.seqs.join(","),
              ];
        return startChild([...shaped.userPrefix, process.execPath, follower, ...mode], {
          onEvent: followOptions.onEvent,
        });
      },
      inUserNs(argv, childOptions) {
        return startChild([...shaped.userPrefix, ...argv], childOptions);
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

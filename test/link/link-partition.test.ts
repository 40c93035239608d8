/**
 * A partition mid-run over the shaped link (issue 11): the user's side follows a running OpenHCS
 * run in previews delivery from its own network namespace; the link goes down for 10 s while the
 * server keeps working, then comes back. Every image's preview arrives once, in order, none lost
 * and none doubled; the relay kept them in its spool meanwhile.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { createShapedLink, requireLink, type ShapedLink } from "../helpers/link/index.js";
import {
  startOpenhcsServer,
  writeSyntheticPlate,
  type StartedServer,
} from "../helpers/openhcs-server.js";
import { REPO_ROOT } from "../helpers/python.js";
import { PIPELINE_NORMALIZE, type ReadyRelay } from "../helpers/relay-results.js";

const runs = await requireLink("shaped-link partition test");
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");
const WELLS = ["A01", "A02", "A03", "A04", "B01", "B02", "B03", "B04"];
const PLANES = WELLS.length * 2 * 2;
const PARTITION_MS = 10_000;
/** Time for bytes already past the cut point (socket buffers, the delay proxy) to land. */
const IN_FLIGHT_MS = 2_000;

/** Follow a run in previews delivery until the relay ends it; print what arrived and the summary. */
const FOLLOWER = `
import { RemoteOrchestrator } from ${JSON.stringify(`${REPO_ROOT}lib/orchestrator/index.js`)};
const [port, relayPort, id] = process.argv.slice(2);
const orch = new RemoteOrchestrator({
  serverHost: "127.0.0.1",
  serverPort: Number(port),
  relay: { host: "127.0.0.1", port: Number(relayPort), viewerPort: null },
});
const seqs = [];
const gaps = [];
const stream = orch.results(id, { delivery: "previews", onGap: (gap) => gaps.push(gap) });
for await (const item of stream) {
  seqs.push(item.seq);
  process.stderr.write("item " + item.seq + "\\n");
}
process.stdout.write(JSON.stringify({ seqs, gaps, summary: stream.summary }));
orch.close();
`;

/** Lines of a child's stream, handed to `onLine` as they come. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream }).on("line", onLine);
}

describe.runIf(runs)("a 10 s partition of the link in the middle of a run", () => {
  let link: ShapedLink | undefined;
  let server: StartedServer | undefined;
  let relay: ReadyRelay;
  let workDir = "";
  let plate = "";
  let pipeline = "";

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "ohr-link-partition-"));
    pipeline = join(workDir, "normalize.py");
    writeFileSync(pipeline, PIPELINE_NORMALIZE);
    writeFileSync(join(workDir, "follow.mjs"), FOLLOWER);
    link = await createShapedLink({ rateMbit: 100, rttMs: 20 });
    const shaped = link;
    [plate, server] = await Promise.all([
      writeSyntheticPlate(join(workDir, "plate"), { wells: WELLS, zPlanes: 3, tile: 256 }),
      startOpenhcsServer({
        launcher: shaped.serverPrefix,
        extraArgs: ["--host", shaped.serverAddr],
        logDir: join(workDir, "logs"),
      }),
    ]);
    relay = server.ready.relay as unknown as ReadyRelay;
    for (const port of [server.port, server.controlPort, relay.stream_port]) {
      await shaped.proxyFor(port);
    }
  });

  afterAll(async () => {
    await server?.stop();
    await link?.close();
    if (workDir !== "") rmSync(workDir, { recursive: true, force: true });
  });

  it("loses nothing and doubles nothing: every preview arrives once, after the link is back", async () => {
    if (link === undefined || server === undefined) throw new Error("no link");
    const shaped = link;
    // Submitted beside the server; its own full stream stays off the link.
    const submit = spawn(
      shaped.serverPrefix[0] ?? "ip",
      [
        ...shaped.serverPrefix.slice(1),
        process.execPath,
        CLI,
        "run",
        "--server",
        `${shaped.serverAddr}:${server.port}`,
        "--plate",
        plate,
        "--pipeline",
        pipeline,
        "--config",
        config,
        "--relay",
        `${shaped.serverAddr}:${relay.stream_port}`,
        "--json",
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const submitted = new Promise<number | null>((resolve) => submit.on("exit", resolve));
    const executionId = await new Promise<string>((resolve, reject) => {
      lines(submit.stdout, (line) => {
        const event = JSON.parse(line) as { event?: string; execution_id?: string };
        if (event.event === "accepted" && event.execution_id) resolve(event.execution_id);
      });
      submit.on("exit", (code) => {
        reject(new Error(`run exited ${code} before it was accepted`));
      });
    });

    const follower = spawn(
      shaped.userPrefix[0] ?? "ip",
      [
        ...shaped.userPrefix.slice(1),
        process.execPath,
        join(workDir, "follow.mjs"),
        String(server.port),
        String(relay.stream_port),
        executionId,
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    follower.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    const arrivals: number[] = [];
    const firstItem = new Promise<void>((resolve) => {
      lines(follower.stderr, (line) => {
        if (line.startsWith("item ")) {
          arrivals.push(performance.now());
          resolve();
        }
      });
    });
    const followed = new Promise<number | null>((resolve) => follower.on("exit", resolve));

    await firstItem;
    await shaped.setUserLink(false);
    const cutStart = performance.now();
    const cutAt = arrivals.length;
    await new Promise((resolve) => setTimeout(resolve, PARTITION_MS));
    const cutEnd = performance.now();
    const duringCut = arrivals.length - cutAt;
    // What was already in the sockets' buffers may still land in the cut's first moments.
    const afterDrain = arrivals.filter((t) => t > cutStart + IN_FLIGHT_MS && t < cutEnd).length;
    await shaped.setUserLink(true);
    expect(await submitted, "the run (beside the server) completes").toBe(0);
    expect(await followed).toBe(0);
    const result = JSON.parse(stdout) as {
      seqs: number[];
      gaps: unknown[];
      summary: { delivered: number; duplicates: number; missing: number; status: string };
    };
    expect(result.seqs).toEqual(Array.from({ length: PLANES * 3 }, (_, i) => i + 1));
    expect(result.gaps).toEqual([]);
    expect(result.summary).toMatchObject({ missing: 0, status: "complete" });
    // The cut was real: once what was in flight had landed, nothing came through it.
    expect(afterDrain).toBe(0);
    expect(cutAt).toBeLessThan(PLANES * 3);
    console.log(
      `partition: ${cutAt} previews before the cut, ${duringCut} during it, ` +
        `${PLANES * 3 - cutAt - duringCut} after; duplicates dropped: ${result.summary.duplicates}`,
    );
  });
});

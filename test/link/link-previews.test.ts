/**
 * Previews first over a link that behaves like one (issue 11): a finished run followed from the
 * user's namespace in previews delivery brings every image's server-made preview across the
 * 100 Mbit/s, 20 ms link and none of its pixels; `fetchPlane` then brings each plane, Blosc on
 * the wire, bit-exact OpenHCS's TIFF. The bytes each phase put on the veth are printed against
 * the plate's raw size. The client is our TypeScript orchestrator (the built `lib/`) in a Node
 * process in the user namespace, reaching the server through the delay proxies.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import { createShapedLink, requireLink, type ShapedLink } from "../helpers/link/index.js";
import {
  startOpenhcsServer,
  writeSyntheticPlate,
  type StartedServer,
} from "../helpers/openhcs-server.js";
import { REPO_ROOT } from "../helpers/python.js";
import { PIPELINE_NORMALIZE, readDiskImages, type ReadyRelay } from "../helpers/relay-results.js";

const runs = await requireLink("shaped-link previews test");
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");
const WELLS = ["A01", "A02", "B01", "B02"];
const TILE = 512;
/** 4 wells × 2 sites × 2 channels of 512² uint16: 16 planes, 8 MiB. */
const PLANES = WELLS.length * 2 * 2;
const RAW_BYTES = PLANES * TILE * TILE * 2;

/** The user's side: follow the run in previews delivery, or fetch its planes, and print JSON. */
const CLIENT = `
import { createHash } from "node:crypto";
import { RemoteOrchestrator } from ${JSON.stringify(`${REPO_ROOT}lib/orchestrator/index.js`)};
const [phase, port, relayPort, id, seqs] = process.argv.slice(2);
const orch = new RemoteOrchestrator({
  serverHost: "127.0.0.1",
  serverPort: Number(port),
  relay: { host: "127.0.0.1", port: Number(relayPort), viewerPort: null },
});
const out = [];
if (phase === "previews") {
  for await (const item of orch.results(id, { delivery: "previews", onGap: () => undefined })) {
    out.push({ seq: item.seq, kind: item.kind, path: item.path, nbytes: item.nbytes ?? 0,
      preview: item.kind === "preview" ? (item.preview?.pixels.byteLength ?? 0) : 0 });
  }
} else {
  for (const seq of seqs.split(",").map(Number)) {
    const { header, data } = await orch.fetchPlane(id, seq, { encoding: "blosc" });
    out.push({ seq, encoded: header.encoded_bytes, source: header.source,
      sha256: createHash("sha256").update(data).digest("hex") });
  }
}
orch.close();
process.stdout.write(JSON.stringify(out));
`;

function runClient(launcher: readonly string[], script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [command = "ip", ...rest] = [...launcher, process.execPath, script, ...args];
    const child = spawn(command, rest, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`client ${args[0] ?? ""} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

describe.runIf(runs)("previews first over a 100 Mbit/s, 20 ms RTT link", () => {
  let link: ShapedLink | undefined;
  let server: StartedServer | undefined;
  let relay: ReadyRelay;
  let workDir = "";
  let script = "";
  let executionId = "";
  let previews: { seq: number; kind: string; path: string; nbytes: number; preview: number }[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "ohr-link-previews-"));
    script = join(workDir, "client.mjs");
    writeFileSync(script, CLIENT);
    const pipeline = join(workDir, "normalize.py");
    writeFileSync(pipeline, PIPELINE_NORMALIZE);
    link = await createShapedLink({ rateMbit: 100, rttMs: 20 });
    const shaped = link;
    let plate = "";
    [plate, server] = await Promise.all([
      writeSyntheticPlate(join(workDir, "plate"), { wells: WELLS, zPlanes: 1, tile: TILE }),
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
    // Submitted beside the server (its own full stream stays off the link).
    const host = shaped.serverAddr;
    const submitted = await runCli(
      [
        "run",
        "--server",
        `${host}:${server.port}`,
        "--plate",
        plate,
        "--pipeline",
        pipeline,
        "--config",
        config,
        "--relay",
        `${host}:${relay.stream_port}`,
        "--json",
      ],
      180_000,
      {},
      shaped.serverPrefix,
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    executionId = String(
      jsonLines(submitted.stdout).find((event) => event.event === "accepted")?.execution_id,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await link?.close();
    if (workDir !== "") rmSync(workDir, { recursive: true, force: true });
  });

  const args = (phase: string, seqs = ""): string[] => [
    phase,
    String(server?.port),
    String(relay.stream_port),
    executionId,
    seqs,
  ];

  it("brings every image's preview across the link, and none of its pixels", async () => {
    if (link === undefined) throw new Error("no link");
    const before = await link.userBytes();
    const started = performance.now();
    previews = JSON.parse(
      await runClient(link.userPrefix, script, args("previews")),
    ) as typeof previews;
    const wallMs = performance.now() - started;
    const after = await link.userBytes();
    expect(previews.map((item) => item.kind)).toEqual(Array(PLANES).fill("preview"));
    expect(previews.every((item) => item.preview === 256 * 256)).toBe(true);
    expect(previews.reduce((sum, item) => sum + item.nbytes, 0)).toBe(RAW_BYTES);
    const down = after.rx - before.rx;
    const previewBytes = previews.reduce((sum, item) => sum + item.preview, 0);
    // What crossed: the previews and the protocol around them, far from the plate's pixels.
    expect(down).toBeGreaterThanOrEqual(previewBytes);
    expect(down).toBeLessThan(RAW_BYTES / 4);
    console.log(
      `previews over the link: ${down} B down for ${RAW_BYTES} B of pixels ` +
        `(link_bytes ${(down / RAW_BYTES).toFixed(3)}), ${(wallMs / 1000).toFixed(2)} s wall`,
    );
  });

  it("fetchPlane brings each plane across, Blosc on the wire, bit-exact OpenHCS's TIFF", async () => {
    if (link === undefined) throw new Error("no link");
    expect(previews).toHaveLength(PLANES);
    const before = await link.userBytes();
    const started = performance.now();
    const fetched = JSON.parse(
      await runClient(
        link.userPrefix,
        script,
        args("planes", previews.map((item) => item.seq).join(",")),
      ),
    ) as { seq: number; encoded: number; source: string; sha256: string }[];
    const wallMs = performance.now() - started;
    const after = await link.userBytes();
    const disk = await readDiskImages(previews.map((item) => item.path));
    for (const [index, plane] of fetched.entries()) {
      const path = previews[index]?.path ?? "";
      expect(plane.sha256, `seq ${plane.seq} (${path})`).toBe(disk[path]?.sha256);
      expect(plane.source).toBe("spool");
    }
    const encoded = fetched.reduce((sum, plane) => sum + plane.encoded, 0);
    const down = after.rx - before.rx;
    expect(down).toBeGreaterThanOrEqual(encoded);
    console.log(
      `planes over the link: ${down} B down, ${encoded} B Blosc for ${RAW_BYTES} B raw ` +
        `(ratio ${(RAW_BYTES / encoded).toFixed(2)}), ${(wallMs / 1000).toFixed(2)} s wall`,
    );
  });
});

/**
 * `npm run bench -- link` (as root): the real OpenHCS server and relay in a server network
 * namespace, a follower in a user namespace across a veth shaped to 100 Mbit/s (tbf) and 20 ms
 * RTT (the delay proxy) — test/helpers/link/. A plate of 96 wells × 4 sites × 2 channels of 512²
 * uint16 runs twice, submitted beside the server: once with nobody watching across the link,
 * once with our TypeScript orchestrator following it in previews delivery from the user side.
 *
 * Prints the measured link (rate, RTT) and three ratios, each against a baseline of the same run:
 * - `link_preview_latency_ratio`: p95 over wells of (the well's last preview at the follower −
 *   the relay's receipt of that plane from OpenHCS), over the physical floor (a preview's bytes
 *   at the measured rate + one RTT). Goal ≤ 3. (Measured at the follower's orchestrator, not yet
 *   at a thumbnail drawn in Chromium.)
 * - `link_watch_slowdown_ratio`: the run's wall time watched / not watched. Goal ≤ 1.05.
 * - `link_bytes_ratio`: bytes into the user end of the veth during the watched run / the plate's
 *   raw pixel bytes. Goal ≤ 0.02 for 2048² planes; a 512² plane's preview is 1/8 of it, so here
 *   the floor is 0.125 (`OHR_BENCH_LINK_TILE=2048` for the real size, slow to generate).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CLI } from "../test/helpers/cli.js";
import { createShapedLink, linkAvailable } from "../test/helpers/link/index.js";
import { startOpenhcsServer, writeSyntheticPlate } from "../test/helpers/openhcs-server.js";
import { REPO_ROOT } from "../test/helpers/python.js";
import { PIPELINE_NORMALIZE, type ReadyRelay } from "../test/helpers/relay-results.js";
import { median, quantile } from "./stats.js";

const ROWS = "ABCDEFGH";
const WELLS = Array.from({ length: 96 }, (_, i) => {
  const column = String((i % 12) + 1).padStart(2, "0");
  return `${ROWS[Math.floor(i / 12)] ?? "A"}${column}`;
});
const SITES = 4;
const CHANNELS = 2;
const TILE = Number(process.env.OHR_BENCH_LINK_TILE ?? 512);
const PLANES = WELLS.length * SITES * CHANNELS;
const RAW_BYTES = PLANES * TILE * TILE * 2;

/** The follower: previews delivery, one JSON line per item (arrival on this clock). */
const FOLLOWER = `
import { RemoteOrchestrator } from ${JSON.stringify(`${REPO_ROOT}lib/orchestrator/index.js`)};
const [port, relayPort, id] = process.argv.slice(2);
const orch = new RemoteOrchestrator({
  serverHost: "127.0.0.1",
  serverPort: Number(port),
  relay: { host: "127.0.0.1", port: Number(relayPort), viewerPort: null },
});
for await (const item of orch.results(id, { delivery: "previews", onGap: () => undefined })) {
  process.stdout.write(JSON.stringify({ seq: item.seq, well: item.well, at: Date.now() / 1000,
    received: item.receivedAt ?? null, bytes: item.preview?.pixels.byteLength ?? 0 }) + "\\n");
}
orch.close();
`;

interface Arrival {
  readonly seq: number;
  readonly well: string;
  readonly at: number;
  readonly received: number | null;
  readonly bytes: number;
}

function spawnLines(
  argv: readonly string[],
  onLine: (line: string) => void,
): Promise<number | null> {
  const [command = "ip", ...args] = argv;
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  createInterface({ input: child.stdout }).on("line", onLine);
  return new Promise((resolve) => child.on("exit", resolve));
}

export async function benchLink(): Promise<void> {
  const availability = await linkAvailable();
  if (!availability.available) {
    console.error(`link bench: no shaped link here (${availability.reason})`);
    process.exitCode = 2;
    return;
  }
  const workDir = mkdtempSync(join(tmpdir(), "ohr-bench-link-"));
  const link = await createShapedLink({ rateMbit: 100, rttMs: 20 });
  try {
    const pipeline = join(workDir, "normalize.py");
    writeFileSync(pipeline, PIPELINE_NORMALIZE);
    const follower = join(workDir, "follow.mjs");
    writeFileSync(follower, FOLLOWER);
    console.log(`plate: ${WELLS.length} wells × ${SITES} sites × ${CHANNELS} channels of ${TILE}²`);
    const [plate, server] = await Promise.all([
      writeSyntheticPlate(join(workDir, "plate"), {
        wells: WELLS,
        sites: SITES,
        channels: CHANNELS,
        zPlanes: 1,
        tile: TILE,
      }),
      startOpenhcsServer({
        launcher: link.serverPrefix,
        extraArgs: ["--host", link.serverAddr, "--spool-max-bytes", String(4 * RAW_BYTES)],
        logDir: join(workDir, "logs"),
        timeoutMs: 300_000,
      }),
    ]);
    const relay = server.ready.relay as unknown as ReadyRelay;
    for (const port of [server.port, server.controlPort, relay.stream_port]) {
      await link.proxyFor(port);
    }
    const measured = await link.measure();
    console.log(
      `link: ${measured.downloadMBps.toFixed(2)} MB/s down, ${measured.uploadMBps.toFixed(2)} MB/s up, ` +
        `RTT median ${measured.rttMs.toFixed(1)} ms`,
    );

    /** One run submitted beside the server; `watch` follows it across the link. */
    const oneRun = async (watch: boolean) => {
      const arrivals: Arrival[] = [];
      let followed: Promise<number | null> = Promise.resolve(0);
      const before = await link.userBytes();
      const started = performance.now();
      let accepted = "";
      const submitted = spawnLines(
        [
          ...link.serverPrefix,
          process.execPath,
          CLI,
          "run",
          "--server",
          `${link.serverAddr}:${server.port}`,
          "--plate",
          plate,
          "--pipeline",
          pipeline,
          "--config",
          join(REPO_ROOT, "examples", "pipelines", "cpu_config.py"),
          "--relay",
          `${link.serverAddr}:${relay.stream_port}`,
          "--json",
        ],
        (line) => {
          const event = JSON.parse(line) as { event?: string; execution_id?: string };
          if (event.event !== "accepted" || !watch || accepted !== "") return;
          accepted = event.execution_id ?? "";
          followed = spawnLines(
            [
              ...link.userPrefix,
              process.execPath,
              follower,
              String(server.port),
              String(relay.stream_port),
              accepted,
            ],
            (item) => arrivals.push(JSON.parse(item) as Arrival),
          );
        },
      );
      const code = await submitted;
      const wallS = (performance.now() - started) / 1000;
      await followed;
      const after = await link.userBytes();
      if (code !== 0) throw new Error(`the ${watch ? "watched" : "unwatched"} run exited ${code}`);
      return { wallS, arrivals, down: after.rx - before.rx };
    };

    const alone = await oneRun(false);
    const watched = await oneRun(true);
    const lastByWell = new Map<string, Arrival>();
    for (const arrival of watched.arrivals) {
      const last = lastByWell.get(arrival.well);
      if (last === undefined || arrival.at > last.at) lastByWell.set(arrival.well, arrival);
    }
    const latencies = [...lastByWell.values()]
      .filter((a) => a.received !== null)
      .map((a) => (a.at - (a.received ?? a.at)) * 1000);
    const previewBytes = median(watched.arrivals.map((a) => a.bytes));
    const floorMs = (previewBytes / (measured.downloadMBps * 1e6)) * 1000 + measured.rttMs;
    console.log(`previews received: ${watched.arrivals.length} of ${PLANES} planes`);
    console.log(
      `well's last preview after the relay got it: median ${median(latencies).toFixed(1)} ms, ` +
        `p95 ${quantile(latencies, 0.95).toFixed(1)} ms (floor ${floorMs.toFixed(1)} ms: ` +
        `${previewBytes} B at the measured rate + one RTT)`,
    );
    console.log(
      `run wall time: ${watched.wallS.toFixed(1)} s watched, ${alone.wallS.toFixed(1)} s alone`,
    );
    console.log(
      `bytes down the link: ${watched.down} watched, ${alone.down} alone; raw ${RAW_BYTES}`,
    );
    console.log(`link_preview_latency_ratio ${(quantile(latencies, 0.95) / floorMs).toFixed(3)}`);
    console.log(`link_watch_slowdown_ratio ${(watched.wallS / alone.wallS).toFixed(3)}`);
    console.log(`link_bytes_ratio ${(watched.down / RAW_BYTES).toFixed(4)}`);
    await server.stop();
  } finally {
    await link.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- link` (as root): the real OpenHCS server and relay in a server network
 * namespace, the user's side across a veth shaped to 100 Mbit/s (tbf) and 20 ms RTT (the delay
 * proxy) — test/helpers/link/. A plate of 96 wells × 4 sites × 2 channels of 512² uint16 runs
 * twice, submitted beside the server: once with nobody watching across the link, once watched
 * in previews delivery by our widget in a real JupyterLab in headless Chromium, its sidecar in
 * the user namespace (bench/link-watcher.ts).
 *
 * Prints the measured link (rate, RTT) and three ratios, each against a baseline of the same run:
 * - `link_preview_latency_ratio`: p95 over wells of (the well's thumbnail — what its grid cell
 *   shows: its first plane, every channel — drawn complete in Chromium − the relay's receipt of
 *   the well's last plane from OpenHCS), over the physical floor (a preview's bytes as they
 *   cross — Blosc-compressed — at the measured rate + one RTT). Goal ≤ 3. The relay numbers a
 *   batch plane by plane, so that plane crosses first; the floor of the previews up to it and
 *   of the well's whole batch are printed too. The relay's receipt (`received_at`, the server
 *   host's clock) stands for "left the worker"; every process is on this host, so Chromium's
 *   Date.now() is the same clock. The page is sent only what it keeps (the shim's
 *   page_previews.py): a well's other previews stay in the kernel.
 * - `link_watch_slowdown_ratio`: the run's wall time watched / not watched (the mean of one
 *   unwatched run before and one after the watched one, so a drift between runs cancels).
 *   Goal ≤ 1.05. The server namespace runs on one core and the watching side (JupyterLab,
 *   kernel, sidecar, Chromium) on the other, as on two machines (`OHR_BENCH_LINK_PIN=0` shares
 *   them); the watching side's CPU seconds during the watched run are printed next to it.
 * - `link_bytes_ratio`: bytes into the user end of the veth during the watched run / the plate's
 *   raw pixel bytes. Goal ≤ 0.02 for 2048² planes; a 512² plane's raw preview is 1/8 of it, so
 *   here 0.125 before compression (`OHR_BENCH_LINK_TILE=2048` for the real size, slow to make).
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import {
  linesOf,
  linkAvailable,
  namespacePids,
  startServerAcrossLink,
  type FollowedItem,
  type ServerAcrossLink,
} from "../test/helpers/link/index.js";
import { startLinkWatcher, type LinkWatcher } from "./link-watcher.js";
import { median, quantile } from "./stats.js";

const ROWS = "ABCDEFGH";
/** `OHR_BENCH_LINK_WELLS` (default 96, the minimum) for a quicker look. */
const WELLS = Array.from({ length: Number(process.env.OHR_BENCH_LINK_WELLS ?? 96) }, (_, i) => {
  const column = String((i % 12) + 1).padStart(2, "0");
  return `${ROWS[Math.floor(i / 12)] ?? "A"}${column}`;
});
const SITES = 4;
const CHANNELS = 2;
const TILE = Number(process.env.OHR_BENCH_LINK_TILE ?? 512);
const PLANES = WELLS.length * SITES * CHANNELS;
const RAW_BYTES = PLANES * TILE * TILE * 2;
/** Items the relay received this close before a well's last plane came in its batch. */
const BATCH_WINDOW_MS = 50;
/**
 * Where a well's last preview is on its way to being drawn, in order: the parts between two
 * are the link, sidecar and shim; the widget feed; jupyter_server and the websocket; the page.
 */
const LATENCY_STAGES = [
  { key: "queued", label: "queued for the widget in the kernel (link, sidecar, shim)" },
  { key: "sent", label: "handed to the widget's comm (widget feed)" },
  { key: "iopub", label: "sent on the kernel's IOPub socket (ipykernel's IOPub thread)" },
  { key: "received", label: "received by jupyter_server (ZeroMQ, its event loop)" },
  { key: "written", label: "written to the page's websocket (jupyter_server)" },
  { key: "arrived", label: "the page's websocket message (the socket, the page's queue)" },
] as const;
type LatencyStage = (typeof LATENCY_STAGES)[number]["key"];
const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const execFileAsync = promisify(execFile);

/**
 * CPU seconds (user + system, with the children they reaped: OpenHCS's workers) `pids` have
 * used so far; processes gone are left out.
 */
function cpuSeconds(pids: readonly number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of new Set(pids)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      used.set(pid, ticks / CLOCK_TICKS);
    } catch {
      // exited
    }
  }
  return used;
}

/**
 * Seconds the threads of `pids` have spent runnable but waiting for a CPU (the second field of
 * /proc/<pid>/task/<tid>/schedstat): on the watching side's one core, the time a stage of the
 * thumbnail's way stood in line behind the others.
 */
function runQueueSeconds(pids: readonly number[]): Map<number, number> {
  const waited = new Map<number, number>();
  for (const pid of new Set(pids)) {
    let ns = 0;
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
        ns += Number(fields[1] ?? 0);
      }
    } catch {
      continue; // exited
    }
    waited.set(pid, ns / 1e9);
  }
  return waited;
}

/** CPU seconds used between two readings, by the processes in `after`. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** What a process of the watching side is, from its command line (for the CPU breakdown). */
function watcherRole(pid: number): string {
  let args: string[];
  try {
    // Chromium rewrites its children's command lines into one space-separated string.
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
  } catch {
    return "gone";
  }
  const type = args.find((arg) => arg.startsWith("--type="));
  if (args.some((arg) => arg.includes("chromium"))) {
    return `chromium ${type?.slice("--type=".length) ?? "browser"}`;
  }
  if (args.some((arg) => arg.includes("ipykernel"))) return "kernel";
  if (args.includes("jupyterlab")) return "jupyter_server";
  if (args.some((arg) => arg.includes("sidecar"))) return "sidecar";
  return args[0]?.split("/").pop() ?? "?";
}

/**
 * Seconds (of CPU, or of waiting for one) between two readings, by role of the watching side's
 * processes.
 */
function secondsByRole(
  before: Map<number, number>,
  after: Map<number, number>,
): Map<string, number> {
  const byRole = new Map<string, number>();
  for (const [pid, seconds] of after) {
    const role = watcherRole(pid);
    byRole.set(role, (byRole.get(role) ?? 0) + seconds - (before.get(pid) ?? 0));
  }
  return byRole;
}

/**
 * How long the relay took to answer OpenHCS's batches of each run (its log's "batch of N bytes
 * answered in X ms: stored <execution id> seq …" lines): the worker waits that long per batch.
 */
function relayAnswerMs(logDir: string): Map<string, number[]> {
  const byRun = new Map<string, number[]>();
  for (const name of readdirSync(logDir).filter((n) => n.startsWith("relay-"))) {
    for (const line of readFileSync(join(logDir, name), "utf8").split("\n")) {
      const match = /answered in ([\d.]+) ms: stored (\S+) seq/.exec(line);
      if (match === null) continue;
      const [, ms = "0", run = ""] = match;
      byRun.set(run, [...(byRun.get(run) ?? []), Number(ms)]);
    }
  }
  return byRun;
}

/**
 * The two sides on a core each (`OHR_BENCH_LINK_PIN=0`: not): in the product they are two
 * machines, here they share two cores, and without this the watched run's slowdown is mostly
 * the watching side's CPU taken from OpenHCS. Children started later inherit their parent's.
 */
const PIN = process.env.OHR_BENCH_LINK_PIN !== "0" && cpus().length >= 2;
const SERVER_CPU = 0;
const USER_CPU = 1;

/** `taskset` every thread of `pids` onto `cpu` (processes gone meanwhile are skipped). */
async function pinTo(cpu: number, pids: readonly number[]): Promise<void> {
  for (const pid of new Set(pids)) {
    await execFileAsync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)]).catch(
      () => undefined,
    );
  }
}

/** Pin the server namespace to one core, the user's side (namespace and watcher) to the other. */
async function pinSides(across: ServerAcrossLink, watcher: LinkWatcher | null): Promise<void> {
  if (!PIN) return;
  await pinTo(SERVER_CPU, await namespacePids(across.link.serverNs));
  await pinTo(USER_CPU, [...(await namespacePids(across.link.userNs)), ...(watcher?.pids() ?? [])]);
}

/** `seconds` by role, largest first: "chromium renderer 8.9, sidecar 2.4, …". */
function describeByRole(seconds: ReadonlyMap<string, number>, digits: number): string {
  return [...seconds]
    .sort(([, a], [, b]) => b - a)
    .map(([role, s]) => `${role} ${s.toFixed(digits)}`)
    .join(", ");
}

/** Each stage's time after the relay's receipt of a well's last plane, median and p95. */
function printStages(stages: readonly { label: string; ms: number[] }[]): void {
  for (const stage of stages) {
    console.log(
      `  relay → ${stage.label}: median ${median(stage.ms).toFixed(1)} ms, p95 ` +
        `${quantile(stage.ms, 0.95).toFixed(1)} ms (${stage.ms.length} wells)`,
    );
  }
}

/** One run submitted beside the server; `watcher` (if any) watches it across the link. */
async function oneRun(across: ServerAcrossLink, watcher: LinkWatcher | null) {
  await pinSides(across, watcher);
  const serverPids = () => namespacePids(across.link.serverNs);
  const before = await across.link.userBytes();
  const cpuBefore = cpuSeconds(watcher?.pids() ?? []);
  const waitedBefore = runQueueSeconds(watcher?.pids() ?? []);
  const pageBefore = await watcher?.pageMetrics();
  const serverBefore = cpuSeconds(await serverPids());
  const loadBefore = loadavg()[0] ?? 0;
  const started = performance.now();
  const run = across.submitBeside();
  if (watcher !== null) await watcher.watch(await run.executionId);
  const code = await run.exited;
  const wallS = (performance.now() - started) / 1000;
  const serverCpuS = cpuBetween(serverBefore, cpuSeconds(await serverPids()));
  const load = `${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`;
  const executionId = await run.executionId;
  if (code !== 0) throw new Error(`the run exited ${code}: ${run.stderr().slice(-2000)}`);
  await watcher?.finished(300_000);
  const after = await across.link.userBytes();
  const cpuAfter = cpuSeconds(watcher?.pids() ?? []);
  const waitedByRole = secondsByRole(waitedBefore, runQueueSeconds(watcher?.pids() ?? []));
  const watcherCpuS = cpuBetween(cpuBefore, cpuAfter);
  const watcherCpuByRole = secondsByRole(cpuBefore, cpuAfter);
  const pageAfter = await watcher?.pageMetrics();
  const pageMainThreadS = new Map(
    [...(pageAfter ?? [])].map(([name, s]) => [name, s - (pageBefore?.get(name) ?? 0)]),
  );
  return {
    executionId,
    wallS,
    down: after.rx - before.rx,
    watcherCpuS,
    watcherCpuByRole,
    waitedByRole,
    pageMainThreadS,
    serverCpuS,
    load,
  };
}

export async function benchLink(): Promise<void> {
  const availability = await linkAvailable();
  if (!availability.available) {
    console.error(`link bench: no shaped link here (${availability.reason})`);
    process.exitCode = 2;
    return;
  }
  console.log(`plate: ${WELLS.length} wells × ${SITES} sites × ${CHANNELS} channels of ${TILE}²`);
  console.log(
    PIN
      ? `cores: the server namespace on CPU ${SERVER_CPU}, the user's side (its namespace, JupyterLab, kernel, sidecar, Chromium) on CPU ${USER_CPU}`
      : "cores: shared (OHR_BENCH_LINK_PIN=0)",
  );
  const across = await startServerAcrossLink({
    name: "bench-link",
    plate: { wells: WELLS, sites: SITES, channels: CHANNELS, zPlanes: 1, tile: TILE },
    serverArgs: ["--spool-max-bytes", String(4 * RAW_BYTES)],
    timeoutMs: 300_000,
  });
  let watcher: LinkWatcher | undefined;
  try {
    const measured = await across.link.measure();
    console.log(
      `link: ${measured.downloadMBps.toFixed(2)} MB/s down, ${measured.uploadMBps.toFixed(2)} MB/s up, ` +
        `RTT median ${measured.rttMs.toFixed(1)} ms`,
    );
    // Alone before and after the watched run: a later run on the same server can be slower
    // (or faster) by itself, and the mean of the two cancels a steady drift.
    const aloneBefore = await oneRun(across, null);
    watcher = await startLinkWatcher(across, across.workDir);
    const watched = await oneRun(across, watcher);
    const drawn = (await watcher.drawn()).filter((d) => d.exec === watched.executionId);
    const arrivals = await watcher.arrivals();
    const kernelTimes = watcher.kernelTimes();
    await watcher.stop();
    watcher = undefined;
    const aloneAfter = await oneRun(across, null);
    const alone = {
      wallS: (aloneBefore.wallS + aloneAfter.wallS) / 2,
      serverCpuS: (aloneBefore.serverCpuS + aloneAfter.serverCpuS) / 2,
      down: Math.max(aloneBefore.down, aloneAfter.down),
      load: `${aloneBefore.load} and ${aloneAfter.load}`,
      executionId: aloneBefore.executionId,
    };

    // The relay's receipt of each item and the previews' sizes: the run replayed from its spool
    // by the follower across the link (after the bytes above were counted).
    const items = await linesOf<FollowedItem>(across.follow(watched.executionId), "item");
    const lastByWell = new Map<string, FollowedItem>();
    for (const item of items) {
      const last = lastByWell.get(item.well);
      if (last === undefined || item.seq > last.seq) lastByWell.set(item.well, item);
    }
    /** Per well: what its grid cell shows (its thumbnail plane) drawn complete. */
    const latencies: number[] = [];
    /** The floor of the previews that cross before that plane's last (its whole batch's too). */
    const aheadFloors: number[] = [];
    const batchFloors: number[] = [];
    /** Where that plane's last preview was among the previews of the well's batch (1-based). */
    const positions: number[] = [];
    /** Each stage's time after the relay's receipt of a well's last plane, per well. */
    const stages = LATENCY_STAGES.map((stage) => ({ ...stage, ms: [] as number[] }));
    const times: Record<LatencyStage, ReadonlyMap<number, number>> = {
      ...kernelTimes,
      arrived: arrivals,
    };
    let undrawn = 0;
    /** The physical floor of `bytes` of previews: their time at the measured rate + one RTT. */
    const floorFor = (bytes: number): number =>
      (bytes / (measured.downloadMBps * 1e6)) * 1000 + measured.rttMs;
    for (const [well, last] of lastByWell) {
      const lastAt = last.receivedAt;
      // The well's last drawing holds its thumbnail plane's final previews (the newest, `seq`):
      // the first drawing with them is when the user saw the well.
      const ofWell = drawn.filter((d) => d.well === well);
      const thumbSeq = Math.max(...ofWell.map((d) => d.seq));
      const shown = ofWell.find((d) => d.seq >= thumbSeq);
      if (shown === undefined || lastAt === null) {
        undrawn += 1;
        continue;
      }
      latencies.push(shown.t - lastAt);
      for (const stage of stages) {
        const at = times[stage.key].get(thumbSeq);
        if (at !== undefined) stage.ms.push(at - lastAt);
      }
      // The well's previews that reached the relay with its last plane (one OpenHCS batch)
      // cross the link one after another, in seq order.
      const batch = items.filter(
        (item) => item.well === well && (item.receivedAt ?? 0) >= lastAt - BATCH_WINDOW_MS,
      );
      const ahead = batch.filter((item) => item.seq <= thumbSeq);
      const bytesOf = (some: FollowedItem[]) => some.reduce((sum, item) => sum + item.wire, 0);
      aheadFloors.push(floorFor(bytesOf(ahead)));
      batchFloors.push(floorFor(bytesOf(batch)));
      positions.push(ahead.length);
    }
    const previewBytes = median(items.map((item) => item.wire));
    const floorMs = floorFor(previewBytes);
    const p95 = quantile(latencies, 0.95);
    console.log(
      `previews: ${items.length} of ${PLANES} planes; thumbnails drawn ${drawn.length} times, ` +
        `${latencies.length} wells drawn with their thumbnail plane complete, ${undrawn} not`,
    );
    console.log(
      `well's last plane at the relay → its thumbnail (what its grid cell shows: the first ` +
        `plane, every channel) drawn complete in Chromium: median ${median(latencies).toFixed(1)} ms, ` +
        `p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (floor ` +
        `${floorMs.toFixed(1)} ms: ${previewBytes} B, a preview's median on the wire, at the ` +
        `measured rate + one RTT)`,
    );
    printStages(stages);
    console.log(
      `  that plane's last preview is preview ${median(positions)} (median) of the well's batch ` +
        `on the wire: floor of the previews up to it ${median(aheadFloors).toFixed(1)} ms, of the ` +
        `whole batch ${median(batchFloors).toFixed(1)} ms`,
    );
    console.log(
      `run wall time: ${watched.wallS.toFixed(1)} s watched, ${alone.wallS.toFixed(1)} s alone ` +
        `(${aloneBefore.wallS.toFixed(1)} s before, ${aloneAfter.wallS.toFixed(1)} s after); ` +
        `the watching side (JupyterLab, kernel, sidecar, Chromium) used ` +
        `${watched.watcherCpuS.toFixed(1)} CPU s meanwhile: ` +
        describeByRole(watched.watcherCpuByRole, 1),
    );
    console.log(
      `the watching side's threads waited for a CPU (runnable, not running) meanwhile, s: ` +
        describeByRole(watched.waitedByRole, 2),
    );
    console.log(
      `the page's main thread meanwhile (Chromium's metrics, s): ` +
        [...watched.pageMainThreadS]
          .map(([name, seconds]) => `${name.replace(/Duration$/, "")} ${seconds.toFixed(2)}`)
          .join(", "),
    );
    console.log(
      `server namespace (OpenHCS, its workers, the relay) CPU: ${watched.serverCpuS.toFixed(1)} s ` +
        `watched, ${alone.serverCpuS.toFixed(1)} s alone; machine load average ` +
        `${watched.load} watched, ${alone.load} alone (${cpus().length} cores)`,
    );
    const answers = relayAnswerMs(join(across.workDir, "logs"));
    const describe = (run: string) => {
      const ms = answers.get(run) ?? [];
      return `median ${median(ms).toFixed(1)} ms, p95 ${quantile(ms, 0.95).toFixed(1)} ms (${ms.length} batches)`;
    };
    console.log(
      `relay's answer to OpenHCS's batches: ${describe(watched.executionId)} watched, ` +
        `${describe(alone.executionId)} alone`,
    );
    console.log(
      `bytes down the link: ${watched.down} watched, ${alone.down} alone; raw ${RAW_BYTES}`,
    );
    console.log(`link_preview_latency_ratio ${(p95 / floorMs).toFixed(3)}`);
    console.log(`link_watch_slowdown_ratio ${(watched.wallS / alone.wallS).toFixed(3)}`);
    console.log(`link_bytes_ratio ${(watched.down / RAW_BYTES).toFixed(4)}`);
  } finally {
    await watcher?.stop();
    await across.close();
  }
}

/**
 * The user watching a run across the shaped link, as in the product: relay → (link) → sidecar →
 * shim in the kernel → JupyterLab → our widget in headless Chromium. The sidecar is the only
 * part that talks to the server, so it is the part that runs in the user namespace: the
 * kernel starts it through `OPENHCS_REMOTE_NODE`, a wrapper that execs Node under
 * `ip netns exec <user ns>`. JupyterLab, its kernel and Chromium stay in the root namespace
 * (what joins them is loopback and the sidecar's stdio, on the user's machine in the product;
 * from the root namespace the server is not reachable at all, so nothing else can cross).
 *
 * The page records each `ohr-preview-drawn` (bench/widget-recorder.ts) with `Date.now()`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, CDPSession } from "playwright-core";
import { startJupyterLab, type JupyterLab } from "../test/helpers/jupyter-lab.js";
import { launchChromium, openNotebook, type LabNotebook } from "../test/helpers/lab-page.js";
import type { ServerAcrossLink } from "../test/helpers/link/index.js";
import { descendants } from "../test/helpers/processes.js";
import { RUN_STATUS, linkNotebook } from "./link-notebook.js";
import { installRecorder, type BenchRecords, type DrawnRecord } from "./widget-recorder.js";

/** A JupyterLab page waiting to watch one run. */
export interface LinkWatcher {
  /** Hand the kernel the run to attach to (it is waiting for it). */
  watch(executionId: string): Promise<void>;
  /** Resolve once the notebook is idle again; throws unless the run completed. */
  finished(timeoutMs: number): Promise<void>;
  /** The thumbnails drawn so far. */
  drawn(): Promise<DrawnRecord[]>;
  /**
   * When each preview's comm message reached the page's script on its kernel websocket, by seq
   * (bench/widget-recorder.ts): splits the latency into kernel side and page side.
   */
  arrivals(): Promise<ReadonlyMap<number, number>>;
  /**
   * When the kernel queued each preview for the widget, handed it to the widget's comm and sent
   * it on its IOPub socket; when jupyter_server received it and wrote it to the page's
   * websocket; by seq (after `finished`).
   */
  kernelTimes(): Record<KernelStage, ReadonlyMap<number, number>>;
  /**
   * The page's main-thread time so far, in seconds (Chromium's `Performance.getMetrics`:
   * TaskDuration, ScriptDuration, LayoutDuration, RecalcStyleDuration, …).
   */
  pageMetrics(): Promise<ReadonlyMap<string, number>>;
  /** Pids of the watching side: JupyterLab, its kernel, the sidecar, Chromium. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Where the kernel and jupyter_server time each preview (bench/link-notebook.ts, jupyter_test_config.py). */
export type KernelStage = "queued" | "sent" | "iopub" | "received" | "written";

/** `OHR_BENCH_LINK_TRACE=<file>`: Chromium's performance trace of the watched run. */
const TRACE = process.env.OHR_BENCH_LINK_TRACE;
/** `OHR_BENCH_LINK_PROFILE=<file>`: the page's JavaScript CPU profile of the watched run. */
const PROFILE = process.env.OHR_BENCH_LINK_PROFILE;

/** Times recorded as JSON (seq → ms), as a map. */
function bySeq(times: Record<string, number>): ReadonlyMap<number, number> {
  return new Map(Object.entries(times).map(([seq, t]) => [Number(seq), t]));
}

/** Start JupyterLab and Chromium, run the notebook until the kernel waits for an execution id. */
export async function startLinkWatcher(
  across: ServerAcrossLink,
  workDir: string,
): Promise<LinkWatcher> {
  const root = join(workDir, "notebooks");
  const handoff = join(workDir, "handoff");
  mkdirSync(root);
  mkdirSync(handoff);
  writeFileSync(join(root, "link.ipynb"), JSON.stringify(linkNotebook()));
  const node = join(workDir, "node-in-user-ns");
  const prefix = across.link.userPrefix.join(" ");
  writeFileSync(node, `#!/bin/sh\nexec ${prefix} ${process.execPath} "$@"\n`);
  chmodSync(node, 0o755);

  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const one of stops.reverse()) await one().catch(() => undefined);
  };
  let lab: JupyterLab;
  let browser: Browser;
  let notebook: LabNotebook;
  let cdp: CDPSession;
  try {
    lab = await startJupyterLab({
      root,
      env: {
        OPENHCS_REMOTE_NODE: node,
        OPENHCS_REMOTE_PORT: String(across.server.port),
        OPENHCS_REMOTE_RELAY: `127.0.0.1:${across.relay.stream_port}`,
        OHR_BENCH_HANDOFF: handoff,
        OHR_LAB_FORWARD_TIMES: join(handoff, "forward-times.jsonl"),
      },
    });
    stops.push(() => lab.stop());
    browser = await launchChromium();
    stops.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(installRecorder);
    notebook = await openNotebook(page, lab, "link.ipynb");
    cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    await notebook.runAll();
    const deadline = Date.now() + 120_000;
    while (!existsSync(join(handoff, "ready"))) {
      if (Date.now() > deadline) {
        throw new Error(`the kernel did not connect in 120 s:\n${lab.logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  // Chromium is this process's child (playwright launched it) running Debian's binary.
  const chromium = descendants(process.pid).filter(
    (p) => p.ppid === process.pid && p.args.some((arg) => arg.includes("chromium")),
  );
  const records = async () => (await notebook.page.evaluate(() => window.ohrBench)) as BenchRecords;
  return {
    async watch(executionId) {
      if (PROFILE !== undefined) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
        await cdp.send("Profiler.start");
      }
      if (TRACE !== undefined) {
        await browser.startTracing(notebook.page, {
          path: TRACE,
          categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"],
        });
      }
      // Renamed into place: the kernel never reads half an id.
      const partial = join(handoff, "execution-id.tmp");
      writeFileSync(partial, executionId);
      renameSync(partial, join(handoff, "execution-id"));
    },
    async finished(timeoutMs) {
      await notebook.waitForIdle(timeoutMs);
      if (TRACE !== undefined) await browser.stopTracing();
      if (PROFILE !== undefined) {
        const { profile } = await cdp.send("Profiler.stop");
        writeFileSync(PROFILE, JSON.stringify(profile));
      }
      const status = (await notebook.execute(RUN_STATUS)).trim();
      if (status !== "complete") {
        throw new Error(`the watched run ended ${status}; JupyterLab:\n${lab.logTail()}`);
      }
    },
    async drawn() {
      return (await records()).drawn;
    },
    async arrivals() {
      return bySeq((await records()).arrived);
    },
    kernelTimes() {
      const read = (name: string) => {
        const path = join(handoff, name);
        return existsSync(path) ? readFileSync(path, "utf8") : "";
      };
      const kernel = JSON.parse(read("kernel-times.json") || "{}") as Partial<
        Record<KernelStage, Record<string, number>>
      >;
      const forwarded = read("forward-times.jsonl")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { seq: number; received: number; written: number });
      const first = (key: "received" | "written") => {
        const times = new Map<number, number>();
        for (const line of forwarded) if (!times.has(line.seq)) times.set(line.seq, line[key]);
        return times;
      };
      return {
        queued: bySeq(kernel.queued ?? {}),
        sent: bySeq(kernel.sent ?? {}),
        iopub: bySeq(kernel.iopub ?? {}),
        received: first("received"),
        written: first("written"),
      };
    },
    async pageMetrics() {
      const { metrics } = await cdp.send("Performance.getMetrics");
      return new Map(
        metrics.filter((m) => m.name.endsWith("Duration")).map((m) => [m.name, m.value]),
      );
    },
    pids() {
      const roots = [lab.pid, ...chromium.map((p) => p.pid)];
      return [...roots, ...roots.flatMap((pid) => descendants(pid).map((p) => p.pid))];
    },
    stop,
  };
}

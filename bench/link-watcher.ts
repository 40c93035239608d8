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
import type { Browser } from "playwright-core";
import { startJupyterLab, type JupyterLab } from "../test/helpers/jupyter-lab.js";
import { launchChromium, openNotebook, type LabNotebook } from "../test/helpers/lab-page.js";
import type { ServerAcrossLink } from "../test/helpers/link/index.js";
import { descendants } from "../test/helpers/processes.js";
import { RUN_STATUS, linkNotebook } from "./link-notebook.js";
import { installRecorder, type BenchRecords, type DrawnRecord } from "./widget-recorder.js";

/** A JupyterLab page waiting to watch one run. */
export interface LinkWatcher {
  /** Hand the kernel the run to attach to (it is waiting for it). */
  watch(executionId: string): void;
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
   * When the kernel queued each preview for the widget and handed it to the widget's comm, by
   * seq (after `finished`).
   */
  kernelTimes(): { queued: ReadonlyMap<number, number>; sent: ReadonlyMap<number, number> };
  /** Pids of the watching side: JupyterLab, its kernel, the sidecar, Chromium. */
  pids(): number[];
  stop(): Promise<void>;
}

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
  try {
    lab = await startJupyterLab({
      root,
      env: {
        OPENHCS_REMOTE_NODE: node,
        OPENHCS_REMOTE_PORT: String(across.server.port),
        OPENHCS_REMOTE_RELAY: `127.0.0.1:${across.relay.stream_port}`,
        OHR_BENCH_HANDOFF: handoff,
      },
    });
    stops.push(() => lab.stop());
    browser = await launchChromium();
    stops.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(installRecorder);
    notebook = await openNotebook(page, lab, "link.ipynb");
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
    watch(executionId) {
      // Renamed into place: the kernel never reads half an id.
      const partial = join(handoff, "execution-id.tmp");
      writeFileSync(partial, executionId);
      renameSync(partial, join(handoff, "execution-id"));
    },
    async finished(timeoutMs) {
      await notebook.waitForIdle(timeoutMs);
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
      const path = join(handoff, "kernel-times.json");
      if (!existsSync(path)) return { queued: new Map(), sent: new Map() };
      const times = JSON.parse(readFileSync(path, "utf8")) as Record<
        "queued" | "sent",
        Record<string, number>
      >;
      return { queued: bySeq(times.queued), sent: bySeq(times.sent) };
    },
    pids() {
      const roots = [lab.pid, ...chromium.map((p) => p.pid)];
      return [...roots, ...roots.flatMap((pid) => descendants(pid).map((p) => p.pid))];
    },
    stop,
  };
}

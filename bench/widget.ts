/**
 * `npm run bench -- widget`: how long after the relay receives an image its preview is drawn in
 * the browser, with our widget against `IPython.display.Image` in the same notebook, kernel,
 * JupyterLab and browser, on the same pipeline and plate.
 *
 * - Start: the item's `received_at` in the relay (stamped when OpenHCS hands it the batch; read
 *   back from the relay's spool after the runs, since the sidecar does not forward it).
 * - Ours: the first `ohr-preview-drawn` event carrying that seq (a plate-grid thumbnail drawn
 *   from it). Baseline: the first decoded `<img>` showing that seq's preview (one output per
 *   well, `update_display` per image; bench/python/widget_baseline.py).
 * - Clocks: the relay's `time.time()` and Chromium's `Date.now()` are both this host's wall clock.
 *
 * Prints both distributions and last `preview_latency_ratio <ours / IPython.display>` (medians;
 * goal: at most 1.0). `OHR_BENCH_WIDGET_ROUNDS` (default 3) sets the measured run pairs.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startJupyterLab } from "../test/helpers/jupyter-lab.js";
import { launchChromium, openNotebook } from "../test/helpers/lab-page.js";
import { startOpenhcsServer, writeSyntheticPlate } from "../test/helpers/openhcs-server.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";
import { describeMs, median, quantile } from "./stats.js";
import { LIST_RUNS, benchNotebook, planRuns } from "./widget-notebook.js";
import { installRecorder, type BenchRecords } from "./widget-recorder.js";

const ROUNDS = Number(process.env.OHR_BENCH_WIDGET_ROUNDS ?? 3);
const PLATE = {
  wells: ["A01", "A02", "A03", "A04", "B01", "B02", "B03", "B04"],
  sites: 2,
  channels: 2,
  zPlanes: 3,
  tile: 128,
};
const execFileAsync = promisify(execFile);

interface RunInfo {
  readonly label: string;
  readonly execution_id: string;
  readonly status: string;
}

/** `received_at` (ms) per seq of each run, from the relay's spool. */
async function relayStamps(
  relay: string,
  runs: readonly string[],
): Promise<Map<string, Map<number, number>>> {
  const script = join(REPO_ROOT, "bench", "python", "relay_received_at.py");
  const { stdout } = await execFileAsync(PYTHON, [script, relay, ...runs], { maxBuffer: 1 << 26 });
  const parsed = JSON.parse(stdout) as Record<string, Record<string, number>>;
  return new Map(
    Object.entries(parsed).map(([run, stamps]) => [
      run,
      new Map(Object.entries(stamps).map(([seq, seconds]) => [Number(seq), seconds * 1000])),
    ]),
  );
}

/** Latency of each (run, seq) at its first sighting; unmatched sightings are counted. */
function latencies(
  sightings: readonly { exec: string; seq: number; t: number }[],
  runs: ReadonlySet<string>,
  stamps: Map<string, Map<number, number>>,
): { ms: number[]; unmatched: number } {
  const first = new Map<string, number>();
  let unmatched = 0;
  for (const s of sightings) {
    if (!runs.has(s.exec)) continue;
    const key = `${s.exec}:${s.seq}`;
    if (!first.has(key) || (first.get(key) ?? Infinity) > s.t) first.set(key, s.t);
  }
  const ms: number[] = [];
  for (const [key, t] of first) {
    const [exec = "", seq = "0"] = key.split(":");
    const received = stamps.get(exec)?.get(Number(seq));
    if (received === undefined) unmatched += 1;
    else ms.push(t - received);
  }
  return { ms, unmatched };
}

export async function benchWidget(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "ohr-bench-widget-"));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    process.stderr.write("starting the OpenHCS server and relay, writing the plate …\n");
    const [server, plate] = await Promise.all([
      startOpenhcsServer({ logDir: join(work, "server-logs") }),
      writeSyntheticPlate(join(work, "plate"), PLATE),
    ]);
    cleanups.push(() => server.stop());
    const relay = server.ready.relay as {
      stream_host?: string;
      stream_port?: number;
      viewer_port?: number;
    };
    const relayAddress = `${relay.stream_host ?? server.host}:${relay.stream_port}`;

    const root = join(work, "notebooks");
    mkdirSync(root);
    copyFileSync(
      join(REPO_ROOT, "bench", "python", "widget_baseline.py"),
      join(root, "widget_baseline.py"),
    );
    const planned = planRuns(ROUNDS);
    writeFileSync(join(root, "bench.ipynb"), JSON.stringify(benchNotebook(planned)));
    const lab = await startJupyterLab({
      root,
      env: {
        OPENHCS_REMOTE_HOST: server.host,
        OPENHCS_REMOTE_PORT: String(server.port),
        OPENHCS_REMOTE_RELAY: relayAddress,
        OPENHCS_REMOTE_VIEWER_PORT: String(relay.viewer_port),
        OHR_BENCH_PLATE: plate,
        OHR_BENCH_PIPELINE: join(REPO_ROOT, "examples", "pipelines", "normalize_project_count.py"),
        OHR_BENCH_CONFIG: join(REPO_ROOT, "examples", "pipelines", "cpu_config.py"),
      },
    });
    cleanups.push(() => lab.stop());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(installRecorder);

    process.stderr.write(
      `running ${planned.length} runs in JupyterLab (${ROUNDS} measured pairs) …\n`,
    );
    const notebook = await openNotebook(page, lab, "bench.ipynb");
    await notebook.runAll();
    await notebook.waitForIdle(30 * 60_000);
    const runs = JSON.parse(await notebook.execute(LIST_RUNS)) as RunInfo[];
    if (runs.length !== planned.length || runs.some((r) => r.status !== "complete")) {
      throw new Error(
        `not every run completed (see the notebook's errors): ${JSON.stringify(runs)}`,
      );
    }
    const records = (await page.evaluate(() => window.ohrBench)) as BenchRecords;

    const measured = (shower: string): Set<string> =>
      new Set(
        runs
          .filter((_, i) => planned[i]?.shower === shower && !planned[i].warmUp)
          .map((r) => r.execution_id),
      );
    const stamps = await relayStamps(
      `tcp://${relayAddress}`,
      runs.map((r) => r.execution_id),
    );
    const ours = latencies(records.drawn, measured("ours"), stamps);
    const shown = records.shown.map(({ label, t }) => {
      const cut = label.lastIndexOf(":");
      return { exec: label.slice(0, cut), seq: Number(label.slice(cut + 1)), t };
    });
    const theirs = latencies(shown, measured("ipython"), stamps);
    const items =
      [...stamps.values()].reduce((n, run) => n + run.size, 0) / Math.max(1, stamps.size);

    console.log(
      `preview latency, relay receipt → drawn in the browser (JupyterLab, headless Chromium; ` +
        `${ROUNDS} run pairs, ${PLATE.wells.length} wells, ~${Math.round(items)} relay items per run)`,
    );
    console.log(`  ours, widget thumbnail (ohr-preview-drawn):      ${describeMs(ours.ms)}`);
    console.log(`  IPython.display.Image (update_display, decoded): ${describeMs(theirs.ms)}`);
    console.log(
      `  min ${Math.min(...ours.ms).toFixed(1)} / ${Math.min(...theirs.ms).toFixed(1)} ms, ` +
        `p99 ${quantile(ours.ms, 0.99).toFixed(1)} / ${quantile(theirs.ms, 0.99).toFixed(1)} ms; ` +
        `unmatched ${ours.unmatched} / ${theirs.unmatched}; baseline <img> decode failures ${records.failed}`,
    );
    console.log("  clocks: relay time.time() and Chromium Date.now(), both this host's wall clock");
    console.log(`preview_latency_ratio ${(median(ours.ms) / median(theirs.ms)).toFixed(3)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

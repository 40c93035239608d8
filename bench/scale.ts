/**
 * `npm run bench -- scale`: does memory stay flat whatever the plate size (issue 11)? The same
 * run on a 96-well and on a 384-well plate (2 sites × 2 channels × 1 z of `OHR_BENCH_SCALE_TILE`²
 * uint16, default 64²; one normalising step: 384 wells take minutes on a shared 2-core machine,
 * where the three-step example pipeline takes half an hour), each with everything started
 * afresh: the real OpenHCS server and relay, a real JupyterLab whose notebook (bench/scale-notebook.ts) runs the
 * pipeline through the shim in previews delivery and shows the run's widget, and headless
 * Chromium showing that page (1400 × 1000).
 *
 * Peak RSS of four processes, found through /proc under this process:
 * - relay: the relay child of `openhcs-remote-server` (its pid from the ready event);
 * - kernel: the notebook's ipykernel; sidecar: the Node child of that kernel;
 * - browser: the sum of Chromium's renderer processes (the page's; GPU, network and the
 *   browser process itself are the same whatever the page shows). The whole tree is printed
 *   too, for information.
 * One process: its `VmHWM`; the renderers: the largest sum of `VmRSS` sampled every 150 ms
 * (bench/rss-sampler.ts). The run must complete with every image and the widget must have
 * drawn a thumbnail for every well, or the figures would not mean anything.
 *
 * Prints each peak in MiB per size, then `scale_memory_ratio X`: the worst of the four of
 * (384-well peak / 96-well peak). Goal ≤ 1.2.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startJupyterLab } from "../test/helpers/jupyter-lab.js";
import { launchChromium, openNotebook } from "../test/helpers/lab-page.js";
import { startOpenhcsServer, writeSyntheticPlate } from "../test/helpers/openhcs-server.js";
import { descendants, isRunning, type ProcessInfo } from "../test/helpers/processes.js";
import { REPO_ROOT } from "../test/helpers/python.js";
import { PIPELINE_NORMALIZE } from "../test/helpers/relay-results.js";
import { RssSampler, type RssPeak } from "./rss-sampler.js";
import { RUN_SUMMARY, scaleNotebook } from "./scale-notebook.js";
import { installRecorder, type BenchRecords } from "./widget-recorder.js";

const TILE = Number(process.env.OHR_BENCH_SCALE_TILE ?? 64);
const SITES = 2;
const CHANNELS = 2;
/** `OHR_BENCH_SCALE_SIZES=384` measures one size alone (to look into it; no ratio then). */
const SIZES = (process.env.OHR_BENCH_SCALE_SIZES ?? "96,384")
  .split(",")
  .map((size): 96 | 384 => (size.trim() === "96" ? 96 : 384));
/** The four whose ratio counts, in print order. */
const ROLES = ["relay", "sidecar", "kernel", "browser"] as const;
const execFileAsync = promisify(execFile);

/** The wells of an SBS plate of `count` wells (96: 8 × 12, 384: 16 × 24), row by row. */
function plateWells(count: 96 | 384): string[] {
  const [rows, columns] = count === 96 ? [8, 12] : [16, 24];
  return Array.from({ length: rows * columns }, (_, i) => {
    const row = "ABCDEFGHIJKLMNOP"[Math.floor(i / columns)] ?? "A";
    return `${row}${String((i % columns) + 1).padStart(2, "0")}`;
  });
}

const isKernel = (p: ProcessInfo): boolean => p.args.some((a) => a.includes("ipykernel_launcher"));
const isSidecar = (p: ProcessInfo): boolean =>
  p.args.some((a) => a.endsWith("sidecar.mjs") || a.endsWith("sidecar/main.js"));
// Chromium's children rewrite their command line into one space-separated string.
const isRenderer = (p: ProcessInfo): boolean => p.args.join(" ").includes(" --type=renderer");
const isChromium = (p: ProcessInfo): boolean => /chrom|headless_shell/i.test(p.args[0] ?? "");

interface SizeResult {
  readonly peaks: Record<string, RssPeak>;
  readonly images: number;
  readonly wellsDrawn: number;
  readonly wallS: number;
}

/** One size, everything started afresh and stopped before it returns. */
async function measureSize(wellCount: 96 | 384): Promise<SizeResult> {
  const work = mkdtempSync(join(tmpdir(), `ohr-bench-scale-${wellCount}-`));
  const cleanups: (() => Promise<unknown>)[] = [];
  let sampler: RssSampler | null = null;
  let failed = true;
  try {
    const wells = plateWells(wellCount);
    const [server, plate] = await Promise.all([
      startOpenhcsServer({ logDir: join(work, "server-logs") }),
      writeSyntheticPlate(join(work, "plate"), {
        wells,
        sites: SITES,
        channels: CHANNELS,
        zPlanes: 1,
        tile: TILE,
      }),
    ]);
    cleanups.push(() => server.stop());
    const relay = server.ready.relay as {
      pid: number;
      stream_host?: string;
      stream_port: number;
      viewer_port: number;
    };
    const root = join(work, "notebooks");
    mkdirSync(root);
    writeFileSync(join(root, "scale.ipynb"), JSON.stringify(scaleNotebook()));
    writeFileSync(join(work, "normalize.py"), PIPELINE_NORMALIZE);
    const lab = await startJupyterLab({
      root,
      env: {
        OPENHCS_REMOTE_HOST: server.host,
        OPENHCS_REMOTE_PORT: String(server.port),
        OPENHCS_REMOTE_RELAY: `${relay.stream_host ?? server.host}:${relay.stream_port}`,
        OPENHCS_REMOTE_VIEWER_PORT: String(relay.viewer_port),
        OHR_BENCH_PLATE: plate,
        OHR_BENCH_PIPELINE: join(work, "normalize.py"),
        OHR_BENCH_CONFIG: join(REPO_ROOT, "examples", "pipelines", "cpu_config.py"),
      },
    });
    cleanups.push(() => lab.stop());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    // One walk of /proc serves every finder of a round (the machine is shared).
    let tree: { at: number; processes: ProcessInfo[] } = { at: 0, processes: [] };
    const mine = (): ProcessInfo[] => {
      if (performance.now() - tree.at > 500) {
        tree = { at: performance.now(), processes: descendants(process.pid) };
      }
      return tree.processes;
    };
    const under = (pid: number): ProcessInfo[] => {
      const found: ProcessInfo[] = [];
      let parents = new Set([pid]);
      while (parents.size > 0) {
        const children = mine().filter((p) => parents.has(p.ppid));
        found.push(...children);
        parents = new Set(children.map((p) => p.pid));
      }
      return found;
    };
    const kernels = (): ProcessInfo[] => under(lab.pid).filter(isKernel);
    sampler = new RssSampler({
      relay: () => (isRunning(relay.pid) ? [relay.pid] : []),
      kernel: () => kernels().map((p) => p.pid),
      sidecar: () =>
        kernels()
          .flatMap((k) => under(k.pid))
          .filter(isSidecar)
          .map((p) => p.pid),
      browser: () =>
        mine()
          .filter(isRenderer)
          .map((p) => p.pid),
      "chromium (whole tree)": () =>
        mine()
          .filter(isChromium)
          .map((p) => p.pid),
    });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(installRecorder);
    const notebook = await openNotebook(page, lab, "scale.ipynb");
    const started = performance.now();
    await notebook.runAll();
    await notebook.waitForIdle(45 * 60_000);
    const wallS = (performance.now() - started) / 1000;
    // Let the page draw what the last messages brought.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const peaks = sampler.stop();
    sampler = null;

    const summary = JSON.parse(await notebook.execute(RUN_SUMMARY)) as {
      status: string;
      images: number;
      wells: number;
    };
    const records = (await page.evaluate(() => window.ohrBench)) as BenchRecords;
    const wellsDrawn = new Set(records.drawn.map((d) => d.well)).size;
    if (summary.status !== "complete" || summary.wells !== wellCount) {
      throw new Error(`the ${wellCount}-well run did not complete: ${JSON.stringify(summary)}`);
    }
    if (wellsDrawn !== wellCount) {
      throw new Error(`the widget drew ${wellsDrawn} of ${wellCount} wells' thumbnails`);
    }
    failed = false;
    return { peaks, images: summary.images, wellsDrawn, wallS };
  } finally {
    sampler?.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    for (const leftover of descendants(process.pid)) {
      try {
        process.kill(leftover.pid, "SIGKILL");
      } catch {
        // it exited in the meantime
      }
    }
    if (failed) process.stderr.write(`${wellCount} wells failed: its logs are in ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

export async function benchScale(): Promise<void> {
  // The kernel starts the wheel's sidecar bundle: make it the sources' (as the Python tests do).
  await execFileAsync(process.execPath, [join(REPO_ROOT, "scripts", "build-sidecar.mjs")]);
  const results = new Map<number, SizeResult>();
  for (const size of SIZES) {
    process.stderr.write(`${size} wells: starting the server, relay, JupyterLab, Chromium …\n`);
    const result = await measureSize(size);
    results.set(size, result);
    process.stderr.write(
      `${size} wells: ${result.images} images, ${result.wellsDrawn} wells drawn, ` +
        `${result.wallS.toFixed(0)} s; peaks ${JSON.stringify(result.peaks)}\n`,
    );
  }
  const [small, large] = [results.get(96)?.peaks, results.get(384)?.peaks];
  console.log(
    `peak RSS (MiB), 96 vs 384 wells × ${SITES} sites × ${CHANNELS} channels of ${TILE}² ` +
      `(previews delivery, JupyterLab + headless Chromium)`,
  );
  const mib = (peak: RssPeak | undefined): string => (peak?.mib.toFixed(1) ?? "-").padStart(7);
  let worst = 0;
  for (const role of [...ROLES, "chromium (whole tree)"]) {
    const [a, b] = [small?.[role], large?.[role]];
    const ratio = a !== undefined && b !== undefined ? b.mib / a.mib : Number.NaN;
    if ((ROLES as readonly string[]).includes(role)) worst = Math.max(worst, ratio);
    const how = b ?? a;
    console.log(
      `  ${role.padEnd(22)} ${mib(a)} ${mib(b)}  ${Number.isNaN(ratio) ? "" : `×${ratio.toFixed(3)}`}` +
        `  (${how?.how ?? ""}, ${how?.processes ?? 0} process${how?.processes === 1 ? "" : "es"})`,
    );
  }
  for (const [size, r] of results) {
    console.log(`  ${size} wells: ${r.images} images, ${r.wallS.toFixed(0)} s`);
  }
  // Both sizes or no ratio: one alone is for looking into it.
  if (small !== undefined && large !== undefined) {
    console.log(`scale_memory_ratio ${worst.toFixed(3)}`);
  }
}

/**
 * `npm run bench -- measurements`: a 384-well table of per-object rows (≥ 1 M rows) from the
 * relay to a pandas DataFrame in the kernel (`run.measurements()`), against pandas reading the
 * same CSV files from local disk in the same run; and the plate heatmap's redraw when the
 * measurement shown changes, in headless Chromium with the shipped widget bundle.
 *
 * Prints `measurements_load_ratio <ours / local pandas>` (goal ≤ 2, median of the repeats) and
 * `heatmap_redraw_ms <median>`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../test/helpers/chromium.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";
import { median } from "./stats.js";

const REPEATS = Number(process.env.OHR_BENCH_REPEATS ?? 3);
const ROWS_PER_WELL = Number(process.env.OHR_BENCH_ROWS_PER_WELL ?? 2700);
const REDRAWS = 40;

interface LoadResult {
  rows: number;
  files: number;
  bytes: number;
  ours_s: number[];
  local_s: number[];
  warm_s: number;
}

function runPython(): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      PYTHON,
      [
        join(REPO_ROOT, "bench", "python", "measurements_bench.py"),
        String(REPEATS),
        String(ROWS_PER_WELL),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`measurements_bench.py exited with ${code}`));
      else resolve(JSON.parse(line) as LoadResult);
    });
  });
}

/** Median ms to redraw a 384-well heatmap after the menu changes the measurement. */
async function heatmapRedrawMs(): Promise<number> {
  const bundle = readFileSync(
    join(REPO_ROOT, "lib", "widget-bundle", "openhcs-remote-widget.js"),
    "utf8",
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ type: "module", content: bundle });
    await page.waitForFunction(() => customElements.get("ohr-plate-heatmap") !== undefined);
    const times = await page.evaluate(async (redraws: number) => {
      const rows = "ABCDEFGHIJKLMNOP";
      const wells: Record<string, Record<string, number>> = {};
      for (let r = 0; r < 16; r++) {
        for (let c = 1; c <= 24; c++) {
          wells[`${rows[r] ?? "A"}${String(c).padStart(2, "0")}`] = {
            area: Math.random() * 200,
            mean_intensity: 1000 + Math.random() * 400,
          };
        }
      }
      const element = document.createElement("ohr-plate-heatmap") as HTMLElement & {
        summary: unknown;
        column: string;
        updateComplete: Promise<boolean>;
      };
      element.summary = {
        table: "objects",
        tables: ["objects"],
        columns: ["area", "mean_intensity"],
        wells,
        rows: Object.fromEntries(Object.keys(wells).map((w) => [w, 2700])),
      };
      document.body.append(element);
      await element.updateComplete;
      const result: number[] = [];
      for (let i = 0; i < redraws; i++) {
        const started = performance.now();
        element.column = i % 2 === 0 ? "mean_intensity" : "area";
        await element.updateComplete;
        result.push(performance.now() - started);
      }
      return result;
    }, REDRAWS);
    return median(times);
  } finally {
    await browser.close();
  }
}

export async function benchMeasurements(): Promise<void> {
  process.stderr.write(
    `starting the server; ${REPEATS} loads of 384 wells × ${ROWS_PER_WELL} rows …\n`,
  );
  const load = await runPython();
  const ours = median(load.ours_s);
  const local = median(load.local_s);
  const mb = load.bytes / 1e6;
  console.log(`table: ${load.rows} rows in ${load.files} CSV files, ${mb.toFixed(1)} MB`);
  console.log(
    `relay → DataFrame (run.measurements): median ${ours.toFixed(3)} s ` +
      `(${(mb / ours).toFixed(0)} MB/s); again, cached: ${load.warm_s.toFixed(3)} s`,
  );
  console.log(`local pandas (read_csv + concat): median ${local.toFixed(3)} s`);
  const redraw = await heatmapRedrawMs();
  console.log(`heatmap redraw, 384 wells, measurement changed: median ${redraw.toFixed(2)} ms`);
  console.log(`heatmap_redraw_ms ${redraw.toFixed(2)}`);
  console.log(`measurements_load_ratio ${(ours / local).toFixed(3)}`);
}

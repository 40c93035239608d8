/**
 * `npm run bench -- planes`: the relay's preview of a 2048² uint16 plane (Python, `previews.py`)
 * against the sidecar's `makePreview` on an equal plane in the same run, and Blosc (what
 * `fetch_plane` sends with `encoding: "blosc"`) on the demo plate's uint16 planes against a plain
 * copy of them.
 *
 * Then the relay's 512² uint16 previews made between ingest-like copies, in child processes
 * alternating glibc's allocator as it comes and the relay's (`server/relay/allocator.py`: freed
 * buffers kept for reuse), CPU per preview and page faults.
 *
 * Prints `relay_preview_ms`, `sidecar_preview_ms`, `relay_preview_ratio <relay / sidecar>`,
 * `blosc_size_ratio <encoded / raw>`, `blosc_encode_mb_s`, `blosc_vs_copy_ratio`,
 * `relay_preview_kept_buffers_ratio <CPU per preview, kept / as it comes>`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { makePreview } from "../src/sidecar/previews.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";
import { median } from "./stats.js";

const REPEATS = Number(process.env.OHR_BENCH_REPEATS ?? 10);

interface PlanesResult {
  preview_ms: number;
  planes: number;
  plane_shape: number[];
  blosc_ratio: number;
  blosc_mb_s: number;
  copy_mb_s: number;
}

interface ChurnResult {
  cpu_ms: number;
  faults: number;
}

/** Alternating runs of each allocator setting (processes: the setting cannot be undone). */
const CHURN_RUNS = 3;

/** Run relay_planes_bench.py with `args`; resolves with its last stdout line, parsed. */
function runPython<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      PYTHON,
      [join(REPO_ROOT, "bench", "python", "relay_planes_bench.py"), ...args],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0)
        reject(new Error(`relay_planes_bench.py ${args.join(" ")} exited with ${code}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

function sidecarPreviewMs(): number {
  // A plane like the Python one: values around 1000, spread 200.
  const values = Uint16Array.from({ length: 2048 * 2048 }, (_, i) => 600 + ((i * 7919) % 800));
  const data = new Uint8Array(values.buffer);
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i += 1) {
    const started = performance.now();
    makePreview({ shape: [2048, 2048], dtype: "uint16", data });
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function benchPlanes(): Promise<void> {
  const python = await runPython<PlanesResult>([String(REPEATS)]);
  const sidecar = sidecarPreviewMs();
  console.log(`relay_preview_ms ${python.preview_ms.toFixed(1)}`);
  console.log(`sidecar_preview_ms ${sidecar.toFixed(1)}`);
  console.log(`relay_preview_ratio ${(python.preview_ms / sidecar).toFixed(2)}`);
  console.log(
    `# blosc over ${python.planes} demo planes of ${python.plane_shape.join("×")} uint16`,
  );
  console.log(`blosc_size_ratio ${python.blosc_ratio.toFixed(3)}`);
  console.log(`blosc_encode_mb_s ${python.blosc_mb_s.toFixed(0)}`);
  console.log(`blosc_vs_copy_ratio ${(python.blosc_mb_s / python.copy_mb_s).toFixed(3)}`);
  const runs: Record<"default" | "kept", ChurnResult[]> = { default: [], kept: [] };
  for (let i = 0; i < CHURN_RUNS; i += 1) {
    for (const mode of ["default", "kept"] as const) {
      runs[mode].push(await runPython<ChurnResult>(["churn", mode, "40"]));
    }
  }
  const describe = (mode: "default" | "kept") =>
    `${median(runs[mode].map((r) => r.cpu_ms)).toFixed(2)} ms CPU, ` +
    `${median(runs[mode].map((r) => r.faults)).toFixed(0)} page faults`;
  console.log(
    `# relay 512² uint16 preview between ingest copies: ${describe("default")} with glibc's ` +
      `allocator as it comes, ${describe("kept")} with freed buffers kept (allocator.py)`,
  );
  const kept = median(runs.kept.map((r) => r.cpu_ms));
  const asItComes = median(runs.default.map((r) => r.cpu_ms));
  console.log(`relay_preview_kept_buffers_ratio ${(kept / asItComes).toFixed(3)}`);
}

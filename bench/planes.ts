/**
 * `npm run bench -- planes`: the relay's preview of a 2048² uint16 plane (Python, `previews.py`)
 * against the sidecar's `makePreview` on an equal plane in the same run, and Blosc (what
 * `fetch_plane` sends with `encoding: "blosc"`) on the demo plate's uint16 planes against a plain
 * copy of them.
 *
 * Prints `relay_preview_ms`, `sidecar_preview_ms`, `relay_preview_ratio <relay / sidecar>`,
 * `blosc_size_ratio <encoded / raw>`, `blosc_encode_mb_s`, `blosc_vs_copy_ratio`.
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

function runPython(): Promise<PlanesResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      PYTHON,
      [join(REPO_ROOT, "bench", "python", "relay_planes_bench.py"), String(REPEATS)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`relay_planes_bench.py exited with ${code}`));
      else resolve(JSON.parse(line) as PlanesResult);
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
  const python = await runPython();
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
}

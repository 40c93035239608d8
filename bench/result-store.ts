/**
 * Result-store write throughput: 2048×2048 uint16 planes put into a `ResultStore` (4 puts in
 * flight, as a receiver would), against zarr-python writing the same planes into a Zarr v3
 * array with the same one-plane chunks, and against plain `fs.writeFile` of the same bytes (the
 * disk's floor for one file per plane). Rounds alternate so all three see the same machine.
 *
 * Run: `npx tsc -p tsconfig.bench.json && node .cache/bench-build/bench/result-store.js`
 * (or `npm run bench -- store` once registered in bench/main.ts). Env: OHR_BENCH_PLANES (64),
 * OHR_BENCH_ROUNDS (3), OHR_BENCH_DIR (default: the temp dir; /dev/shm shows the CPU ceiling).
 * Each writer starts from a synced page cache; its MB/s is given as written (into the page
 * cache) and until synced to disk (`sync` timed after it). Last line:
 * `result_store_write_ratio <ours / zarr-python>`, both until synced.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ResultStore } from "../src/orchestrator/result-store/index.js";
import { makeImage } from "../test/helpers/result-items.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";
import { median } from "./stats.js";

const PLANES = Number(process.env.OHR_BENCH_PLANES ?? 64);
const ROUNDS = Number(process.env.OHR_BENCH_ROUNDS ?? 3);
const SIZE = 2048;
const IN_FLIGHT = 4;

type Timing = { seconds: number; bytes: number };

const mbps = (t: Timing): number => t.bytes / 1e6 / t.seconds;

/** Run `job` over `count` indices with `limit` in flight. */
async function pool(count: number, limit: number, job: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function ours(dir: string, template: ReturnType<typeof makeImage>): Promise<Timing> {
  const store = await ResultStore.create(dir);
  const start = performance.now();
  await pool(PLANES, IN_FLIGHT, (i) =>
    store.put({ ...template, seq: i + 1, channel: (i % 4) + 1, z: Math.floor(i / 4) + 1 }),
  );
  await store.close();
  return { seconds: (performance.now() - start) / 1000, bytes: PLANES * template.data.byteLength };
}

async function rawFiles(dir: string, bytes: Uint8Array): Promise<Timing> {
  await mkdir(dir, { recursive: true });
  const start = performance.now();
  await pool(PLANES, IN_FLIGHT, (i) => writeFile(join(dir, String(i)), bytes));
  return { seconds: (performance.now() - start) / 1000, bytes: PLANES * bytes.byteLength };
}

function zarrPython(dir: string): Timing {
  const script = join(REPO_ROOT, "bench", "python", "result_store_baseline.py");
  const out = execFileSync(PYTHON, [script, dir, String(PLANES), String(SIZE), String(SIZE)]);
  return JSON.parse(out.toString("utf8")) as Timing;
}

/** Write everything still in the page cache to disk and time it (`sync`). */
function syncSeconds(): number {
  const start = performance.now();
  execFileSync("sync");
  return (performance.now() - start) / 1000;
}

type Name = "ours" | "zarr-python" | "fs.writeFile";

export async function benchResultStore(): Promise<void> {
  const root = await mkdtemp(join(process.env.OHR_BENCH_DIR ?? tmpdir(), "ohr-bench-store-"));
  const template = makeImage({ well: "A01", dtype: "uint16", shape: [SIZE, SIZE] });
  const run: Record<Name, (dir: string) => Promise<Timing>> = {
    ours: (dir) => ours(dir, template),
    "zarr-python": (dir) => Promise.resolve(zarrPython(dir)),
    "fs.writeFile": (dir) => rawFiles(dir, template.data),
  };
  const names = Object.keys(run) as Name[];
  const cached = new Map<Name, number[]>(names.map((n) => [n, []]));
  const onDisk = new Map<Name, number[]>(names.map((n) => [n, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round, and start each from a clean page cache (sync, untimed).
      const order = names.map((_, i) => names[(i + round) % names.length] as Name);
      const line: string[] = [];
      for (const name of order) {
        const dir = join(root, `${String(round)}-${name}`);
        syncSeconds();
        const t = await run[name](dir);
        const flush = syncSeconds();
        cached.get(name)?.push(mbps(t));
        onDisk.get(name)?.push(t.bytes / 1e6 / (t.seconds + flush));
        line.push(
          `${name} ${mbps(t).toFixed(0)} (${(t.bytes / 1e6 / (t.seconds + flush)).toFixed(0)} on disk)`,
        );
        await rm(dir, { recursive: true, force: true });
      }
      console.log(`round ${String(round + 1)} MB/s: ${line.join(", ")}`);
    }
    const total = ((PLANES * SIZE * SIZE * 2) / 1e6).toFixed(0);
    console.log(
      `${String(PLANES)} planes of ${String(SIZE)}×${String(SIZE)} uint16 (${total} MB) per run, median of ${String(ROUNDS)}:`,
    );
    for (const name of names) {
      const a = median(cached.get(name) ?? []);
      const b = median(onDisk.get(name) ?? []);
      console.log(
        `  ${name.padEnd(13)} ${a.toFixed(0)} MB/s written, ${b.toFixed(0)} MB/s until synced to disk`,
      );
    }
    const ratio = median(onDisk.get("ours") ?? []) / median(onDisk.get("zarr-python") ?? []);
    console.log(`result_store_write_ratio ${ratio.toFixed(2)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchResultStore();

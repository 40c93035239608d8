/**
 * `npm run bench -- stream`: 2048×2048 uint16 images from OpenHCS's own sender, through shared
 * memory, the relay and its spool, to our TypeScript client on loopback — against pyzmq moving
 * the same bytes PUSH→PULL between two processes, in the same run, round by round.
 *
 * What is measured:
 * - `end to end`: OpenHCS's `FijiStreamingBackend.save_batch` (a shared-memory block per image,
 *   one REQ/REP per batch, its fixed 0.1 s sleep per batch) → relay (copies each block into its
 *   spool before replying) → relay stream → `ResultStream`. Throughput from the first
 *   `save_batch` call to the last image in the client; latency per image from the `save_batch`
 *   call that sent it to the client having it.
 * - `relay → client`: the same images read back from the relay's spool by a fresh client in a
 *   process of its own (our TypeScript one, bench/stream-client.ts, with the sidecar's Node
 *   flags; and the Python reference client for comparison): the leg our client is responsible
 *   for. Ours is also timed in the bench's own process (everything loaded, Node's default flags).
 *   Both free each frame once the next is asked for, as the sidecar and the CLI do
 *   (`releaseFrames`: otherwise V8 collects its heap every 64 MB received). The rate runs from
 *   the first image to the last, as pyzmq's does (its sockets connect before its clock starts);
 *   each client's set-up (connect, hello, subscribe, credit) is printed as `first image after`.
 * - `OpenHCS sender → relay ack`: the sender's own rate in the same run (first `save_batch`
 *   call to the last reply), the ceiling of the end-to-end figure whatever the client does.
 * - `pyzmq`: the baseline, PUSH (child process) → PULL, same count and size, from the first
 *   image received to the last.
 *
 * Knobs: OHR_BENCH_IMAGES (48), OHR_BENCH_BATCH (8 images per OpenHCS batch), OHR_BENCH_ROUNDS (3),
 * OHR_BENCH_SPOOL_DIR (default: a temporary directory on disk, as a deployed relay has).
 * Ratio lines (medians over rounds): `end_to_end_vs_sender_ratio`, `relay_to_client_ratio`
 * (ours / pyzmq), `ts_vs_python_client_ratio`, and last `stream_throughput_ratio` (end to end
 * ours / pyzmq). Before them, the two lines of the full-resolution plane encoding `blosc`
 * (`codec_decode_vs_memcpy_ratio`, `codec_compression_ratio`; bench/codec.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResultStream, isResultGap } from "../src/orchestrator/index.js";
import { chosenCodecLines, measureCodecs } from "./codec.js";
import { median, quantile } from "./stats.js";
import { runClient, runDriver, startRelay, type BenchRelay } from "./stream-processes.js";
import { readBack, type ReadBack } from "./stream-read-back.js";

const IMAGE_BYTES = 2048 * 2048 * 2;
const COUNT = Number(process.env.OHR_BENCH_IMAGES ?? 48);
const BATCH = Number(process.env.OHR_BENCH_BATCH ?? 8);
const ROUNDS = Number(process.env.OHR_BENCH_ROUNDS ?? 3);
const RUN = "unattributed"; // a relay with no execution server files everything here

/** Wall-clock time in seconds, comparable with Python's `time.time()`. */
const wallSeconds = (): number => (performance.timeOrigin + performance.now()) / 1000;

interface Leg {
  readonly mbPerS: number;
  readonly imagesPerS: number;
  readonly latenciesMs: readonly number[];
  /** A client's set-up: from before it connects to its first image. */
  readonly firstMs?: number;
}

/** `bytes` of images moved in `elapsed` seconds. */
function legOf(
  bytes: number,
  elapsed: number,
  latenciesMs: readonly number[] = [],
  firstMs?: number,
): Leg {
  const rate = bytes / elapsed;
  return { mbPerS: rate / 1e6, imagesPerS: rate / IMAGE_BYTES, latenciesMs, firstMs };
}

/** A client's read-back: its rate from the first image to the last, and its set-up. */
function readBackLeg({ bytes, elapsed, first_ms }: ReadBack): Leg {
  return legOf(bytes, elapsed, [], first_ms);
}

async function pyzmqBaseline(): Promise<Leg> {
  const [summary] = await runDriver(["pyzmq", String(COUNT)]);
  const { bytes, elapsed, latencies_ms } = summary as {
    bytes: number;
    elapsed: number;
    latencies_ms: number[];
  };
  return legOf(bytes, elapsed, latencies_ms);
}

/**
 * Subscribe, then have OpenHCS's sender stream `COUNT` images; time both ends. Also returns the
 * sender's own rate (first `save_batch` call to the last reply): the ceiling of the whole path.
 */
async function endToEnd(
  relay: BenchRelay,
  fromSeq: number,
  tag: string,
): Promise<{ ours: Leg; sender: Leg }> {
  const stream = new ResultStream({ host: "127.0.0.1", port: relay.streamPort }, RUN, { fromSeq });
  const receivedAt = new Map<string, number>();
  let bytes = 0;
  const receiving = (async () => {
    for await (const entry of stream) {
      if (isResultGap(entry)) throw new Error(`gap ${entry.fromSeq}..${entry.toSeq} in the bench`);
      receivedAt.set(entry.path, wallSeconds());
      if (entry.kind === "image") bytes += entry.data.byteLength;
      if (receivedAt.size === COUNT) break;
    }
  })();
  const lines = await runDriver([
    "openhcs",
    String(relay.viewerPort),
    String(COUNT),
    String(BATCH),
    tag,
  ]);
  await receiving;
  const sentAt = new Map<string, number>();
  let senderElapsed = Number.NaN;
  for (const line of lines) {
    const { elapsed } = line as { elapsed?: number };
    if (elapsed !== undefined) senderElapsed = elapsed;
    const { path, sent_at } = line as { path?: string; sent_at?: number };
    if (path !== undefined && sent_at !== undefined) sentAt.set(path, sent_at);
  }
  const latenciesMs = [...receivedAt].map(([path, at]) => (at - sentAt.get(path)!) * 1000);
  const elapsed = Math.max(...receivedAt.values()) - Math.min(...sentAt.values());
  return {
    ours: legOf(bytes, elapsed, latenciesMs),
    sender: legOf(COUNT * IMAGE_BYTES, senderElapsed),
  };
}

/** A fresh TypeScript client in its own process reads the round's images back from the spool. */
async function relayToClient(relay: BenchRelay, fromSeq: number): Promise<Leg> {
  const [summary] = await runClient(relay.streamPort, RUN, fromSeq, COUNT);
  return readBackLeg(summary as ReadBack);
}

/** The same in the bench's own process (beside everything it loaded; for comparison only). */
async function relayToClientHere(relay: BenchRelay, fromSeq: number): Promise<Leg> {
  return readBackLeg(await readBack(relay.streamPort, RUN, fromSeq, COUNT));
}

/** The Python reference client reads the same images (for comparison only). */
async function pythonClient(relay: BenchRelay, fromSeq: number): Promise<Leg> {
  const [summary] = await runDriver([
    "client",
    String(relay.streamPort),
    RUN,
    String(fromSeq),
    String(COUNT),
  ]);
  return readBackLeg(summary as ReadBack);
}

function describe(name: string, legs: readonly Leg[]): string {
  const mb = median(legs.map((leg) => leg.mbPerS));
  const images = median(legs.map((leg) => leg.imagesPerS));
  const latencies = legs.flatMap((leg) => leg.latenciesMs);
  const latency =
    latencies.length === 0
      ? ""
      : `  send→client ${median(latencies).toFixed(1)} ms (p95 ${quantile(latencies, 0.95).toFixed(1)} ms)`;
  const firsts = legs.flatMap((leg) => (leg.firstMs === undefined ? [] : [leg.firstMs]));
  const first = firsts.length === 0 ? "" : `  first image after ${median(firsts).toFixed(1)} ms`;
  return `${name.padEnd(26)} ${mb.toFixed(0).padStart(6)} MB/s  ${images.toFixed(1).padStart(6)} images/s${latency}${first}`;
}

export async function benchStream(): Promise<void> {
  const ownSpool = process.env.OHR_BENCH_SPOOL_DIR === undefined;
  const spoolDir =
    process.env.OHR_BENCH_SPOOL_DIR ?? mkdtempSync(join(tmpdir(), "ohr-bench-spool-"));
  process.stderr.write(`starting the relay (spool ${spoolDir}) …\n`);
  const relay = await startRelay(spoolDir, COUNT * ROUNDS * IMAGE_BYTES * 2);
  const legs = {
    pyzmq: [] as Leg[],
    ours: [] as Leg[],
    sender: [] as Leg[],
    leg: [] as Leg[],
    here: [] as Leg[],
    python: [] as Leg[],
  };
  try {
    let fromSeq = relay.nextSeq(RUN);
    for (let round = 0; round < ROUNDS; round += 1) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
      legs.pyzmq.push(await pyzmqBaseline());
      const { ours, sender } = await endToEnd(relay, fromSeq, `r${round}-${Date.now()}`);
      legs.ours.push(ours);
      legs.sender.push(sender);
      legs.leg.push(await relayToClient(relay, fromSeq));
      legs.here.push(await relayToClientHere(relay, fromSeq));
      legs.python.push(await pythonClient(relay, fromSeq));
      fromSeq += COUNT;
    }
  } finally {
    await relay.stop();
    if (ownSpool) rmSync(spoolDir, { recursive: true, force: true });
  }
  const ratio = (a: readonly Leg[], b: readonly Leg[]): number =>
    median(a.map((leg) => leg.mbPerS)) / median(b.map((leg) => leg.mbPerS));
  console.log(
    `${COUNT} images of 2048×2048 uint16 (8 MiB) per round, ${ROUNDS} rounds, ` +
      `OpenHCS batches of ${BATCH}; medians over rounds`,
  );
  console.log(describe("end to end (ours)", legs.ours));
  console.log(describe("  OpenHCS sender → relay ack", legs.sender));
  console.log(describe("relay → client (ours)", legs.leg));
  console.log(describe("  in the bench's process", legs.here));
  console.log(describe("relay → client (python)", legs.python));
  console.log(describe("pyzmq PUSH→PULL", legs.pyzmq));
  // What the relay's `blosc` plane encoding would cost and save on these links (bench -- codec).
  for (const line of chosenCodecLines(await measureCodecs("chosen"))) console.log(line);
  console.log(`end_to_end_vs_sender_ratio ${ratio(legs.ours, legs.sender).toFixed(3)}`);
  console.log(`relay_to_client_ratio ${ratio(legs.leg, legs.pyzmq).toFixed(3)}`);
  console.log(`ts_vs_python_client_ratio ${ratio(legs.leg, legs.python).toFixed(3)}`);
  console.log(`stream_throughput_ratio ${ratio(legs.ours, legs.pyzmq).toFixed(3)}`);
}

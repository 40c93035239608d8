/**
 * The TypeScript client's leg of `bench -- stream` in a process of its own, as the sidecar and
 * the CLI run it (and as the Python client and pyzmq baselines run): `node stream-client.js
 * <stream port> <run> <from seq> <count>` reads `count` images of `run` back from the relay's
 * spool and prints one JSON line, `{"bytes": …, "elapsed": …}`.
 *
 * Why not in the bench's process: zeromq.js reports each received frame to V8 as external
 * memory, and V8 answers every ~64 MB of it with a full collection of the heap, whose cost grows
 * with everything else the process holds (the bench's process loads every benchmark's modules).
 */
import { ResultStream, isResultGap } from "../src/orchestrator/index.js";

const [port = "", run = "", fromSeq = "", count = ""] = process.argv.slice(2);
const expected = Number(count);
const started = performance.now();
const stream = new ResultStream({ host: "127.0.0.1", port: Number(port) }, run, {
  fromSeq: Number(fromSeq),
});
let received = 0;
let bytes = 0;
for await (const entry of stream) {
  if (isResultGap(entry)) throw new Error(`gap ${entry.fromSeq}..${entry.toSeq} in the bench`);
  if (entry.kind === "image") bytes += entry.data.byteLength;
  if (++received === expected) break;
}
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ bytes, elapsed }));

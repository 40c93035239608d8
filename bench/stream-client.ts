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
import { readBack } from "./stream-read-back.js";

const [port = "", run = "", fromSeq = "", count = ""] = process.argv.slice(2);
console.log(JSON.stringify(await readBack(Number(port), run, Number(fromSeq), Number(count))));

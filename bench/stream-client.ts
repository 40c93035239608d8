/**
 * The TypeScript client's leg of `bench -- stream` in a process of its own, as the sidecar and
 * the CLI run it (and as the Python client and pyzmq baselines run): `node stream-client.js
 * <stream port> <run> <from seq> <count>` reads `count` images of `run` back from the relay's
 * spool and prints one JSON line, `{"bytes": …, "elapsed": …}`.
 *
 * Why not in the bench's process: the sidecar's own process holds only the client, and V8's
 * collections cost with everything a process holds (the bench's loads every benchmark's modules).
 */
import { readBack } from "./stream-read-back.js";

const [port = "", run = "", fromSeq = "", count = ""] = process.argv.slice(2);
console.log(JSON.stringify(await readBack(Number(port), run, Number(fromSeq), Number(count))));

/**
 * Our client reading `count` images of a run back from the relay's spool, timed: the
 * `relay → client` leg of `bench -- stream`, run in the bench's process and, alone, in
 * bench/stream-client.ts (which imports nothing else, to keep its heap small).
 */
import { ResultStream, isResultGap } from "../src/orchestrator/index.js";

/** Pixel bytes read and seconds taken, from before the stream connects to its last image. */
export async function readBack(
  port: number,
  run: string,
  fromSeq: number,
  count: number,
): Promise<{ bytes: number; elapsed: number }> {
  const started = performance.now();
  const stream = new ResultStream({ host: "127.0.0.1", port }, run, { fromSeq });
  let received = 0;
  let bytes = 0;
  for await (const entry of stream) {
    if (isResultGap(entry)) throw new Error(`gap ${entry.fromSeq}..${entry.toSeq} in the bench`);
    if (entry.kind === "image") bytes += entry.data.byteLength;
    if (++received === count) break;
  }
  return { bytes, elapsed: (performance.now() - started) / 1000 };
}

/**
 * Our client reading `count` images of a run back from the relay's spool, timed: the
 * `relay → client` leg of `bench -- stream`, run in the bench's process and, alone, in
 * bench/stream-client.ts (which imports nothing else, to keep its heap small).
 */
import { ResultStream, isResultGap } from "../src/orchestrator/index.js";

/** What a read-back measured. */
export interface ReadBack {
  /** Pixel bytes after the first image, and seconds from the first image to the last. */
  readonly bytes: number;
  readonly elapsed: number;
  /** From before the stream connects to its first image: connect, hello, subscribe, credit. */
  readonly first_ms: number;
}

/**
 * Read `count` images. The rate's clock starts at the first image, as the pyzmq baseline's
 * does (its sockets are connected before it starts): the session's set-up is `first_ms`.
 */
export async function readBack(
  port: number,
  run: string,
  fromSeq: number,
  count: number,
): Promise<ReadBack> {
  const started = performance.now();
  // As the sidecar reads: each image's frame is freed once the next is asked for.
  const stream = new ResultStream({ host: "127.0.0.1", port }, run, {
    fromSeq,
    releaseFrames: true,
  });
  let received = 0;
  let bytes = 0;
  let first: number | null = null;
  for await (const entry of stream) {
    if (isResultGap(entry)) throw new Error(`gap ${entry.fromSeq}..${entry.toSeq} in the bench`);
    if (first === null) first = performance.now();
    else if (entry.kind === "image") bytes += entry.data.byteLength;
    if (++received === count) break;
  }
  const last = performance.now();
  first ??= last;
  return { bytes, elapsed: (last - first) / 1000, first_ms: first - started };
}

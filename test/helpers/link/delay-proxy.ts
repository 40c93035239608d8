/**
 * A TCP proxy that adds round-trip time: `node delay-proxy.js LISTEN_HOST PORT TARGET_HOST
 * TARGET_PORT ONE_WAY_MS`. Run inside the user namespace, it listens on its loopback and forwards
 * to the server namespace's veth address, holding every chunk `ONE_WAY_MS` in each direction.
 *
 * Each direction is a timed queue: a chunk is stamped when it arrives and written when its time
 * comes, so many chunks are in flight at once and the delay does not cap the throughput (a
 * sleep per chunk would). The reader is paused only while more than {@link HIGH_WATER} bytes wait.
 * Prints one JSON line `{"event":"listening","port":N}` when ready. A child script of the link
 * harness (bundled by child-scripts.ts), not imported by tests.
 */
import { createServer, connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

/** Bytes queued (held back or unsent) in one direction before the sender is paused. */
const HIGH_WATER = 16 * 1024 * 1024;

/** Forward `from` → `to`, each chunk `delayMs` late; `to` is ended once `from` ended and all left. */
function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let head = 0;
  let held = 0;
  let ended = false;
  let scheduled = false;

  const backlog = () => held + to.writableLength;
  const flush = (): void => {
    scheduled = false;
    const now = performance.now();
    while (head < queue.length && queue[head]!.due <= now) {
      const { chunk } = queue[head++]!;
      held -= chunk.length;
      to.write(chunk);
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    if (head === queue.length && ended) to.end();
    else schedule();
    if (from.isPaused() && backlog() < HIGH_WATER / 2) from.resume();
  };
  const schedule = (): void => {
    if (scheduled || head === queue.length) return;
    scheduled = true;
    // setTimeout waits at least 1 ms; a chunk already due goes out on the next turn.
    const wait = queue[head]!.due - performance.now();
    if (wait <= 0) setImmediate(flush);
    else setTimeout(flush, wait);
  };

  from.on("data", (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    held += chunk.length;
    if (backlog() > HIGH_WATER) from.pause();
    schedule();
  });
  from.on("end", () => {
    ended = true;
    if (head === queue.length) to.end();
  });
  to.on("drain", () => {
    if (from.isPaused() && backlog() < HIGH_WATER / 2) from.resume();
  });
}

const [listenHost = "127.0.0.1", port = "0", targetHost = "", targetPort = "0", oneWay = "0"] =
  process.argv.slice(2);
const delayMs = Number(oneWay);

const server = createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host: targetHost, port: Number(targetPort), noDelay: true });
  const closeBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", closeBoth);
  upstream.on("error", closeBoth);
  pipeDelayed(client, upstream, delayMs);
  pipeDelayed(upstream, client, delayMs);
});
server.listen(Number(port), listenHost, () => {
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: "listening", port: bound })}\n`);
});
process.on("SIGTERM", () => process.exit(0));

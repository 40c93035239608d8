/**
 * Measure a link for real: `node link-probe.js serve HOST` (server namespace) listens on HOST and
 * prints `{"event":"listening","port":N}`; `node link-probe.js measure HOST PORT BYTES PINGS`
 * (user namespace, through the delay proxy) pushes BYTES up and pulls BYTES down, then times
 * PINGS small ping-pongs, and prints one JSON line `{"event":"measured","upload_mb_s",…}`.
 *
 * Each connection opens with a 9-byte header: `U` (upload), `D` (download) or `P` (echo), then
 * the byte count (uint64 BE). Rates are timed at the receiving end from the first chunk to the
 * last, so the RTT before the first byte does not count. A child script of the link harness
 * (bundled by child-scripts.ts), not imported by tests.
 */
import { connect, createServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);
const PING = Buffer.alloc(32, 0x70);
const WARM_UP = 3;

/** Rate of `bytes` received between the first chunk (excluded) and the last, in MB/s (10^6 B). */
class RateTimer {
  private first = -1;
  private firstBytes = 0;
  private last = 0;
  received = 0;

  add(bytes: number): void {
    const now = performance.now();
    if (this.first < 0) {
      this.first = now;
      this.firstBytes = bytes;
    }
    this.last = now;
    this.received += bytes;
  }

  mbPerSecond(): number {
    return (this.received - this.firstBytes) / 1e6 / ((this.last - this.first) / 1e3);
  }
}

/** Write `total` bytes to `socket`, waiting on `drain`. */
async function send(socket: Socket, total: number): Promise<void> {
  for (let left = total; left > 0; left -= CHUNK.length) {
    const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
  }
}

function header(kind: "U" | "D" | "P", bytes: number): Buffer {
  const out = Buffer.alloc(9);
  out.write(kind, 0, "latin1");
  out.writeBigUInt64BE(BigInt(bytes), 1);
  return out;
}

function serve(host: string): void {
  const server = createServer({ noDelay: true }, (socket) => {
    let head = Buffer.alloc(0);
    let kind = "";
    let expected = 0;
    const upload = new RateTimer();
    const onPayload = (chunk: Buffer): void => {
      if (kind === "P") {
        socket.write(chunk);
        return;
      }
      upload.add(chunk.length);
      if (upload.received >= expected) {
        socket.end(`${JSON.stringify({ mb_s: upload.mbPerSecond() })}\n`);
      }
    };
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      if (kind !== "") {
        onPayload(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < 9) return;
      kind = head.toString("latin1", 0, 1);
      expected = Number(head.readBigUInt64BE(1));
      if (kind === "D") {
        void send(socket, expected).then(() => socket.end());
      } else if (head.length > 9) {
        onPayload(head.subarray(9));
      }
    });
  });
  server.listen(0, host, () => {
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ event: "listening", port })}\n`);
  });
  process.on("SIGTERM", () => process.exit(0));
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true }, () => {
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

async function download(host: string, port: number, bytes: number): Promise<number> {
  const socket = await open(host, port);
  const timer = new RateTimer();
  socket.on("data", (chunk: Buffer) => {
    timer.add(chunk.length);
  });
  socket.write(header("D", bytes));
  await new Promise((resolve) => socket.once("end", resolve));
  socket.destroy();
  if (timer.received !== bytes) throw new Error(`download got ${timer.received} of ${bytes} B`);
  return timer.mbPerSecond();
}

async function upload(host: string, port: number, bytes: number): Promise<number> {
  const socket = await open(host, port);
  let reply = "";
  socket.on("data", (chunk: Buffer) => (reply += chunk.toString("utf8")));
  const ended = new Promise((resolve) => socket.once("end", resolve));
  socket.write(header("U", bytes));
  await send(socket, bytes);
  await ended;
  socket.destroy();
  return (JSON.parse(reply) as { mb_s: number }).mb_s;
}

/** Round trips of a 32-byte message, in ms, after a few untimed ones. */
async function pings(host: string, port: number, count: number): Promise<number[]> {
  const socket = await open(host, port);
  socket.write(header("P", 0));
  const times: number[] = [];
  let pending = 0;
  let done: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending <= 0) done?.();
  });
  for (let i = 0; i < WARM_UP + count; i++) {
    const started = performance.now();
    pending = PING.length;
    await new Promise<void>((resolve) => {
      done = resolve;
      socket.write(PING);
    });
    if (i >= WARM_UP) times.push(performance.now() - started);
  }
  socket.destroy();
  return times;
}

async function measure(host: string, port: number, bytes: number, count: number): Promise<void> {
  const upMbS = await upload(host, port, bytes);
  const downMbS = await download(host, port, bytes);
  const rtts = await pings(host, port, count);
  const sorted = [...rtts].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const result = {
    event: "measured",
    upload_mb_s: upMbS,
    download_mb_s: downMbS,
    rtt_ms: median,
    rtts_ms: rtts,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const [mode, host = "127.0.0.1", port = "0", bytes = "8000000", count = "20"] =
  process.argv.slice(2);
if (mode === "serve") serve(host);
else if (mode === "measure") {
  measure(host, Number(port), Number(bytes), Number(count)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write("usage: link-probe serve HOST | measure HOST PORT BYTES PINGS\n");
  process.exit(2);
}

/**
 * Give a received frame's memory back as soon as its consumer is done with it.
 *
 * zeromq.js hands each frame over without a copy, in an ArrayBuffer whose memory V8 counts as
 * external, and V8 answers every 64 MB of external memory with a full collection of the heap.
 * Reading 8 MiB planes, that is a collection every eight planes: measured, V8's mutator
 * utilisation fell to 0.4 and the collector took 37 % of the reading process's CPU. Detaching
 * the buffer frees the frame (and takes it off V8's count) at once, so no collection is due.
 *
 * `ArrayBuffer.prototype.transfer` detaches (ES2024, in Node from 22). Node 20's V8 has it behind
 * a flag that is read when a context is made, so there it is taken from a context made after
 * setting the flag (a builtin works on any context's buffers); a command-line flag would not do,
 * as later V8s refuse it. Where neither works this does nothing and V8 collects as before.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Transfer = (this: ArrayBuffer, newLength: number) => ArrayBuffer;

function findTransfer(): Transfer | undefined {
  const native = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;
  if (native !== undefined) return native;
  try {
    setFlagsFromString("--harmony-rab-gsab-transfer");
    const found: unknown = runInNewContext("ArrayBuffer.prototype.transfer");
    return typeof found === "function" ? (found as Transfer) : undefined;
  } catch {
    return undefined;
  }
}

const transfer = findTransfer();

/**
 * Frames below this share Node's buffer pool or cost V8 little: left alone. A zero-copy frame
 * of this size or more owns its whole buffer.
 */
const RELEASE_MIN_BYTES = 64 * 1024;

/** Whether this Node can release frames (it has `ArrayBuffer.prototype.transfer`). */
export const canReleaseFrames = transfer !== undefined;

/**
 * Free the memory behind `view` now. Every view of the same buffer becomes empty: call it only
 * when nothing holds one. Only a view that spans its whole (non-shared) buffer is released.
 */
export function releaseFrame(view: Uint8Array): void {
  const buffer = view.buffer;
  if (
    transfer === undefined ||
    !(buffer instanceof ArrayBuffer) ||
    view.byteOffset !== 0 ||
    view.byteLength !== buffer.byteLength ||
    buffer.byteLength < RELEASE_MIN_BYTES
  ) {
    return;
  }
  transfer.call(buffer, 0);
}

/**
 * Where a client stands in one run's sequence (docs/relay-stream-protocol.md §6, steps 3–5):
 * every seq arrives exactly once, as an item or inside a gap. Duplicates (re-sent after a new
 * `hello`) are dropped and counted; a seq that skips ahead is a protocol error, never a silent
 * hole.
 */
import type { ResultGap } from "../result-image.js";

/** How an `end` left the run on the relay. */
export type RunEndStatus = "complete" | "failed" | "cancelled" | "unknown";

/** The relay broke the sequence rules; `field` names what was wrong. */
export class CursorFault extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** One run's position on the receiving side (what the consumer took is counted elsewhere). */
export class RunCursor {
  /** The next seq expected from the relay. */
  nextSeq: number;
  duplicates = 0;
  /** Whether the run's `end` arrived with every seq accounted for. */
  ended = false;

  constructor(
    readonly executionId: string,
    fromSeq = 1,
  ) {
    this.nextSeq = fromSeq;
  }

  /** An item: `true` to deliver it, `false` for a duplicate. */
  item(seq: number): boolean {
    if (seq < this.nextSeq) {
      this.duplicates += 1;
      return false;
    }
    if (seq > this.nextSeq) {
      throw new CursorFault("seq", `item seq ${seq} skips ahead of ${this.nextSeq}`);
    }
    this.nextSeq = seq + 1;
    return true;
  }

  /** A gap: the part not yet accounted for, or `null` when all of it was (a duplicate). */
  gap(fromSeq: number, toSeq: number, reason: ResultGap["reason"]): ResultGap | null {
    if (toSeq < this.nextSeq) {
      this.duplicates += 1;
      return null;
    }
    if (fromSeq > this.nextSeq) {
      throw new CursorFault("from_seq", `gap starts at ${fromSeq}, expected ${this.nextSeq}`);
    }
    const gap: ResultGap = { executionId: this.executionId, fromSeq: this.nextSeq, toSeq, reason };
    this.nextSeq = toSeq + 1;
    return gap;
  }

  /** The `end`: valid only once every seq up to `lastSeq` went out as an item or a gap. */
  end(lastSeq: number): void {
    if (this.nextSeq !== lastSeq + 1) {
      throw new CursorFault(
        "last_seq",
        `end says the run stopped at seq ${lastSeq}, but the next seq expected is ${this.nextSeq}`,
      );
    }
    this.ended = true;
  }
}

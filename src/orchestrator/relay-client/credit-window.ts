/**
 * The client's side of the relay's flow control (docs/relay-stream-protocol.md §5).
 *
 * The relay sends an item, gap or end only against credit, and charges each its total frame
 * size. We grant a window when a session opens and hand credit back only for what the consumer
 * has *taken*, at half a window at a time. So what sits on this side — in ZeroMQ's queue and in
 * ours — never exceeds the window (plus the one message by which byte credit may overdraw), and
 * a slow consumer slows the relay instead of growing memory.
 */

/** A credit grant to send: items and bytes to add to the relay's window. */
export interface CreditGrant {
  readonly items: number;
  readonly bytes: number;
}

/** Window size and the point at which consumed credit goes back. */
export interface CreditWindowOptions {
  readonly items: number;
  readonly bytes: number;
  /** Fraction of the window consumed before it is handed back; default 0.5. */
  readonly returnFraction?: number;
}

/** Credit accounting for one session at a time. */
export class CreditWindow {
  private items: number;
  private bytes: number;
  private readonly returnFraction: number;
  /** Received and not yet taken by the consumer. */
  private heldItems = 0;
  private heldBytes = 0;
  /** Taken by the consumer since credit last went back. */
  private takenItems = 0;
  private takenBytes = 0;

  constructor(options: CreditWindowOptions) {
    this.items = options.items;
    this.bytes = options.bytes;
    this.returnFraction = options.returnFraction ?? 0.5;
  }

  /** Items and bytes held on this side (the memory the window bounds). */
  get held(): CreditGrant {
    return { items: this.heldItems, bytes: this.heldBytes };
  }

  /** The window size. */
  get size(): CreditGrant {
    return { items: this.items, bytes: this.bytes };
  }

  /**
   * A new session starts with no credit: grant the window less what we still hold, clipped to
   * the relay's maxima. Credit taken under the old session is forgotten (that session is gone).
   */
  open(maxItems: number, maxBytes: number): CreditGrant | null {
    this.items = Math.min(this.items, maxItems);
    this.bytes = Math.min(this.bytes, maxBytes);
    this.takenItems = 0;
    this.takenBytes = 0;
    const items = Math.max(0, this.items - this.heldItems);
    const bytes = Math.max(0, this.bytes - this.heldBytes);
    return items > 0 && bytes > 0 ? { items, bytes } : null;
  }

  /** A credit-using message arrived and waits for the consumer. */
  received(size: number): void {
    this.heldItems += 1;
    this.heldBytes += size;
  }

  /**
   * The consumer took a held message; returns the credit to hand back, if half a window has
   * been taken since the last return.
   */
  taken(size: number): CreditGrant | null {
    this.heldItems = Math.max(0, this.heldItems - 1);
    this.heldBytes = Math.max(0, this.heldBytes - size);
    return this.spent(size);
  }

  /** A message that used credit but was never held (a duplicate, another run's); see {@link taken}. */
  spent(size: number): CreditGrant | null {
    this.takenItems += 1;
    this.takenBytes += size;
    if (
      this.takenItems >= this.items * this.returnFraction ||
      this.takenBytes >= this.bytes * this.returnFraction
    ) {
      const grant = { items: this.takenItems, bytes: this.takenBytes };
      this.takenItems = 0;
      this.takenBytes = 0;
      return grant;
    }
    return null;
  }
}

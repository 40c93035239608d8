/**
 * The credit window of the result stream (docs/relay-stream-protocol.md §5), on its own: what it
 * grants when a session opens, when it hands credit back, and that memory on this side never
 * exceeds one window however the messages arrive.
 */
import { describe, expect, it } from "vitest";
import { CreditWindow } from "../../src/orchestrator/relay-client/credit-window.js";

const MIB = 1024 * 1024;

describe("CreditWindow", () => {
  it("grants the whole window to a new session, clipped to the relay's maxima", () => {
    const window = new CreditWindow({ items: 512, bytes: 512 * MIB });
    expect(window.open(256, 256 * MIB)).toEqual({ items: 256, bytes: 256 * MIB });
    expect(window.size).toEqual({ items: 256, bytes: 256 * MIB });
  });

  it("hands credit back once half the window was taken, not before", () => {
    const window = new CreditWindow({ items: 8, bytes: 64 * MIB });
    window.open(256, 256 * MIB);
    const grants = [];
    for (let i = 0; i < 8; i += 1) {
      window.received(MIB);
      grants.push(window.taken(MIB));
    }
    expect(grants.filter((g) => g !== null)).toEqual([
      { items: 4, bytes: 4 * MIB },
      { items: 4, bytes: 4 * MIB },
    ]);
    expect(grants.slice(0, 3)).toEqual([null, null, null]);
  });

  it("counts bytes too: a few large messages return credit as soon as half the bytes went", () => {
    const window = new CreditWindow({ items: 64, bytes: 32 * MIB });
    window.open(256, 256 * MIB);
    window.received(8 * MIB);
    expect(window.taken(8 * MIB)).toBeNull();
    window.received(8 * MIB);
    expect(window.taken(8 * MIB)).toEqual({ items: 2, bytes: 16 * MIB });
  });

  it("grants a new session only what is not still held, and forgets the old session's returns", () => {
    const window = new CreditWindow({ items: 8, bytes: 64 * MIB });
    window.open(256, 256 * MIB);
    for (let i = 0; i < 5; i += 1) window.received(MIB);
    window.taken(MIB); // one taken under the old session: its return is moot now
    expect(window.held).toEqual({ items: 4, bytes: 4 * MIB });
    expect(window.open(256, 256 * MIB)).toEqual({ items: 4, bytes: 60 * MIB });
  });

  it("returns a duplicate's credit without touching what is held", () => {
    const window = new CreditWindow({ items: 4, bytes: 64 * MIB });
    window.open(256, 256 * MIB);
    window.received(MIB);
    expect(window.spent(MIB)).toBeNull();
    expect(window.held).toEqual({ items: 1, bytes: MIB });
    expect(window.spent(MIB)).toEqual({ items: 2, bytes: 2 * MIB });
  });

  it("grants nothing while a full window is still held", () => {
    const window = new CreditWindow({ items: 2, bytes: 64 * MIB });
    window.open(256, 256 * MIB);
    window.received(MIB);
    window.received(MIB);
    expect(window.open(256, 256 * MIB)).toBeNull();
  });
});

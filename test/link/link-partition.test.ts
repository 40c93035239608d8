/**
 * A partition mid-run over the shaped link (issue 11): the user's side follows a running OpenHCS
 * run in previews delivery from its own network namespace; the link goes down for 10 s while the
 * server keeps working, then comes back. Every image's preview arrives once, in order, none lost
 * and none doubled; the relay kept them in its spool meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  linesOf,
  requireLink,
  startServerAcrossLink,
  type ServerAcrossLink,
} from "../helpers/link/index.js";

const runs = await requireLink("shaped-link partition test");
const WELLS = ["A01", "A02", "A03", "A04", "B01", "B02", "B03", "B04"];
const PLANES = WELLS.length * 2 * 2;
const PARTITION_MS = 10_000;
/** Time for bytes already past the cut point (socket buffers, the delay proxy) to land. */
const IN_FLIGHT_MS = 2_000;

describe.runIf(runs)("a 10 s partition of the link in the middle of a run", () => {
  let across: ServerAcrossLink | undefined;

  beforeAll(async () => {
    across = await startServerAcrossLink({
      name: "link-partition",
      plate: { wells: WELLS, zPlanes: 3, tile: 256 },
    });
  });

  afterAll(async () => {
    await across?.close();
  });

  it("loses nothing and doubles nothing: every preview arrives once, after the link is back", async () => {
    if (across === undefined) throw new Error("no link");
    const shaped = across.link;
    // Submitted beside the server; its own full stream stays off the link.
    const submit = across.submitBeside();
    const arrivals: number[] = [];
    let seen: () => void = () => undefined;
    const firstItem = new Promise<void>((resolve) => (seen = resolve));
    const follower = across.follow(await submit.executionId, {
      onEvent: (event) => {
        if (event.event !== "item") return;
        arrivals.push(performance.now());
        seen();
      },
    });

    await firstItem;
    await shaped.setUserLink(false);
    const cutStart = performance.now();
    const cutAt = arrivals.length;
    await new Promise((resolve) => setTimeout(resolve, PARTITION_MS));
    const cutEnd = performance.now();
    const duringCut = arrivals.length - cutAt;
    // What was already in the sockets' buffers may still land in the cut's first moments.
    const afterDrain = arrivals.filter((t) => t > cutStart + IN_FLIGHT_MS && t < cutEnd).length;
    await shaped.setUserLink(true);
    expect(await submit.exited, "the run (beside the server) completes").toBe(0);
    const [end] = await linesOf<{
      gaps: unknown[];
      summary: { delivered: number; duplicates: number; missing: number; status: string };
    }>(follower, "end");
    const result = {
      seqs: follower.events.filter((e) => e.event === "item").map((e) => e.seq),
      gaps: end?.gaps,
      summary: end?.summary,
    };
    expect(result.seqs).toEqual(Array.from({ length: PLANES * 3 }, (_, i) => i + 1));
    expect(result.gaps).toEqual([]);
    expect(result.summary).toMatchObject({ missing: 0, status: "complete" });
    // The cut was real: once what was in flight had landed, nothing came through it.
    expect(afterDrain).toBe(0);
    expect(cutAt).toBeLessThan(PLANES * 3);
    console.log(
      `partition: ${cutAt} previews before the cut, ${duringCut} during it, ` +
        `${PLANES * 3 - cutAt - duringCut} after; duplicates dropped: ${result.summary?.duplicates}`,
    );
  });
});

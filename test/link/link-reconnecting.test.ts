/**
 * The notebook during a partition (issue 11): a kernel in the user's network namespace (the
 * Python shim, `openhcs_remote.notebook`, with its sidecar) follows a running OpenHCS run in
 * previews delivery through the shaped link; the link goes down for 10 s while the server keeps
 * working, then comes back. While it is down the run says it is reconnecting to the relay (its
 * repr and the widget's `relay_link` trait, with the relay's address and the seconds of
 * silence), and says so during the cut, not after; once the link is back it stops saying it, and
 * the run completes with every image's preview in the kernel, once each: nothing lost.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireLink,
  startServerAcrossLink,
  type ChildEvent,
  type ServerAcrossLink,
} from "../helpers/link/index.js";
import { PYTHON, REPO_ROOT } from "../helpers/python.js";

const runs = await requireLink("shaped-link reconnecting test");
const WELLS = ["A01", "A02", "A03", "A04", "B01", "B02", "B03", "B04"];
/** Wells × sites × channels × z planes. */
const IMAGES = WELLS.length * 2 * 2 * 3;
const PARTITION_MS = 10_000;
/** Three missed heartbeats of 1 s, a tick, and room for a loaded machine. */
const NOTICE_MS = 6_000;

/**
 * The kernel: attach to the run, print each image as it arrives and each change of the relay
 * link as the user sees it (`run.relay_link`, the repr, the widget's trait), then the end.
 */
const KERNEL = `
import json, sys, threading, time
from openhcs_remote.notebook import RemoteOrchestrator

port, relay_port, execution_id = sys.argv[1:4]
orch = RemoteOrchestrator("127.0.0.1", int(port), relay=("127.0.0.1", int(relay_port)),
                          delivery="previews")
lock = threading.Lock()
seqs = []

def say(**fields):
    with lock:  # on_image runs on its own thread
        sys.stdout.write(json.dumps(fields) + "\\n")
        sys.stdout.flush()

def on_image(image):
    seqs.append(image.seq)
    say(kind="image", seq=image.seq)

run = orch.attach(execution_id, on_image=on_image)
shown = None
while not run.wait(0.1):
    link = run.relay_link
    state = None if link is None else link["state"]
    if state != shown:
        shown = state
        say(kind="link", state=state, link=link, repr=repr(run),
            trait=run.display.traits()["relay_link"])
deadline = time.monotonic() + 10
while len(seqs) < run.state.images_received and time.monotonic() < deadline:
    time.sleep(0.05)  # the last callbacks may still be on their thread
error = run.exception()
previews = run.display.previews  # on disk: read back one by one
say(kind="end", status=run.status, error=None if error is None else str(error),
    previews=sorted(header["seq"] for header, _ in previews.values()), seqs=sorted(seqs),
    gaps=run.state.gaps, images_received=run.state.images_received, repr=repr(run),
    trait=run.display.traits()["relay_link"])
`;

interface KernelLine {
  readonly kind: "image" | "link" | "end";
  readonly at: number;
  readonly seq?: number;
  readonly state?: string | null;
  readonly link?: { state: string; address: string; silent_ms: number } | null;
  readonly trait?: { state: string; address: string; silent_ms: number } | null;
  readonly repr?: string;
  readonly status?: string;
  readonly error?: string | null;
  readonly previews?: number[];
  readonly seqs?: number[];
  readonly gaps?: unknown[];
  readonly images_received?: number;
}

describe.runIf(runs)("the notebook while the link is down for 10 s in the middle of a run", () => {
  let across: ServerAcrossLink | undefined;

  beforeAll(async () => {
    across = await startServerAcrossLink({
      name: "link-reconnecting",
      plate: { wells: WELLS, zPlanes: 3, tile: 256 },
    });
    writeFileSync(join(across.workDir, "kernel.py"), KERNEL);
  });

  afterAll(async () => {
    await across?.close();
  });

  it("says it is reconnecting to the relay during the cut, then completes with every preview", async () => {
    if (across === undefined) throw new Error("no link");
    const { link: shaped, server, relay } = across;
    // Submitted beside the server; its own full stream stays off the link.
    const submitted = across.submitBeside();
    const executionId = await submitted.executionId;

    const seen: KernelLine[] = [];
    let resolveFirst: () => void = () => undefined;
    const firstImage = new Promise<void>((resolve) => (resolveFirst = resolve));
    const kernel = across.inUserNs(
      [
        PYTHON,
        join(across.workDir, "kernel.py"),
        String(server.port),
        String(relay.stream_port),
        executionId,
      ],
      {
        // This clone's sidecar (lib/, `npm run build:lib`) on this Node, not a wheel's bundle.
        env: {
          OPENHCS_REMOTE_NODE: process.execPath,
          OPENHCS_REMOTE_SIDECAR: join(REPO_ROOT, "lib", "sidecar", "main.js"),
        },
        onEvent: (event: ChildEvent) => {
          seen.push({ ...(event as unknown as Omit<KernelLine, "at">), at: performance.now() });
          if (event.kind === "image") resolveFirst();
        },
      },
    );
    await Promise.race([
      firstImage,
      kernel.exited.then((code) => {
        throw new Error(`the kernel exited ${code} before any image: ${kernel.stderr()}`);
      }),
    ]);
    await shaped.setUserLink(false);
    const cutStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, PARTITION_MS));
    const cutEnd = performance.now();
    await shaped.setUserLink(true);
    expect(await submitted.exited, "the run (beside the server) completes").toBe(0);
    expect(await kernel.exited, kernel.stderr()).toBe(0);

    const changes = seen.filter((l) => l.kind === "link");
    const images = seen.filter((l) => l.kind === "image");
    const end = seen.find((l) => l.kind === "end");
    const reconnecting = changes.find((l) => l.state === "reconnecting");
    const address = `127.0.0.1:${relay.stream_port}`;
    // During the cut, and soon after it began: not once the link was back.
    expect(reconnecting, "the run said it was reconnecting").toBeDefined();
    const noticedAfter = (reconnecting?.at ?? 0) - cutStart;
    expect(noticedAfter).toBeGreaterThan(0);
    expect(noticedAfter).toBeLessThan(NOTICE_MS);
    expect(reconnecting?.at ?? Infinity).toBeLessThan(cutEnd);
    expect(reconnecting?.link).toMatchObject({ state: "reconnecting", address });
    expect(reconnecting?.trait).toMatchObject({ state: "reconnecting", address });
    expect(reconnecting?.link?.silent_ms ?? 0).toBeGreaterThanOrEqual(3000);
    expect(reconnecting?.repr).toMatch(
      new RegExp(`reconnecting to relay ${address.replace(/\./g, "\\.")}… \\(\\d+ s\\)`),
    );
    // Back: said once the link was up again, and never "lost".
    const back = changes.find((l) => l.state === null && l.at > (reconnecting?.at ?? 0));
    expect(back, "the run stopped saying it was reconnecting").toBeDefined();
    expect(back?.at ?? 0).toBeGreaterThan(cutEnd);
    expect(changes.map((l) => l.state)).not.toContain("lost");
    // Nothing lost, nothing doubled.
    const all = Array.from({ length: IMAGES }, (_, i) => i + 1);
    expect(end).toMatchObject({ status: "complete", error: null, gaps: [], trait: null });
    expect(end?.previews).toEqual(all);
    expect(end?.seqs, "every image once").toEqual(all);
    expect(end?.images_received).toBe(IMAGES);
    const before = images.filter((l) => l.at < cutStart).length;
    const during = images.filter((l) => l.at >= cutStart && l.at < cutEnd).length;
    console.log(
      `reconnecting: said ${(noticedAfter / 1000).toFixed(1)} s into the 10 s cut ` +
        `(silent ${reconnecting?.link?.silent_ms ?? 0} ms), cleared ` +
        `${(((back?.at ?? 0) - cutEnd) / 1000).toFixed(1)} s after the link was back; images ` +
        `${before} before, ${during} during, ${IMAGES - before - during} after`,
    );
  });
});

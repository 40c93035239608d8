/**
 * A notebook over the shaped link (issue 11): the kernel (the Python shim, with its sidecar) in
 * the user's network namespace runs a pipeline on the server host with the shim's defaults —
 * previews delivery — through the delay proxies, as through an SSH tunnel. Full resolution
 * crosses only when asked, and then bit-exact OpenHCS's own TIFFs, whichever way it is asked for:
 * the stack viewer's fetch, `run.images()`, `run.save()`. The relay keeps a 2 MiB spool here, so
 * the run's first planes are evicted by the end and come from the files OpenHCS wrote.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireLink,
  startServerAcrossLink,
  type ServerAcrossLink,
} from "../helpers/link/index.js";
import { PYTHON, REPO_ROOT } from "../helpers/python.js";

const runs = await requireLink("shaped-link notebook test");
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");
const WELLS = ["A01", "A02", "A03", "A04", "B01", "B02", "B03", "B04"];
const TILE = 256;
/** 8 wells × 2 sites × 2 channels, 1 z. */
const PLANES = WELLS.length * 2 * 2;

interface KernelReport {
  readonly execution_id: string;
  readonly images: number;
  readonly left_on_server: number;
  readonly tiffs: number;
  readonly viewer_exact: boolean;
  readonly viewer_ms: number;
  readonly images_exact: number;
  readonly saved_planes: number;
  readonly saved_sum: number;
  readonly tiff_sum: number;
  readonly gaps: unknown[];
  readonly sources: Record<string, string>;
}

describe.runIf(runs)("a notebook over a 100 Mbit/s, 20 ms RTT link", () => {
  let across: ServerAcrossLink | undefined;

  beforeAll(async () => {
    across = await startServerAcrossLink({
      name: "link-notebook",
      plate: { wells: WELLS, zPlanes: 1, tile: TILE },
      serverArgs: ["--spool-max-bytes", "2M"],
    });
  });

  afterAll(async () => {
    await across?.close();
  });

  it("brings previews only, then every plane bit-exact through the viewer, run.images() and run.save()", async () => {
    if (across === undefined) throw new Error("no link");
    const { link: shaped, server, relay, plate, pipeline } = across;
    const before = await shaped.userBytes();
    const kernel = across.inUserNs([
      PYTHON,
      join(REPO_ROOT, "test", "link", "notebook_over_link.py"),
      String(server.port),
      String(relay.stream_port),
      plate,
      pipeline,
      config,
      join(across.workDir, "saved"),
    ]);
    expect(await kernel.exited, kernel.stderr().slice(-3000)).toBe(0);
    const after = await shaped.userBytes();
    const report = (kernel.events.at(-1) ?? {}) as unknown as KernelReport;
    const pixels = PLANES * TILE * TILE * 2;
    console.log(
      `notebook over the link: ${report.images} images, viewer fetch ${report.viewer_ms} ms, ` +
        `${after.rx - before.rx} B down for ${pixels} B of pixels (previews, then every plane ` +
        `fetched once); sources ${JSON.stringify(report.sources)}`,
    );
    expect(report.images).toBe(PLANES);
    expect(report.gaps).toEqual([]);
    // Until asked, every plane stayed on the server: the kernel host had previews only.
    expect(report.left_on_server).toBe(PLANES);
    expect(report.tiffs).toBe(PLANES);
    expect(report.viewer_exact, "the viewer's full resolution is OpenHCS's plane").toBe(true);
    expect(report.images_exact).toBe(PLANES);
    expect(report.saved_planes).toBe(PLANES);
    expect(report.saved_sum).toBe(report.tiff_sum);
    // 4 MiB of planes through a 2 MiB spool: the first was evicted, the last is still held.
    expect(report.sources).toEqual({ "1": "openhcs_file", [String(PLANES)]: "spool" });
    // The previews (8-bit: half a uint16 plane here), each plane once (Blosc barely shrinks the
    // noise) and the two raw planes of the source check, with 10 % for framing: never twice.
    const once = pixels / 2 + pixels + 2 * TILE * TILE * 2;
    expect(after.rx - before.rx).toBeLessThan(once * 1.1);
  });
});

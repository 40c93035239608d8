/**
 * A real run over a link that behaves like one (issue 11): the OpenHCS server and our relay in
 * the server namespace, bound to the veth address; our CLI in the user namespace, through the
 * delay proxies on its loopback as through an SSH tunnel; 100 Mbit/s and 20 ms RTT between
 * them. Every plane `run --out` saves is bit-exact OpenHCS's own TIFF; the bytes that crossed
 * the link and the wall time are printed, next to the same run without the link.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import {
  requireLink,
  startServerAcrossLink,
  type ServerAcrossLink,
} from "../helpers/link/index.js";
import { compareStoreWithDisk, expectEveryTiffStored } from "../helpers/store-vs-disk.js";

const runs = await requireLink("shaped-link run test");
const WELLS = ["A01", "A02", "B01", "B02"];
/** 4 wells × 2 sites × 2 channels, one z-plane: 16 planes of 64 × 64 uint16. */
const PLANES = WELLS.length * 2 * 2;
const PIXEL_BYTES = PLANES * 64 * 64 * 2;

describe.runIf(runs)("openhcs-remote run over a 100 Mbit/s, 20 ms RTT link", () => {
  let across: ServerAcrossLink | undefined;

  /** `run … --out DIR --json` against `host`: the server's and the relay's ports there. */
  const runArgs = (host: string, out: string) => across?.runArgs(host, ["--out", out]) ?? [];

  beforeAll(async () => {
    across = await startServerAcrossLink({ name: "link-run", plate: { wells: WELLS, zPlanes: 1 } });
  });

  afterAll(async () => {
    await across?.close();
  });

  it("binds the server and the relay to the veth address, and nothing else beyond loopback", async () => {
    if (across === undefined) throw new Error("no link");
    const { link, server, relay } = across;
    expect(server.host).toBe(link.serverAddr);
    expect(relay.stream_host).toBe(link.serverAddr);
    const { server: serverSide, user: userSide } = await link.listening();
    expect(serverSide).toEqual(
      expect.arrayContaining([
        `${link.serverAddr}:${server.port}`,
        `${link.serverAddr}:${server.controlPort}`,
        `${link.serverAddr}:${relay.stream_port}`,
        `127.0.0.1:${relay.viewer_port}`,
      ]),
    );
    // OpenHCS's workers' ack listener binds *:7555; inside the namespace that is the veth only.
    const beyond = (local: string) =>
      !local.startsWith("127.0.0.1:") &&
      !local.startsWith(`${link.serverAddr}:`) &&
      !local.endsWith(":7555");
    expect(serverSide.filter(beyond)).toEqual([]);
    expect(userSide).toContain(`127.0.0.1:${server.port}`);
    expect(userSide.filter((local) => !local.startsWith("127.0.0.1:"))).toEqual([]);
  });

  it("saves every plane bit-exact through the link and prints what crossed it", async () => {
    if (across === undefined) throw new Error("no link");
    const { link, workDir, plate } = across;
    const out = join(workDir, "out-shaped");
    const before = await link.userBytes();
    const started = performance.now();
    const { code, stdout, stderr } = await runCli(
      runArgs("127.0.0.1", out),
      120_000,
      {},
      link.userPrefix,
    );
    const wallMs = performance.now() - started;
    const after = await link.userBytes();
    expect(code, stderr).toBe(0);
    const events = jsonLines(stdout);
    expect(events.filter((event) => event.event === "image")).toHaveLength(PLANES);
    expect(events.find((event) => event.event === "complete")).toMatchObject({
      results: { delivered: PLANES, missing: 0, status: "complete" },
    });
    const compared = await compareStoreWithDisk(out, `${plate}_openhcs`);
    expect(Object.keys(compared.disk)).toHaveLength(PLANES);
    expect(Object.keys(compared.stored)).toHaveLength(PLANES);
    expectEveryTiffStored(compared);
    const down = after.rx - before.rx;
    const up = after.tx - before.tx;
    // The pixels came over the veth, not some other way.
    expect(down).toBeGreaterThan(PIXEL_BYTES);
    console.log(
      `link run (100 Mbit/s, 20 ms RTT): ${(wallMs / 1000).toFixed(2)} s wall, ` +
        `${down} B down, ${up} B up across the veth (${PIXEL_BYTES} B of pixels)`,
    );
  });

  it("runs the same without the link, for comparison (CLI beside the server, no veth, no delay)", async () => {
    if (across === undefined) throw new Error("no link");
    const { link, workDir } = across;
    const out = join(workDir, "out-unshaped");
    const started = performance.now();
    const { code, stdout, stderr } = await runCli(
      runArgs(link.serverAddr, out),
      120_000,
      {},
      link.serverPrefix,
    );
    const wallMs = performance.now() - started;
    expect(code, stderr).toBe(0);
    expect(jsonLines(stdout).filter((event) => event.event === "image")).toHaveLength(PLANES);
    console.log(`unshaped run (same server, no link): ${(wallMs / 1000).toFixed(2)} s wall`);
  });
});

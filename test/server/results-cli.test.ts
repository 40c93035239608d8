/**
 * `openhcs-remote run --relay HOST:PORT`: the CLI points the run at the relay, receives every
 * image, and says so, against the real server and relay. Runs the built CLI (lib/cli/main.js).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli.js";
import { writeSyntheticPlate } from "../helpers/openhcs-server.js";
import { REPO_ROOT } from "../helpers/python.js";
import { compareStoreWithDisk, expectEveryTiffStored } from "../helpers/store-vs-disk.js";
import { PIPELINE_NORMALIZE, ownPlate, type ReadyRelay } from "../helpers/relay-results.js";

const shared = inject("openhcs");
let plate = "";
const relay = shared.relay as unknown as ReadyRelay;
const config = join(REPO_ROOT, "examples", "pipelines", "cpu_config.py");

/** `openhcs-remote run` of the normalize pipeline on this file's plate, streamed to the relay. */
function relayRunArgs(onPlate = plate): string[] {
  const pipeline = join(shared.workDir, "normalize-for-cli.py");
  writeFileSync(pipeline, PIPELINE_NORMALIZE);
  return [
    "run",
    "--server",
    `${shared.host}:${shared.port}`,
    "--plate",
    onPlate,
    "--pipeline",
    pipeline,
    "--relay",
    `${relay.stream_host}:${relay.stream_port}`,
    "--relay-viewer-port",
    String(relay.viewer_port),
  ];
}

describe("openhcs-remote run --relay against the real server and relay", () => {
  beforeAll(async () => {
    plate = await ownPlate(shared.workDir, "results-cli-plate");
  });

  it("with --delivery full streams every image's pixels and reports each image and the total", async () => {
    const { code, stdout, stderr } = await runCli([
      ...relayRunArgs(),
      "--config",
      config,
      "--delivery",
      "full",
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const events = jsonLines(stdout);
    const images = events.filter((event) => event.event === "image");
    expect(images.map((event) => event.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(images[0]).toMatchObject({
      kind: "image",
      shape: [64, 64],
      dtype: "uint16",
      step: "normalize",
    });
    expect(new Set(images.map((event) => event.well))).toEqual(new Set(["A01", "A02", "B01"]));
    expect(events.at(-1)).toMatchObject({
      event: "complete",
      results: { delivered: 24, missing: 0, ended: true, status: "complete" },
    });
  });

  it("with --delivery full --out saves every plane bit-exact, frames freed as it goes", async () => {
    // 256² uint16: 128 KiB frames, which the CLI frees once each is stored (releaseFrames).
    const big = await writeSyntheticPlate(join(shared.workDir, "results-cli-big-plate"), {
      wells: ["A01", "A02"],
      tile: 256,
    });
    const out = join(shared.workDir, "results-cli-big-out");
    const { code, stderr } = await runCli([
      ...relayRunArgs(big),
      "--config",
      config,
      "--delivery",
      "full",
      "--out",
      out,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const compared = await compareStoreWithDisk(out, `${big}_openhcs`);
    expect(Object.keys(compared.disk)).toHaveLength(8);
    expect(Object.keys(compared.stored)).toHaveLength(8);
    expectEveryTiffStored(compared);
  });

  it("by default brings each image as its preview: the full plane's shape, no pixels", async () => {
    const { code, stdout, stderr } = await runCli([
      ...relayRunArgs(),
      "--config",
      config,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const images = jsonLines(stdout).filter((event) => event.event === "image");
    expect(images).toHaveLength(24);
    for (const image of images) {
      expect(image).toMatchObject({ kind: "preview", shape: [64, 64], dtype: "uint16" });
    }
  });

  it("refuses a --delivery that is neither previews nor full, and one without --relay", async () => {
    const bad = await runCli([...relayRunArgs(), "--delivery", "thumbnails"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--delivery must be previews or full, not 'thumbnails'/);
    const base = ["run", "--server", "127.0.0.1:1", "--plate", "p", "--pipeline", config];
    const orphan = await runCli([...base, "--delivery", "full"]);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/--delivery needs --relay/);
  });

  it("needs only --relay: the relay's welcome names the viewer port the run is routed to", async () => {
    // The shared relay listens on a free port, not the default a guess would take.
    expect(relay.viewer_port).not.toBe(5555);
    const args = relayRunArgs().slice(0, -2);
    expect(args).not.toContain("--relay-viewer-port");
    const { code, stdout, stderr } = await runCli([...args, "--config", config, "--json"]);
    expect(code, stderr).toBe(0);
    const images = jsonLines(stdout).filter((event) => event.event === "image");
    expect(images).toHaveLength(24);
  });

  it("prints the images received in the closing line for a person", async () => {
    const { code, stdout, stderr } = await runCli(relayRunArgs());
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/complete in .*: 3 wells, 24 images received/);
    // On a pipe the progress line is printed once per finished well, with the image count.
    expect(stderr).toMatch(/3\/3 wells .*· \d+ images, [\d.]+ MiB/);
  });

  it("with --out shows the planes fetched behind their previews in bytes, for a person", async () => {
    const out = join(shared.workDir, "results-cli-out");
    const { code, stderr } = await runCli([...relayRunArgs(), "--out", out]);
    expect(code, stderr).toBe(0);
    // 24 planes of the plate fetched at full resolution: the line counts them in bytes.
    const fetched = [...stderr.matchAll(/fetched ([\d.]+) of ([\d.]+) MiB/g)];
    expect(fetched.length).toBeGreaterThan(0);
    const [, done, total] = fetched.at(-1) ?? [];
    expect(done).toBe(total);
  });

  it("refuses --relay-key without --relay, and a key that is not Z85", async () => {
    const base = ["run", "--server", "127.0.0.1:1", "--plate", "p", "--pipeline", config];
    const orphan = await runCli([...base, "--relay-key", "x".repeat(40)]);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/need --relay/);
    const bad = await runCli([...base, "--relay", "127.0.0.1:5600", "--relay-key", "short"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/40-character Z85/);
  });
});

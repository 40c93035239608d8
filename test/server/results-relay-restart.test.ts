/**
 * The relay killed (SIGKILL) in the middle of a run, and restarted by openhcs-remote-server on
 * the same ports with a new incarnation: the client notices, says hello again, resubscribes from
 * where it stood, and in the end reports exactly what it did not get. The relay here runs with
 * CURVE, so the same server also shows that only a client with the relay's key is served.
 *
 * This file starts its own server (it kills part of it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RelayUnreachableError,
  RemoteOrchestrator,
  isResultGap,
  type ResultGap,
  type ResultItem,
} from "../../src/orchestrator/index.js";
import {
  SERVER_COMMAND,
  startOpenhcsServer,
  writeSyntheticPlate,
  type StartedServer,
} from "../helpers/openhcs-server.js";
import { CONFIG_ONE_WORKER } from "../helpers/pipelines.js";
import {
  PIPELINE_NORMALIZE,
  readDiskImages,
  relayOptions,
  sha256,
  type ReadyRelay,
} from "../helpers/relay-results.js";

const execFileAsync = promisify(execFile);

describe("results across a relay killed and restarted mid-run (CURVE relay)", () => {
  let workDir: string;
  let server: StartedServer;
  let plate: string;
  const events: Record<string, unknown>[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "ohr-relay-restart-"));
    await execFileAsync(SERVER_COMMAND, ["curve-keygen", join(workDir, "keys")]);
    [server, plate] = await Promise.all([
      startOpenhcsServer({
        logDir: join(workDir, "logs"),
        extraArgs: ["--curve-secret-key", join(workDir, "keys", "relay.key_secret")],
      }),
      writeSyntheticPlate(join(workDir, "plate"), {
        wells: ["A01", "A02", "B01", "B02"],
        zPlanes: 2,
      }),
    ]);
    let pending = "";
    server.process.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not an event line
        }
      }
    });
  });

  afterAll(async () => {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function relayRestarted(timeoutMs: number): Promise<ReadyRelay> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const restarted = events.find((event) => event.event === "relay_restarted");
      if (restarted !== undefined) return restarted.relay as ReadyRelay;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no relay_restarted event within ${timeoutMs} ms`);
  }

  it("reports every seq exactly once, as delivered or missing, and loses nothing the spool kept", async () => {
    const ready = server.ready.relay as unknown as ReadyRelay;
    expect(ready.curve_public_key).toMatch(/^.{40}$/);
    const orch = new RemoteOrchestrator({
      serverHost: server.host,
      serverPort: server.port,
      relay: relayOptions(ready),
    });
    try {
      const executionId = await orch.executeRemote({
        plateId: plate,
        pipelineCode: PIPELINE_NORMALIZE,
        configCode: CONFIG_ONE_WORKER,
      });
      const stream = orch.results(executionId);
      const items: ResultItem[] = [];
      const gaps: ResultGap[] = [];
      let killedAfter = 0;
      for await (const entry of stream) {
        if (isResultGap(entry)) gaps.push(entry);
        else items.push(entry);
        // Kill between batches (one per well: 8 images), not in the middle of one: a batch the
        // relay took and never answered would fail the run after OpenHCS's 30 s ack timeout.
        if (killedAfter === 0 && items.length === 8) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          killedAfter = items.length;
          process.kill(ready.pid, "SIGKILL");
        }
      }
      const restarted = await relayRestarted(1000);
      const record = await orch.status(executionId);

      // The client saw the restart and opened a second session with the new relay.
      expect(stream.summary.incarnations).toEqual([ready.incarnation, restarted.incarnation]);
      expect(restarted.spool_id).toBe(ready.spool_id);
      expect(stream.summary.ended).toBe(true);
      // Every seq of the run exactly once: delivered, or inside a reported gap.
      const lastSeq = stream.summary.lastSeq!;
      const accounted = [
        ...items.map((item) => item.seq),
        ...gaps.flatMap((gap) =>
          Array.from({ length: gap.toSeq - gap.fromSeq + 1 }, (_, i) => gap.fromSeq + i),
        ),
      ].sort((a, b) => a - b);
      expect(accounted).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
      expect(stream.summary.missing).toBe(accounted.length - items.length);
      expect(stream.summary.gaps).toEqual(gaps);

      // What is missing is what the relay's spool says is missing: a late reader agrees.
      const replay = orch.results(executionId);
      const replayed: (number | string)[] = [];
      for await (const entry of replay) {
        replayed.push(isResultGap(entry) ? `${entry.fromSeq}-${entry.toSeq}` : entry.seq);
      }
      expect(replayed).toEqual(
        [
          ...items.map((item) => item.seq),
          ...gaps.map((gap) => `${gap.fromSeq}-${gap.toSeq}`),
        ].sort((a, b) => Number(String(a).split("-")[0]) - Number(String(b).split("-")[0])),
      );

      // Against what OpenHCS wrote: each image it wrote was delivered bit-exact or reported.
      expect(record.status).toBe("complete");
      const written = readdirSync(join(`${plate}_openhcs`, "images")).filter((name) =>
        name.endsWith(".tif"),
      );
      expect(items.length + stream.summary.missing).toBe(written.length);
      const disk = await readDiskImages(items.map((item) => item.path));
      for (const item of items) {
        if (item.kind === "image") expect(sha256(item.data)).toBe(disk[item.path]!.sha256);
      }
      expect(killedAfter).toBe(8);
      expect(written.length).toBe(32); // the kill really was mid-run: 3 of 4 wells to go
    } finally {
      orch.close();
    }
  });

  it("serves no client that lacks the relay's CURVE key", async () => {
    const relay = (events.find((event) => event.event === "relay_restarted")?.relay ??
      server.ready.relay) as unknown as ReadyRelay;
    const orch = new RemoteOrchestrator({
      serverHost: server.host,
      serverPort: server.port,
      relay: { ...relayOptions(relay), curvePublicKey: null },
    });
    try {
      const stream = orch.results("any-run", { connectTimeoutMs: 1500 });
      const error = await (async () => {
        for await (const _entry of stream) return null;
        return null;
      })().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RelayUnreachableError);
      expect((error as Error).message).toContain(`${relay.stream_host}:${relay.stream_port}`);
    } finally {
      orch.close();
    }
    expect(readFileSync(join(workDir, "keys", "relay.key"), "utf8")).toContain(
      relay.curve_public_key!,
    );
  });
});

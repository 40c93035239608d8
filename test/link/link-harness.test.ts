/**
 * The shaped-link harness measured for real: tbf on both veth ends sets the rate, the delay
 * proxy the RTT, and close() leaves no namespace and no process behind. Needs root
 * (docs/link-harness.md); skipped loudly without it, a failure with CI=true.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  createShapedLink,
  listNamespaces,
  namespacePids,
  requireLink,
  SERVER_PREFIX,
  USER_PREFIX,
} from "../helpers/link/index.js";
import { isRunning } from "../helpers/processes.js";

const runs = await requireLink("shaped-link harness tests");

/** Measure a fresh link (`bytes` each way), print what it delivered, close it. */
async function measured(rateMbit: number, rttMs: number, bytes: number) {
  const link = await createShapedLink({ rateMbit, rttMs });
  try {
    const found = await link.measure(bytes);
    console.log(
      `link ${rateMbit} Mbit/s, ${rttMs} ms RTT: up ${found.uploadMBps.toFixed(2)} MB/s, ` +
        `down ${found.downloadMBps.toFixed(2)} MB/s, RTT median ${found.rttMs.toFixed(1)} ms`,
    );
    return found;
  } finally {
    await link.close();
  }
}

describe.runIf(runs)("a shaped link between two network namespaces", () => {
  it("delivers 10–13 MB/s each way and an 18–40 ms RTT at 100 Mbit/s and 20 ms", async () => {
    const found = await measured(100, 20, 8_000_000);
    expect(found.uploadMBps).toBeGreaterThanOrEqual(10);
    expect(found.uploadMBps).toBeLessThanOrEqual(13);
    expect(found.downloadMBps).toBeGreaterThanOrEqual(10);
    expect(found.downloadMBps).toBeLessThanOrEqual(13);
    expect(found.rttMs).toBeGreaterThanOrEqual(18);
    expect(found.rttMs).toBeLessThanOrEqual(40);
  });

  it("delivers 2–2.6 MB/s each way at 20 Mbit/s", async () => {
    const found = await measured(20, 0, 4_000_000);
    for (const rate of [found.uploadMBps, found.downloadMBps]) {
      expect(rate).toBeGreaterThanOrEqual(2);
      expect(rate).toBeLessThanOrEqual(2.6);
    }
  });

  it("leaves no namespace and no process behind when closed", async () => {
    const link = await createShapedLink({ rateMbit: 100, rttMs: 20 });
    link.spawnInServer("sleep", ["600"]);
    await link.proxyFor(7777);
    const names = [link.serverNs, link.userNs];
    expect(await listNamespaces()).toEqual(expect.arrayContaining(names));
    const pids = [...(await namespacePids(link.serverNs)), ...(await namespacePids(link.userNs))];
    expect(pids).toHaveLength(2); // the sleeper and the proxy
    await link.close();
    expect((await listNamespaces()).filter((name) => names.includes(name))).toEqual([]);
    expect(pids.filter((pid) => isRunning(pid))).toEqual([]);
  });

  it("deletes the namespaces a run that is gone left behind, and no others", async () => {
    const gone = spawnSync("true").pid;
    const leftover = `${SERVER_PREFIX}${gone}-0badc0`;
    const live = `${USER_PREFIX}${process.pid}-0badc0`;
    const other = "ohr-someone-else";
    for (const name of [leftover, live, other]) execFileSync("ip", ["netns", "add", name]);
    try {
      const link = await createShapedLink({ rateMbit: null, rttMs: 0 });
      await link.close();
      const left = await listNamespaces();
      expect(left).not.toContain(leftover);
      expect(left).toEqual(expect.arrayContaining([live, other]));
    } finally {
      for (const name of [leftover, live, other]) {
        spawnSync("ip", ["netns", "delete", name], { stdio: "ignore" });
      }
    }
  });
});

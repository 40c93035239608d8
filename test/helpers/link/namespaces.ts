/**
 * The two network namespaces of a shaped link and the veth pair between them, each end's
 * egress rate-limited with tbf; and the clean-up of namespaces a dead run left behind.
 *
 * Names carry the creating process's pid (`ohr-srv-<pid>-<tag>`), so a run removes only the
 * leftovers of runs that are gone, never the live namespaces of a run going on beside it.
 */
import { randomBytes } from "node:crypto";
import { isRunning } from "../processes.js";
import { ip, run } from "./ip-command.js";

/** Namespace name prefixes; nothing else on the machine is touched. */
export const SERVER_PREFIX = "ohr-srv-";
export const USER_PREFIX = "ohr-usr-";
const OURS = /^ohr-(?:srv|usr)-(\d+)-[0-9a-f]+$/;

/** One end of the veth pair, inside its namespace. */
export interface LinkEnd {
  readonly ns: string;
  readonly dev: string;
  readonly addr: string;
}

/** The pair as created. */
export interface NamespacePair {
  readonly server: LinkEnd;
  readonly user: LinkEnd;
}

/** Names of the network namespaces there are (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip("netns", "list");
  return out
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name !== "");
}

/** Pids of the processes inside `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await ip("netns", "pids", ns);
  return out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number);
}

/**
 * Kill every process inside `ns` (SIGKILL: whatever is still there after the owners' own stop
 * is a leftover), then delete it. Deleting alone would only drop the name; the processes would
 * keep the namespace alive.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = await namespacePids(ns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await ip("netns", "delete", ns);
}

/** Delete our namespaces whose creating process no longer runs; returns their names. */
export async function deleteLeftovers(): Promise<string[]> {
  const gone = (await listNamespaces()).filter((name) => {
    const match = OURS.exec(name);
    return match !== null && !isRunning(Number(match[1]));
  });
  for (const ns of gone) await deleteNamespace(ns);
  return gone;
}

/** tbf on `dev`'s egress in `ns`: `rateMbit` Mbit/s, 64 kB bucket, at most 200 ms queued. */
async function limitRate(ns: string, dev: string, rateMbit: number): Promise<void> {
  await run("tc", [
    "-n",
    ns,
    "qdisc",
    "add",
    "dev",
    dev,
    "root",
    "tbf",
    "rate",
    `${rateMbit}mbit`,
    "burst",
    "64kb",
    "latency",
    "200ms",
  ]);
}

/**
 * Create `ohr-srv-<pid>-<tag>` and `ohr-usr-<pid>-<tag>`, a veth pair between them with a /30
 * from 10.231.0.0/16 (only the namespaces see it), loopback up in both, and, when `rateMbit` is
 * given, tbf on both ends. On failure, what was made is deleted again.
 */
export async function createNamespacePair(rateMbit: number | null): Promise<NamespacePair> {
  const tag = randomBytes(3).toString("hex");
  // A random /30 of 10.231.0.0/16: .1 is the server end, .2 the user end.
  const [third = 0, fourth = 0] = randomBytes(2);
  const host = (n: number) => `10.231.${third}.${(fourth & 0xfc) + n}`;
  const server: LinkEnd = {
    ns: `${SERVER_PREFIX}${process.pid}-${tag}`,
    dev: `ohrs${tag}`,
    addr: host(1),
  };
  const user: LinkEnd = {
    ns: `${USER_PREFIX}${process.pid}-${tag}`,
    dev: `ohru${tag}`,
    addr: host(2),
  };
  const made: string[] = [];
  try {
    for (const end of [server, user]) {
      await ip("netns", "add", end.ns);
      made.push(end.ns);
    }
    await ip(
      "link",
      "add",
      server.dev,
      "netns",
      server.ns,
      "type",
      "veth",
      "peer",
      "name",
      user.dev,
      "netns",
      user.ns,
    );
    for (const end of [server, user]) {
      await ip("-n", end.ns, "addr", "add", `${end.addr}/30`, "dev", end.dev);
      await ip("-n", end.ns, "link", "set", "lo", "up");
      await ip("-n", end.ns, "link", "set", end.dev, "up");
      if (rateMbit !== null) await limitRate(end.ns, end.dev, rateMbit);
    }
  } catch (error) {
    for (const ns of made) await deleteNamespace(ns).catch(() => undefined);
    throw error;
  }
  return { server, user };
}

/** Bytes `dev` has sent and received, read from `/sys/class/net` inside `ns`. */
export async function deviceBytes(end: LinkEnd): Promise<{ tx: number; rx: number }> {
  const dir = `/sys/class/net/${end.dev}/statistics`;
  const out = await run("ip", [
    "netns",
    "exec",
    end.ns,
    "cat",
    `${dir}/tx_bytes`,
    `${dir}/rx_bytes`,
  ]);
  const [tx, rx] = out.trim().split("\n").map(Number);
  return { tx: tx ?? 0, rx: rx ?? 0 };
}

/** The TCP listening sockets inside `ns` as `address:port` (`ss -ltn`; IPv6 in brackets). */
export async function listeningSockets(ns: string): Promise<string[]> {
  const out = await run("ip", ["netns", "exec", ns, "ss", "-ltnH"]);
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[3] ?? "")
    .filter((local) => local !== "");
}

/**
 * A link that behaves like one (issue 11): a server namespace and a user namespace joined by a
 * veth pair, both ends rate-limited with tbf, and a delay proxy in the user namespace for RTT.
 *
 * ```ts
 * const link = await createShapedLink({ rateMbit: 100, rttMs: 20 });
 * const server = link.spawnInServer("openhcs-remote-server", ["serve", "--host", link.serverAddr]);
 * await link.proxyFor(7777); // user namespace 127.0.0.1:7777 → serverAddr:7777, 10 ms each way
 * console.log(await link.measure());
 * await link.close();
 * ```
 */
import type { SpawnOptions } from "node:child_process";
import { childScript } from "./child-scripts.js";
import { inNamespace, ip } from "./ip-command.js";
import {
  createNamespacePair,
  deleteLeftovers,
  deleteNamespace,
  deviceBytes,
  listeningSockets,
  type LinkEnd,
} from "./namespaces.js";
import { spawnInNamespace, type NamespaceProcess } from "./namespace-process.js";

/** Options of {@link createShapedLink}. */
export interface ShapedLinkOptions {
  /** tbf rate on each end, Mbit/s; `null` leaves the veth unshaped. */
  readonly rateMbit: number | null;
  /** Round-trip time the proxies add (half each way), ms. */
  readonly rttMs: number;
}

/** What {@link ShapedLink.measure} found, through a proxy, in MB/s (10^6 B) and ms. */
export interface LinkMeasurement {
  readonly uploadMBps: number;
  readonly downloadMBps: number;
  /** Median of the ping-pongs. */
  readonly rttMs: number;
  readonly rttsMs: readonly number[];
}

/** Bytes one veth end sent and received. */
export interface DeviceBytes {
  readonly tx: number;
  readonly rx: number;
}

/** A running shaped link; {@link close} removes every trace of it. */
export interface ShapedLink {
  readonly serverNs: string;
  readonly userNs: string;
  /** The server end's address: bind servers here, inside the server namespace. */
  readonly serverAddr: string;
  readonly userAddr: string;
  readonly options: ShapedLinkOptions;
  /** The argv prefix that runs a command in the user namespace (for helpers that spawn). */
  readonly userPrefix: readonly string[];
  readonly serverPrefix: readonly string[];
  /** Start a process in the server namespace; {@link close} stops it. */
  spawnInServer(command: string, args: readonly string[], options?: SpawnOptions): NamespaceProcess;
  /** Start a process in the user namespace; {@link close} stops it. */
  spawnInUser(command: string, args: readonly string[], options?: SpawnOptions): NamespaceProcess;
  /** Listen on the user namespace's 127.0.0.1:`port`, forward to `serverAddr:port` with the RTT. */
  proxyFor(port: number): Promise<void>;
  /** The TCP sockets listening in each namespace, as `address:port`. */
  listening(): Promise<{ server: string[]; user: string[] }>;
  /** The user end's counters (what crossed the link, both ways). */
  userBytes(): Promise<DeviceBytes>;
  /** Take the user end of the veth down (a partition: nothing crosses) or up again. */
  setUserLink(up: boolean): Promise<void>;
  /** Push `bytes` each way and time `pings` ping-pongs through a proxy, for real. */
  measure(bytes?: number, pings?: number): Promise<LinkMeasurement>;
  /** Stop every process started here, then delete both namespaces (and anything left inside). */
  close(): Promise<void>;
}

/** Create the namespaces and the veth pair (after deleting leftovers of dead runs). */
export async function createShapedLink(options: ShapedLinkOptions): Promise<ShapedLink> {
  await deleteLeftovers();
  const { server, user } = await createNamespacePair(options.rateMbit);
  const started: NamespaceProcess[] = [];
  const proxies = new Map<number, Promise<void>>();
  const spawnIn = (
    end: LinkEnd,
    command: string,
    args: readonly string[],
    spawnOptions?: SpawnOptions,
  ) => {
    const child = spawnInNamespace(end.ns, command, args, spawnOptions);
    started.push(child);
    return child;
  };
  const node = async (end: LinkEnd, script: "delay-proxy" | "link-probe", args: string[]) =>
    spawnIn(end, process.execPath, [await childScript(script), ...args]);

  /** A delay proxy for `port`, once it listens. */
  const startProxy = async (port: number): Promise<NamespaceProcess> => {
    const oneWay = String(options.rttMs / 2);
    const proxy = await node(user, "delay-proxy", [
      "127.0.0.1",
      String(port),
      server.addr,
      String(port),
      oneWay,
    ]);
    await proxy.waitForEvent("listening", 30_000);
    return proxy;
  };

  const link: ShapedLink = {
    serverNs: server.ns,
    userNs: user.ns,
    serverAddr: server.addr,
    userAddr: user.addr,
    options,
    userPrefix: inNamespace(user.ns),
    serverPrefix: inNamespace(server.ns),
    spawnInServer: (command, args, spawnOptions) => spawnIn(server, command, args, spawnOptions),
    spawnInUser: (command, args, spawnOptions) => spawnIn(user, command, args, spawnOptions),
    proxyFor(port) {
      let ready = proxies.get(port);
      if (ready === undefined) {
        ready = startProxy(port).then(() => undefined);
        proxies.set(port, ready);
      }
      return ready;
    },
    userBytes: () => deviceBytes(user),
    async setUserLink(up) {
      await ip("-n", user.ns, "link", "set", user.dev, up ? "up" : "down");
    },
    listening: async () => ({
      server: await listeningSockets(server.ns),
      user: await listeningSockets(user.ns),
    }),
    async measure(bytes = 8_000_000, pings = 20) {
      const probe = await node(server, "link-probe", ["serve", server.addr]);
      let proxy: NamespaceProcess | undefined;
      try {
        const { port } = await probe.waitForEvent<{ port: number }>("listening", 30_000);
        proxy = await startProxy(port);
        const client = await node(user, "link-probe", [
          "measure",
          "127.0.0.1",
          String(port),
          String(bytes),
          String(pings),
        ]);
        const found = await client.waitForEvent<{
          upload_mb_s: number;
          download_mb_s: number;
          rtt_ms: number;
          rtts_ms: number[];
        }>("measured", 300_000);
        return {
          uploadMBps: found.upload_mb_s,
          downloadMBps: found.download_mb_s,
          rttMs: found.rtt_ms,
          rttsMs: found.rtts_ms,
        };
      } finally {
        await Promise.all([probe.stop(), proxy?.stop()]);
      }
    },
    async close() {
      await Promise.all(started.map((child) => child.stop()));
      for (const end of [server, user]) await deleteNamespace(end.ns);
    },
  };
  return link;
}

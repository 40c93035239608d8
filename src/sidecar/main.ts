/**
 * The kernel-adjacent sidecar's entry: wiring only. Started by the Python shim as
 * `node sidecar.mjs --parent-pid PID --store-root DIR`; speaks framed JSON + binary on
 * stdin/stdout (docs/sidecar-protocol.md) and exits when the kernel goes.
 */
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { CHANNEL_COLORS, HEATMAP_COLORS } from "../protocol/index.js";
import { watchParent } from "./parent-watch.js";
import { ShimChannel } from "./shim-channel.js";
import { SidecarService } from "./sidecar-service.js";

/** Version of the shim link; the shim refuses a sidecar that speaks another. */
export const SIDECAR_PROTOCOL = 1;
const SHUTDOWN_BUDGET_MS = 3000;

// stdout is the link to the shim: stray console output there would corrupt a frame.
for (const method of ["log", "info", "debug"] as const) {
  console[method] = (...args: unknown[]) => {
    console.error(...args);
  };
}

const USAGE = `Usage: node sidecar.mjs --parent-pid PID --store-root DIR [--keep-store]

The openhcs-remote sidecar: started by the notebook shim (openhcs_remote, in the Jupyter
kernel), never by hand. It speaks framed JSON + binary on stdin/stdout
(docs/sidecar-protocol.md) and exits when its parent process goes.

  --parent-pid PID  exit when this process (the kernel) is gone (default: the parent)
  --store-root DIR  where the runs' result stores live (removed at exit)
  --keep-store      leave DIR in place at exit
  --help            this text
`;

let values: {
  "parent-pid"?: string;
  "store-root"?: string;
  "keep-store"?: boolean;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      "parent-pid": { type: "string" },
      "store-root": { type: "string" },
      "keep-store": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`sidecar: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help === true) {
  process.stdout.write(USAGE); // asked by a person: no shim is reading frames

  process.exit(0);
}
const parentPid = Number(values["parent-pid"] ?? process.ppid);
const storeRoot = values["store-root"] ?? "";
if (storeRoot === "" || !Number.isInteger(parentPid)) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const channel = new ShimChannel(process.stdin, process.stdout, (error) => {
  void shutdown(`the shim stopped reading (${error.message})`);
});
let stopping = false;

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[sidecar] stopping: ${reason}\n`);
  const budget = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_BUDGET_MS).unref());
  await Promise.race([service.close(), budget]);
  if (!values["keep-store"]) await rm(storeRoot, { recursive: true, force: true });
  process.exit(code);
}

const service = new SidecarService(channel, storeRoot, () => void shutdown("shutdown requested"));

// "Interrupt kernel" must not stop runs; only the kernel going away (or SIGTERM) does.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGHUP", () => void shutdown("SIGHUP"));
// A write after the kernel died fails with EPIPE: that is the kernel going, not a crash.
// stderr is a pipe to the shim as well; once it is gone, logging simply goes nowhere.
process.stdout.on("error", () => void shutdown("stdout closed"));
process.stderr.on("error", () => undefined);
// Whatever else fails late must not skip the cleanup below: log it, keep shutting down.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`[sidecar] unhandled rejection: ${String(reason)}\n`);
});
watchParent({ parentPid, onGone: (reason) => void shutdown(reason) });

void channel.send({
  type: "event",
  event: "ready",
  protocol: SIDECAR_PROTOCOL,
  pid: process.pid,
  node_version: process.versions.node,
  store_root: storeRoot,
  channel_colors: CHANNEL_COLORS,
  heatmap_colors: HEATMAP_COLORS,
});
channel
  .read((frame) => {
    service.handle(frame);
  })
  .then(
    () => shutdown("stdin closed"),
    (error: unknown) => shutdown(`link broken: ${String(error)}`, 1),
  );

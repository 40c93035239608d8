/**
 * The user's side of the link tests and the link bench: our TypeScript orchestrator (the built
 * `lib/`) on 127.0.0.1 through the delay proxies, as through an SSH tunnel.
 *
 * - `node follower.js follow PORT RELAY_PORT ID`: the run in previews delivery until the relay
 *   ends it; one line `{"event":"item",…}` per item as it arrives (`at`: this host's Date.now()),
 *   then `{"event":"end","gaps":[…],"summary":{…}}`.
 * - `node follower.js fetch PORT RELAY_PORT ID SEQ,SEQ,…`: `fetchPlane` (Blosc) of each seq; one
 *   line `{"event":"plane",…}` each (the sha256 of the decoded pixels), then `{"event":"end"}`.
 *
 * A child script of the link harness (bundled by child-scripts.ts). It loads `lib/` at run time
 * (the bundle sits in `.cache/link-harness/`), so the bundle holds only this file.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Orchestrator from "../../../src/orchestrator/index.js";

const lib = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "lib");
const { RemoteOrchestrator } = (await import(
  pathToFileURL(join(lib, "orchestrator", "index.js")).href
)) as typeof Orchestrator;

const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const [mode, port = "0", relayPort = "0", id = "", seqs = ""] = process.argv.slice(2);
const orch = new RemoteOrchestrator({
  serverHost: "127.0.0.1",
  serverPort: Number(port),
  relay: { host: "127.0.0.1", port: Number(relayPort), viewerPort: null },
});
if (mode === "follow") {
  const gaps: unknown[] = [];
  const stream = orch.results(id, { delivery: "previews", onGap: (gap) => gaps.push(gap) });
  for await (const item of stream) {
    say({
      event: "item",
      at: Date.now(),
      seq: item.seq,
      kind: item.kind,
      well: item.well,
      path: item.path,
      nbytes: item.kind === "preview" ? item.nbytes : 0,
      preview: item.kind === "preview" ? (item.preview?.pixels.byteLength ?? 0) : 0,
      wire: item.kind === "preview" ? (item.preview?.wireBytes ?? 0) : 0,
      receivedAt: item.receivedAt === undefined ? null : item.receivedAt * 1000,
    });
  }
  say({ event: "end", gaps, summary: stream.summary });
} else if (mode === "fetch") {
  for (const seq of seqs.split(",").map(Number)) {
    const { header, data } = await orch.fetchPlane(id, seq, { encoding: "blosc" });
    say({
      event: "plane",
      seq,
      encoded: header.encoded_bytes,
      source: header.source,
      sha256: createHash("sha256").update(data).digest("hex"),
    });
  }
  say({ event: "end" });
} else {
  process.stderr.write("usage: follower follow|fetch PORT RELAY_PORT ID [SEQS]\n");
  process.exitCode = 2;
}
orch.close();

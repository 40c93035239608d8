/**
 * The harness's own child programs (delay-proxy.ts, link-probe.ts, follower.ts) bundled to
 * plain JavaScript with esbuild: Node 20 runs no TypeScript, and the scripts stay typed and
 * linted. A bundle is named by the hash of its source (they import only Node's own modules; the
 * follower loads `lib/` at run time), so it is built once per change, and renamed into place so
 * that processes building it at once see no half file.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { REPO_ROOT } from "../python.js";

/** The child programs. */
export type ChildScript = "delay-proxy" | "follower" | "link-probe";

// From the checkout, not from this file: benchmarks run the helpers compiled under .cache/.
const sources = join(REPO_ROOT, "test", "helpers", "link");
const outDir = join(REPO_ROOT, ".cache", "link-harness");
const built = new Map<ChildScript, Promise<string>>();

async function bundle(name: ChildScript): Promise<string> {
  const entry = join(sources, `${name}.ts`);
  const hash = createHash("sha256").update(readFileSync(entry)).digest("hex").slice(0, 12);
  const outfile = join(outDir, `${name}-${hash}.mjs`);
  if (existsSync(outfile)) return outfile;
  mkdirSync(outDir, { recursive: true });
  const partial = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [entry],
    outfile: partial,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
  });
  renameSync(partial, outfile);
  return outfile;
}

/** Path of the runnable `.mjs` of `name`, bundled on first use. */
export function childScript(name: ChildScript): Promise<string> {
  let path = built.get(name);
  if (path === undefined) {
    path = bundle(name);
    built.set(name, path);
  }
  return path;
}

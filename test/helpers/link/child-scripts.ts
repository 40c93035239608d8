/**
 * The harness's own child programs (delay-proxy.ts, link-probe.ts) bundled to plain JavaScript
 * with esbuild, once per process: Node 20 runs no TypeScript, and the scripts stay typed and linted.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { REPO_ROOT } from "../python.js";

/** The child programs. */
export type ChildScript = "delay-proxy" | "link-probe";

// From the checkout, not from this file: benchmarks run the helpers compiled under .cache/.
const sources = join(REPO_ROOT, "test", "helpers", "link");
const outDir = join(REPO_ROOT, ".cache", "link-harness");
const built = new Map<ChildScript, Promise<string>>();

/** Path of the runnable `.mjs` of `name`, bundled on first use. */
export function childScript(name: ChildScript): Promise<string> {
  let path = built.get(name);
  if (path === undefined) {
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, `${name}-${process.pid}.mjs`);
    path = build({
      entryPoints: [join(sources, `${name}.ts`)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "error",
    }).then(() => outfile);
    built.set(name, path);
  }
  return path;
}

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/python.js";

const work = mkdtempSync(join(tmpdir(), "ohr-plane-bundle-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("decodePlane bundled as the sidecar is (scripts/build-sidecar.mjs: esbuild, node, esm)", () => {
  it("decodes a Python-made vector bit-exact from the bundle alone", async () => {
    const vectors = join(REPO_ROOT, "test", "vectors", "plane-encoding");
    const entry = `
      import { readFileSync } from "node:fs";
      import { decodePlane } from ${JSON.stringify(join(REPO_ROOT, "src", "protocol", "index.ts"))};
      const encoded = new Uint8Array(readFileSync(process.argv[2]));
      const raw = readFileSync(process.argv[3]);
      const decoded = decodePlane("blosc", encoded, { nbytes: raw.length, dtype: "uint16" });
      console.log(Buffer.compare(await decoded, raw) === 0 ? "bit-exact" : "different");
    `;
    const outfile = join(work, "smoke.mjs");
    await build({
      stdin: { contents: entry, resolveDir: REPO_ROOT, loader: "ts" },
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
    });
    // Run it from a folder with no node_modules: everything it needs is inside the file.
    const run = spawnSync(
      process.execPath,
      [outfile, join(vectors, "uint16-blocks.blosc"), join(vectors, "uint16-blocks.raw")],
      { cwd: work, encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("bit-exact");
  });
});

#!/usr/bin/env node
// Build the kernel-adjacent sidecar for the Python wheel: one ESM file, plus the one native
// dependency it cannot bundle.
//
//   node scripts/build-sidecar.mjs [--out DIR] [--platforms linux-x64,linux-arm64,darwin-arm64]
//
// Output (default jupyterlab_ext/openhcs_remote/sidecar/):
//   sidecar.mjs                          src/sidecar/main.ts and everything it imports, bundled
//   node_modules/zeromq/                 zeromq's JS, its package.json, and the prebuilt
//                                        addon.node files of the chosen platforms (+ a manifest
//                                        listing only those)
//   node_modules/cmake-ts/               the tiny loader zeromq uses to pick the addon
//
// zeromq is a native addon: esbuild cannot inline a .node file, and its loader finds the addon
// relative to its own directory. Node resolves `import "zeromq"` from sidecar.mjs to the
// node_modules/ beside it, exactly as in a normal install, so nothing is patched.
import { build } from "esbuild";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    out: { type: "string", default: join(root, "jupyterlab_ext/openhcs_remote/sidecar") },
    platforms: { type: "string", default: "linux-x64" },
  },
});
const out = resolve(values.out);
const platforms = values.platforms
  .split(",")
  .map((p) => p.trim())
  .filter(Boolean);
const started = performance.now();

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const result = await build({
  entryPoints: [join(root, "src/sidecar/main.ts")],
  outfile: join(out, "sidecar.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["zeromq"],
  sourcemap: false,
  legalComments: "eof",
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __ohrRequire } from 'node:module'; const require = __ohrRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: "warning",
});

const zeromq = join(root, "node_modules/zeromq");
const vendored = join(out, "node_modules/zeromq");
await mkdir(join(vendored, "build"), { recursive: true });
await cp(join(zeromq, "package.json"), join(vendored, "package.json"));
await cp(join(zeromq, "LICENSE.txt"), join(vendored, "LICENSE.txt"));
await cp(join(zeromq, "lib"), join(vendored, "lib"), {
  recursive: true,
  filter: (source) => !source.includes("ts3.7") && !/\.(map|d\.ts|tsbuildinfo)$/.test(source),
});

// Keep only the addons of the chosen platforms, and a manifest that lists only those.
const manifest = JSON.parse(await readFile(join(zeromq, "build/manifest.json"), "utf8"));
const kept = {};
for (const [key, addon] of Object.entries(manifest)) {
  const config = JSON.parse(key);
  if (!platforms.includes(`${config.os}-${config.arch}`)) continue;
  const path = addon.replaceAll("\\", "/");
  await mkdir(dirname(join(vendored, "build", path)), { recursive: true });
  await cp(join(zeromq, "build", path), join(vendored, "build", path));
  kept[key] = path;
}
if (Object.keys(kept).length === 0) {
  throw new Error(`zeromq ships no prebuilt addon for ${platforms.join(", ")}`);
}
await writeFile(join(vendored, "build/manifest.json"), JSON.stringify(kept));

const cmakeTs = join(root, "node_modules/cmake-ts");
const loaderOut = join(out, "node_modules/cmake-ts");
await mkdir(join(loaderOut, "build"), { recursive: true });
for (const file of ["package.json", "LICENSE", "build/loader.js", "build/loader.mjs"]) {
  await cp(join(cmakeTs, file), join(loaderOut, file)).catch((error) => {
    if (file !== "LICENSE") throw error;
  });
}

let bytes = 0;
for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
  if (entry.isFile()) bytes += (await readFile(join(entry.parentPath, entry.name))).length;
}
const bundled = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(
  `sidecar: ${relative(root, out)}/sidecar.mjs (${(bundled / 1024).toFixed(0)} KiB), ` +
    `${Object.keys(kept).length} zeromq addon(s) for ${platforms.join(", ")}; ` +
    `${(bytes / 1024 / 1024).toFixed(1)} MiB in all, ${Math.round(performance.now() - started)} ms`,
);

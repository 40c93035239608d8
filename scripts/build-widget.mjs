#!/usr/bin/env node
// Bundle the run widget's anywidget module (src/widget/module.ts, Lit and zod included) into one
// ES module that the Python shim ships as `_esm` where the labextension is absent (VS Code,
// Colab), and copy the global styles next to it as `_css`.
//
//   node scripts/build-widget.mjs          minified, for the wheel
//   node scripts/build-widget.mjs --dev    readable, with an inline source map
//
// Fails if anything from JupyterLab, @jupyter-widgets or Node slips into the bundle: the `_esm`
// must stand alone in any anywidget host.
import { build } from "esbuild";
import { copyFile, mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "lib", "widget-bundle");
const outFile = join(outDir, "openhcs-remote-widget.js");
const dev = process.argv.includes("--dev");

const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/widget/module.ts"],
  outfile: outFile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  tsconfig: "tsconfig.json",
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  legalComments: "eof",
  metafile: true,
  logLevel: "warning",
});

const forbidden = /(^|\/)(@jupyter-widgets|@jupyterlab|@lumino|zeromq)\/|^node:/;
const leaked = Object.keys(result.metafile.inputs).filter((input) => forbidden.test(input));
if (leaked.length > 0) {
  console.error(`build-widget: the anywidget bundle must not contain:\n  ${leaked.join("\n  ")}`);
  process.exit(1);
}

await mkdir(outDir, { recursive: true });
await copyFile(join(root, "style", "base.css"), join(outDir, "openhcs-remote-widget.css"));
const { size } = await stat(outFile);
// The widget imports src/protocol through its face; package.json's `sideEffects` lets esbuild drop
// the codecs and their zod schemas it does not use. A bundle past this bound has lost that.
const MAX_BUNDLE_BYTES = 256 * 1024;
if (!dev && size > MAX_BUNDLE_BYTES) {
  console.error(
    `build-widget: the bundle is ${(size / 1024).toFixed(0)} KiB, over ${MAX_BUNDLE_BYTES / 1024} KiB: ` +
      "a module it imports has side effects, or zod's classic API came in (see package.json sideEffects)",
  );
  process.exit(1);
}
console.log(`build-widget: ${outFile} (${(size / 1024).toFixed(1)} KiB)`);

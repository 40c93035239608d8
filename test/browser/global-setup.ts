/**
 * Before the browser tests (in Node): build the anywidget bundle exactly as it ships, and hand the
 * tests JupyterLab's own light and dark theme stylesheets from the installed JupyterLab.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

const root = join(import.meta.dirname, "..", "..");
const themes = join(root, ".venv", "share", "jupyter", "lab", "themes", "@jupyterlab");

declare module "vitest" {
  export interface ProvidedContext {
    /** `:root { --jp-… }` stylesheets of JupyterLab's light and dark themes. */
    themes: { light: string; dark: string };
    /** lib/widget-bundle/openhcs-remote-widget.js, as the shim ships it in `_esm`. */
    widgetBundle: string;
  }
}

export default function setup(project: TestProject): void {
  execFileSync(process.execPath, [join(root, "scripts", "build-widget.mjs")], { stdio: "inherit" });
  project.provide(
    "widgetBundle",
    readFileSync(join(root, "lib", "widget-bundle", "openhcs-remote-widget.js"), "utf8"),
  );
  project.provide("themes", {
    light: readFileSync(join(themes, "theme-light-extension", "index.css"), "utf8"),
    dark: readFileSync(join(themes, "theme-dark-extension", "index.css"), "utf8"),
  });
}

/**
 * The front-end module's name and version, read once from package.json (the Python side declares
 * the same, and a test checks they agree: docs/widget-protocol.md §1).
 */
import pkg from "../../package.json" with { type: "json" };

/** The npm / labextension package name, and the `_model_module` / `_view_module` of our traits. */
export const MODULE_NAME: string = pkg.name;
/** The version registered with the widget manager, e.g. `0.1.0`. */
export const MODULE_VERSION: string = pkg.version;
/** What models declare as `_model_module_version`: any compatible version. */
export const MODULE_SEMVER = `^${MODULE_VERSION}`;

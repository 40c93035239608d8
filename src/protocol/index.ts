/**
 * `src/protocol/`: wire formats, importable anywhere (Node or browser). Imports nothing from the
 * other rooms.
 */
export { OhrError, isOhrError } from "./errors.js";
export * from "./pickle/index.js";
export { DTYPE_NAMES, DTYPE_SIZES, isDtype, type Dtype } from "./dtypes.js";

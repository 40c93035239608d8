import { OhrError } from "../ohr-error.js";

/** Where in a pickle stream a decode error happened. */
export interface PickleErrorSite {
  /** Name of the opcode being executed (as in Python's `pickletools`), if one was read. */
  readonly opcode?: string | undefined;
  /** Byte offset of that opcode (or of the failure, when no opcode was read) in the input. */
  readonly offset: number;
}

/**
 * The bytes are not a well-formed pickle of plain values: truncated, an unknown opcode, a stack or
 * memo misuse, invalid UTF-8, an unhashable dict key, a cycle, a bad text literal.
 */
export class PickleDecodeError extends OhrError {
  readonly code: "ERR_PICKLE_DECODE" | "ERR_PICKLE_LIMIT" = "ERR_PICKLE_DECODE";
  /** Opcode name, e.g. `"BINUNICODE"`; undefined when the failure is before any opcode. */
  readonly opcode: string | undefined;
  /** Byte offset of the opcode (or of the failure) in the input. */
  readonly offset: number;

  constructor(reason: string, site: PickleErrorSite, options?: ErrorOptions) {
    super(`pickle ${describeSite(site)}: ${reason}`, options);
    this.opcode = site.opcode;
    this.offset = site.offset;
  }
}

/** Names of the configurable decoder limits (see `PickleLimits`). */
export type PickleLimitName = "maxInputBytes" | "maxDepth" | "maxDecodedSize" | "maxMemoEntries";

/**
 * The pickle is (or would become) larger than a configured limit. A subclass of
 * {@link PickleDecodeError}, so code that handles "bad pickle" also handles this.
 */
export class PickleLimitError extends PickleDecodeError {
  override readonly code = "ERR_PICKLE_LIMIT";
  /** Which limit was exceeded. */
  readonly limit: PickleLimitName;
  /** The configured value of that limit. */
  readonly limitValue: number;

  constructor(limit: PickleLimitName, limitValue: number, reason: string, site: PickleErrorSite) {
    super(`${reason} (limit ${limit} = ${limitValue})`, site);
    this.limit = limit;
    this.limitValue = limitValue;
  }
}

/**
 * The pickle asks for something other than a plain value: a class or function lookup (GLOBAL,
 * STACK_GLOBAL, INST, EXT*), a call (REDUCE, OBJ, NEWOBJ*), object state (BUILD), a persistent id,
 * or an out-of-band buffer. Unpickling that in Python can run arbitrary code, so it is refused
 * before anything is built.
 */
export class UnsafePickleError extends OhrError {
  readonly code = "ERR_PICKLE_UNSAFE";
  /** Opcode name, e.g. `"GLOBAL"`. */
  readonly opcode: string;
  /** Byte offset of the opcode in the input. */
  readonly offset: number;
  /**
   * For GLOBAL, STACK_GLOBAL and INST: the `module` and `name` (qualified attribute) the pickle
   * asked for, when they could be read; e.g. `{ module: "posix", name: "system" }`.
   */
  readonly target: { readonly module: string; readonly name: string } | undefined;

  constructor(opcode: string, offset: number, target?: { module: string; name: string }) {
    const what = target === undefined ? "" : ` (asks for ${target.module}.${target.name})`;
    super(
      `pickle opcode ${opcode} at byte ${offset}${what} is refused: only plain values ` +
        `(dict, list, tuple, str, bytes, int, float, bool, None, set) may be decoded`,
    );
    this.opcode = opcode;
    this.offset = offset;
    this.target = target;
  }
}

/**
 * A JavaScript value has no plain-pickle equivalent (function, symbol, undefined, class instance,
 * cycle, sparse array, ...). `path` points at it, e.g. `$.config_params.well_filter[2]`.
 */
export class PickleEncodeError extends OhrError {
  readonly code = "ERR_PICKLE_ENCODE";
  /** JSONPath-like location of the offending value; `$` is the root. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`cannot pickle ${path}: ${reason}`);
    this.path = path;
  }
}

function describeSite(site: PickleErrorSite): string {
  return site.opcode === undefined
    ? `at byte ${site.offset}`
    : `opcode ${site.opcode} at byte ${site.offset}`;
}

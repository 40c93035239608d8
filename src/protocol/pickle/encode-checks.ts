import { PickleEncodeError } from "./codec-errors.js";
import { PickleFloat, PickleTuple } from "./value.js";

/**
 * Checks and error paths for the encoder: what a JS value is, whether Python could hash it, and
 * how to name where it sits (`$.config_params.well_filter[2]`).
 * @internal
 */

type Step = "index" | "prop" | "entry" | "key" | "member";

/**
 * Where a value sits in what is being encoded. A link per value is cheap; the text
 * (`$.config_params.well_filter[2]`) is built only when an error needs it.
 */
export class EncodePath {
  static readonly root = new EncodePath(undefined, "index", undefined);

  private constructor(
    private readonly parent: EncodePath | undefined,
    private readonly step: Step,
    private readonly key: unknown,
  ) {}

  /** Array or tuple element `[i]`. */
  index(i: number): EncodePath {
    return new EncodePath(this, "index", i);
  }

  /** Plain-object property `.name` or `["odd name"]`. */
  prop(name: string): EncodePath {
    return new EncodePath(this, "prop", name);
  }

  /** Map value `[key]`. */
  entry(key: unknown): EncodePath {
    return new EncodePath(this, "entry", key);
  }

  /** The key itself of entry number `i` of a dict: `.<key i>`. */
  keyOf(i: number): EncodePath {
    return new EncodePath(this, "key", i);
  }

  /** Set member number `i`: `{i}`. */
  member(i: number): EncodePath {
    return new EncodePath(this, "member", i);
  }

  toString(): string {
    return this.parent === undefined ? "$" : `${this.parent.toString()}${this.segment()}`;
  }

  private segment(): string {
    switch (this.step) {
      case "index":
        return `[${String(this.key)}]`;
      case "prop":
        return propertyPath(this.key as string);
      case "entry":
        return `[${keyPath(this.key)}]`;
      case "key":
        return `.<key ${String(this.key)}>`;
      case "member":
        return `{${String(this.key)}}`;
    }
  }
}

/** An encoding error at `path`. */
export function encodeError(path: EncodePath, reason: string): PickleEncodeError {
  return new PickleEncodeError(path.toString(), reason);
}

/** An array element, refusing holes (a sparse array has no list equivalent). */
export function item(array: readonly unknown[], index: number, path: EncodePath): unknown {
  if (!(index in array)) throw encodeError(path.index(index), "hole in a sparse array");
  return array[index];
}

/**
 * Python would refuse to hash it (as a dict key or set member) while loading — and a pickle that
 * fails to load kills the OpenHCS server — so refuse it here.
 */
export function requireHashable(value: unknown, path: EncodePath, maxDepth: number): void {
  if (value instanceof PickleTuple) {
    if (maxDepth <= 0) throw encodeError(path, "tuple nested too deeply");
    value.forEach((member: unknown, i) => {
      requireHashable(member, path.index(i), maxDepth - 1);
    });
  } else if (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof PickleFloat)
  ) {
    throw encodeError(
      path,
      `${describe(value)} cannot be a dict key or set member (unhashable in Python)`,
    );
  }
}

export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

export function describe(value: object): string {
  if (Array.isArray(value)) return "an array (a list)";
  if (value instanceof Map) return "a Map";
  if (value instanceof Set) return "a Set";
  if (isPlainObject(value)) return "a plain object (a dict)";
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== ""
    ? `an instance of ${name}`
    : "an object with a custom prototype";
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertyPath(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function keyPath(key: unknown): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "number" || typeof key === "bigint" || typeof key === "boolean")
    return String(key);
  return key === null ? "None" : "<key>";
}

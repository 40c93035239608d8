/**
 * A typed JSON description of a plain Python value, so tests can tell Python what value they mean
 * (and hear back what Python built) without pickle: ints as decimal strings, floats by repr
 * (`"nan"`, `"-0.0"`), bytes as hex, tuples and sets apart from lists, dicts as entry lists.
 *
 * `PY_TYPED_JSON` is the matching Python source: `describe(value)`, `build(desc)` and
 * `same(a, b)` (type-exact equality: `1 != 1.0 != True`, `-0.0 != 0.0`, `nan == nan`).
 */
import {
  PickleFloat,
  PickleTuple,
  emptyPickleDict,
  isPickleDict,
  pickleTuple,
  type PickleValue,
} from "../../src/protocol/index.js";

/** One node of a typed description. */
export type Typed =
  | { t: "none" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: string }
  | { t: "float"; v: string }
  | { t: "str"; v: string }
  | { t: "bytes" | "bytearray"; v: string }
  | { t: "list" | "tuple" | "set" | "frozenset"; v: Typed[] }
  | { t: "dict"; v: [Typed, Typed][] };

/** The value {@link decodePickle} should produce for a described Python value. */
export function fromTyped(desc: Typed): PickleValue {
  switch (desc.t) {
    case "none":
      return null;
    case "bool":
      return desc.v;
    case "int": {
      const big = BigInt(desc.v);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(big)
        : big;
    }
    case "float":
      return parsePythonFloat(desc.v);
    case "str":
      return desc.v;
    case "bytes":
    case "bytearray":
      return Uint8Array.from(Buffer.from(desc.v, "hex"));
    case "list":
      return desc.v.map(fromTyped);
    case "tuple":
      return pickleTuple(...desc.v.map(fromTyped));
    case "set":
    case "frozenset":
      return new Set(desc.v.map(fromTyped));
    case "dict": {
      if (desc.v.every(([key]) => key.t === "str")) {
        const dict = emptyPickleDict();
        for (const [key, value] of desc.v) dict[(key as { v: string }).v] = fromTyped(value);
        return dict;
      }
      return new Map(desc.v.map(([key, value]) => [fromTyped(key), fromTyped(value)]));
    }
  }
}

/** Describe the Python value {@link encodePickle} should produce for a JS value. */
export function toTyped(value: unknown): Typed {
  if (value === null) return { t: "none" };
  if (typeof value === "boolean") return { t: "bool", v: value };
  if (typeof value === "bigint") return { t: "int", v: value.toString() };
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? { t: "int", v: BigInt(value).toString() }
      : { t: "float", v: pythonFloatRepr(value) };
  }
  if (value instanceof PickleFloat) return { t: "float", v: pythonFloatRepr(value.value) };
  if (typeof value === "string") return { t: "str", v: value };
  if (value instanceof Uint8Array) return { t: "bytes", v: Buffer.from(value).toString("hex") };
  if (value instanceof PickleTuple) return { t: "tuple", v: [...value].map(toTyped) };
  if (Array.isArray(value)) return { t: "list", v: value.map(toTyped) };
  if (value instanceof Set) return { t: "set", v: [...value].map(toTyped) };
  if (value instanceof Map) {
    return { t: "dict", v: [...value].map(([k, v]) => [toTyped(k), toTyped(v)]) };
  }
  if (isPickleDict(value)) {
    return { t: "dict", v: Object.keys(value).map((k) => [toTyped(k), toTyped(value[k])]) };
  }
  throw new Error(`toTyped: unsupported ${typeof value}`);
}

function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0.0";
  return String(value); // parsed back with float(), which reads JS's shortest round-trip form
}

function parsePythonFloat(text: string): number {
  if (text === "nan") return NaN;
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return Number(text);
}

/** Python source defining `describe`, `build` and `same` (see the module doc). */
export const PY_TYPED_JSON = String.raw`
import math

def describe(v, _path=()):
    if id(v) in _path and isinstance(v, (list, dict, set)):
        raise ValueError("cycle")
    t = type(v)
    if v is None: return {"t": "none"}
    if t is bool: return {"t": "bool", "v": v}
    if t is int: return {"t": "int", "v": str(v)}
    if t is float: return {"t": "float", "v": repr(v)}
    if t is str: return {"t": "str", "v": v}
    if t is bytes: return {"t": "bytes", "v": v.hex()}
    if t is bytearray: return {"t": "bytearray", "v": bytes(v).hex()}
    p = _path + (id(v),)
    if t in (list, tuple, set, frozenset):
        return {"t": t.__name__, "v": [describe(x, p) for x in v]}
    if t is dict:
        return {"t": "dict", "v": [[describe(k, p), describe(x, p)] for k, x in v.items()]}
    raise TypeError("not a plain value: %r" % (t,))

def build(d):
    t, v = d["t"], d.get("v")
    if t == "none": return None
    if t == "bool": return bool(v)
    if t == "int": return int(v)
    if t == "float": return float(v)
    if t == "str": return v
    if t == "bytes": return bytes.fromhex(v)
    if t == "bytearray": return bytearray.fromhex(v)
    if t == "list": return [build(x) for x in v]
    if t == "tuple": return tuple(build(x) for x in v)
    if t == "set": return {build(x) for x in v}
    if t == "frozenset": return frozenset(build(x) for x in v)
    if t == "dict": return {build(k): build(x) for k, x in v}
    raise ValueError(t)

def same(a, b):
    if type(a) is not type(b): return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) in (set, frozenset):
        return len(a) == len(b) and {(type(x), x) for x in a} == {(type(y), y) for y in b}
    if type(a) is dict:
        typed_b = {(type(k), k): x for k, x in b.items()}
        return len(a) == len(b) and all(
            (type(k), k) in typed_b and same(x, typed_b[(type(k), k)]) for k, x in a.items())
    return a == b
`;

/**
 * Where `actual` first differs from `expected`, or `undefined` if they are the same decoded value.
 * Stricter than `toEqual`: a tuple is not a list, a Map is not an object, a str-keyed dict must
 * have no prototype, `-0` is not `0`, a bigint is not a number.
 */
export function firstDifference(
  actual: unknown,
  expected: unknown,
  path = "$",
): string | undefined {
  if (typeof actual !== typeof expected) return `${path}: ${typeof actual} vs ${typeof expected}`;
  if (typeof expected !== "object" || expected === null || actual === null) {
    return Object.is(actual, expected)
      ? undefined
      : `${path}: ${String(actual)} vs ${String(expected)}`;
  }
  const a = actual as object;
  if (expected instanceof Uint8Array) {
    return a instanceof Uint8Array && Buffer.from(a).equals(expected)
      ? undefined
      : `${path}: bytes differ`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(a) || a.length !== expected.length) return `${path}: array length/kind`;
    if (a instanceof PickleTuple !== expected instanceof PickleTuple)
      return `${path}: tuple vs list`;
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(a[i], expected[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (expected instanceof Map) {
    if (!(a instanceof Map) || a.size !== expected.size) return `${path}: Map size/kind`;
    const unmatched = [...a.entries()];
    for (const [key, value] of expected) {
      const index = unmatched.findIndex(
        ([k, v]) =>
          firstDifference(k, key) === undefined && firstDifference(v, value) === undefined,
      );
      if (index < 0) return `${path}: no entry matching key ${String(key)}`;
      unmatched.splice(index, 1);
    }
    return undefined;
  }
  if (expected instanceof Set) {
    if (!(a instanceof Set) || a.size !== expected.size) return `${path}: Set size/kind`;
    const unmatched = [...a];
    for (const member of expected) {
      const index = unmatched.findIndex((m) => firstDifference(m, member) === undefined);
      if (index < 0) return `${path}: no member matching ${String(member)}`;
      unmatched.splice(index, 1);
    }
    return undefined;
  }
  if (!isPickleDict(a) || Object.getPrototypeOf(a) !== null)
    return `${path}: not a prototype-free dict`;
  const e = expected as Record<string, unknown>;
  const keysA = Object.keys(a).sort();
  const keysE = Object.keys(e).sort();
  if (keysA.join("\u0000") !== keysE.join("\u0000"))
    return `${path}: keys ${keysA.join()} vs ${keysE.join()}`;
  for (const key of keysE) {
    const d = firstDifference(a[key], e[key], `${path}.${key}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

import { PickleEncodeError } from "./codec-errors.js";

/**
 * A plain Python value as the decoder builds it.
 *
 * | Python | JavaScript |
 * |---|---|
 * | `None` | `null` |
 * | `bool` | `boolean` |
 * | `int` | `number` when it is a safe integer, else `bigint` |
 * | `float` | `number` (so `1.0` decodes to `1`; `nan`, `inf`, `-0.0` are kept) |
 * | `str` (also Python 2 `str`, which must be ASCII) | `string` (lone surrogates survive, as Python's `surrogatepass`) |
 * | `bytes`, `bytearray` | `Uint8Array` (a copy; the input is not retained) |
 * | `list` | `PickleValue[]` |
 * | `tuple` | {@link PickleTuple} (a frozen `Array` subclass, so `Array.isArray` holds) |
 * | `dict` with only `str` keys | {@link PickleDict}: an object with a `null` prototype |
 * | any other `dict` | `Map<PickleValue, PickleValue>` |
 * | `set`, `frozenset` | `Set<PickleValue>` |
 *
 * Shared references in the pickle (the memo) stay shared: two `BINGET`s of one list give the same
 * JavaScript array. The decoder refuses cycles, so a decoded value is always a finite tree or DAG.
 *
 * Where JavaScript cannot say what Python says: in a {@link PickleDict}, integer-like keys
 * (`"2"`, `"10"`) come first in ascending order, as in every JS object, whatever the dict's
 * order; in a `Map` or `Set`, keys Python finds equal are merged as Python does (`1`, `1.0`,
 * `True`; equal tuples; equal bytes), but two NaN keys become one.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>;

/**
 * A decoded `dict` whose keys are all `str`. It has no prototype, so a key such as `"__proto__"`
 * or `"constructor"` is an ordinary own property and nothing is inherited.
 */
export interface PickleDict {
  [key: string]: PickleValue;
}

/**
 * What {@link encodePickle} accepts. Documentation only: `encodePickle` takes `unknown` so that
 * interfaces with optional fields can be passed, and checks the value at run time.
 */
export type PickleInput =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleFloat
  | readonly PickleInput[]
  | { readonly [key: string]: PickleInput }
  | ReadonlyMap<PickleInput, PickleInput>
  | ReadonlySet<PickleInput>;

/**
 * A Python `tuple`. It is an `Array` (so `Array.isArray`, indexing and zod's `z.array`/`z.tuple`
 * work), told apart from a list with `instanceof PickleTuple`. Make one with {@link pickleTuple}.
 */
export class PickleTuple<T = PickleValue> extends Array<T> {
  // `map`, `filter`, `slice` on a tuple give plain arrays (lists), not frozen tuples.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/**
 * Make a Python `tuple`: `pickleTuple("A01", 2)` pickles as `("A01", 2)`. The result is frozen.
 */
export function pickleTuple<T extends unknown[]>(...items: T): PickleTuple<T[number]> {
  const tuple = new PickleTuple<T[number]>();
  for (const item of items) tuple.push(item);
  Object.freeze(tuple);
  return tuple;
}

/** A number that must pickle as a Python `float` even when it is integral. */
export class PickleFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

/**
 * Force a Python `float`: `pickleFloat(1)` pickles as `1.0`, where a bare `1` pickles as `int`.
 * Non-integral numbers, `NaN` and `±Infinity` are floats anyway.
 */
export function pickleFloat(value: number): PickleFloat {
  if (typeof value !== "number") {
    throw new PickleEncodeError("pickleFloat()", `expected a number, got ${typeof value}`);
  }
  return new PickleFloat(value);
}

/** True for a decoded `dict` with `str` keys (an object that is not an array, Map, Set or bytes). */
export function isPickleDict(value: unknown): value is PickleDict {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** Build an empty {@link PickleDict} (no prototype). */
export function emptyPickleDict(): PickleDict {
  return Object.create(null) as PickleDict;
}

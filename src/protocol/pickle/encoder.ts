import {
  EncodePath,
  describe,
  encodeError,
  isPlainObject,
  item,
  requireHashable,
} from "./encode-checks.js";
import { PickleEncodeError } from "./codec-errors.js";
import { encodeLong } from "./int.js";
import { Op } from "./opcodes.js";
import { encodeUtf8 } from "./utf8.js";
import { PickleFloat, PickleTuple } from "./value.js";
import { PickleWriter } from "./writer.js";

/** Options for {@link encodePickle}. */
export interface PickleEncodeOptions {
  /**
   * Pickle protocol, 2–5 (default 4, CPython 3.8–3.13's default, with FRAME). Protocols 2 and 3
   * have no plain opcode for `bytes` (2) or sets (2, 3); CPython itself falls back to a
   * `copyreg`/`codecs` call there, which we will not emit. We write the protocol-3/4 opcodes
   * instead (SHORT_BINBYTES/BINBYTES, EMPTY_SET/ADDITEMS), which every Python 3 unpickler accepts
   * in a stream of any protocol.
   */
  readonly protocol?: 2 | 3 | 4 | 5;
  /** Deepest container nesting allowed (default 1000, CPython's recursion limit). */
  readonly maxDepth?: number;
}

const BATCH_SIZE = 1000; // items per MARK…APPENDS/SETITEMS/ADDITEMS batch, as CPython

/**
 * Encode a plain JS value as a pickle that CPython loads to the equal Python value.
 *
 * | JavaScript | Python |
 * |---|---|
 * | `null` | `None` |
 * | `boolean` | `bool` |
 * | `number`, integral (including `-0` and integral values beyond 2**53) | `int` |
 * | `number`, otherwise (fractions, `NaN`, `±Infinity`) | `float` |
 * | {@link pickleFloat}`(n)` | `float` |
 * | `bigint` | `int` |
 * | `string` (lone surrogates kept, as `surrogatepass`) | `str` |
 * | `Uint8Array` (and Node `Buffer`) | `bytes` |
 * | array | `list` |
 * | {@link pickleTuple}`(...)` | `tuple` |
 * | plain object (prototype `Object.prototype` or `null`) | `dict` with `str` keys |
 * | `Map` | `dict` (keys must be hashable in Python: no arrays, objects, Maps, Sets) |
 * | `Set` | `set` |
 *
 * Output matches CPython's `pickle.dumps(value, protocol)` byte for byte for the same value
 * (memo, batching and framing follow CPython), except that equal strings are memoised by value,
 * where CPython memoises by identity.
 *
 * ```ts
 * encodePickle({ type: "ping" }); // 80 04 95 12 00 … 73 2e, as pickle.dumps({"type": "ping"})
 * encodePickle({ type: "status", execution_id: id }, { protocol: 2 });
 * ```
 *
 * @throws {@link PickleEncodeError} for anything else (undefined, functions, symbols, class
 * instances, sparse arrays, cycles, unhashable dict keys, nesting over `maxDepth`), naming the
 * path, e.g. `$.config_params.well_filter[2]`.
 */
export function encodePickle(value: unknown, options: PickleEncodeOptions = {}): Uint8Array {
  const protocol = options.protocol ?? 4;
  if (![2, 3, 4, 5].includes(protocol)) {
    throw new PickleEncodeError("$", `protocol must be 2, 3, 4 or 5, got ${protocol}`);
  }
  const encoder = new Encoder(protocol, options.maxDepth ?? 1000);
  return encoder.encode(value);
}

class Encoder {
  private readonly out = new PickleWriter();
  private readonly memo = new Map<unknown, number>();
  /** Containers being written: meeting one again is a cycle. */
  private readonly active = new Set<object>();

  constructor(
    private readonly protocol: number,
    private readonly maxDepth: number,
  ) {}

  encode(value: unknown): Uint8Array {
    this.out.op1(Op.PROTO, this.protocol);
    if (this.protocol >= 4) this.out.startFraming();
    this.save(value, EncodePath.root, 0);
    this.out.byte(Op.STOP);
    return this.out.finish().slice();
  }

  private save(value: unknown, path: EncodePath, depth: number): void {
    switch (typeof value) {
      case "boolean":
        this.out.byte(value ? Op.NEWTRUE : Op.NEWFALSE);
        break;
      case "number":
        if (Number.isInteger(value)) this.saveInt(value);
        else this.saveFloat(value);
        break;
      case "bigint":
        this.saveInt(value);
        break;
      case "string":
        this.saveStr(value);
        break;
      case "object":
        if (value === null) this.out.byte(Op.NONE);
        else this.saveObject(value, path, depth);
        break;
      default:
        throw encodeError(path, `${typeof value} has no Python equivalent`);
    }
    this.out.boundary();
  }

  private saveObject(value: object, path: EncodePath, depth: number): void {
    if (value instanceof PickleFloat) {
      this.saveFloat(value.value);
      return;
    }
    if (this.active.has(value)) throw encodeError(path, "cycle: the value contains itself");
    if (this.writeGet(value)) return;
    if (value instanceof Uint8Array) {
      this.saveBytes(value);
      return;
    }
    if (depth >= this.maxDepth) {
      throw encodeError(path, `nested deeper than maxDepth ${this.maxDepth}`);
    }
    this.active.add(value);
    if (value instanceof PickleTuple) this.saveTuple(value, path, depth + 1);
    else if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
      this.saveList(value, path, depth + 1);
    } else if (value instanceof Map) this.saveMap(value, path, depth + 1);
    else if (value instanceof Set) this.saveSet(value, path, depth + 1);
    else if (isPlainObject(value)) this.saveDict(value, path, depth + 1);
    else throw encodeError(path, `${describe(value)} has no plain Python equivalent`);
    this.active.delete(value);
  }

  /** The smallest of BININT1, BININT2, BININT, LONG1, LONG4 that holds `value`, as CPython. */
  private saveInt(value: number | bigint): void {
    if (typeof value === "bigint" && value >= -0x8000_0000n && value <= 0x7fff_ffffn) {
      value = Number(value);
    }
    if (typeof value === "number" && value >= -0x8000_0000 && value <= 0x7fff_ffff) {
      if (value >= 0 && value <= 0xff) {
        this.out.op1(Op.BININT1, value);
      } else if (value >= 0 && value <= 0xffff) {
        this.out.byte(Op.BININT2);
        this.out.u16(value);
      } else {
        this.out.byte(Op.BININT);
        this.out.i32(value);
      }
      return;
    }
    const bytes = encodeLong(BigInt(value));
    if (bytes.length < 256) {
      this.out.op1(Op.LONG1, bytes.length);
    } else {
      this.out.byte(Op.LONG4);
      this.out.i32(bytes.length);
    }
    this.out.bytes(bytes);
  }

  private saveFloat(value: number): void {
    this.out.byte(Op.BINFLOAT);
    this.out.f64be(value);
  }

  private saveStr(value: string): void {
    if (this.writeGet(value)) return;
    if (value.length < 256 && isAscii(value)) {
      // Keys and short values: write the bytes directly instead of through a TextEncoder call.
      this.strHeader(value.length);
      this.out.ascii(value);
    } else {
      const bytes = encodeUtf8(value);
      this.out.payload(bytes, () => {
        this.strHeader(bytes.length);
      });
    }
    this.memoize(value);
  }

  private strHeader(length: number): void {
    if (length < 256 && this.protocol >= 4) {
      this.out.op1(Op.SHORT_BINUNICODE, length);
    } else if (length > 0xffff_ffff && this.protocol >= 4) {
      this.out.byte(Op.BINUNICODE8);
      this.out.u64(length);
    } else {
      this.out.byte(Op.BINUNICODE);
      this.out.u32(length);
    }
  }

  private saveBytes(value: Uint8Array): void {
    this.out.payload(value, () => {
      if (value.length < 256) {
        this.out.op1(Op.SHORT_BINBYTES, value.length);
      } else if (value.length > 0xffff_ffff && this.protocol >= 4) {
        this.out.byte(Op.BINBYTES8);
        this.out.u64(value.length);
      } else {
        this.out.byte(Op.BINBYTES);
        this.out.u32(value.length);
      }
    });
    this.memoize(value);
  }

  private saveList(value: readonly unknown[], path: EncodePath, depth: number): void {
    this.out.byte(Op.EMPTY_LIST);
    this.memoize(value);
    const batch = new Batches(this.out, value.length, Op.APPEND, Op.APPENDS, false);
    for (let i = 0; i < value.length; i++) {
      batch.next();
      this.save(item(value, i, path), path.index(i), depth);
    }
    batch.end();
  }

  private saveTuple(value: PickleTuple<unknown>, path: EncodePath, depth: number): void {
    const n = value.length;
    if (n === 0) {
      this.out.byte(Op.EMPTY_TUPLE); // CPython does not memoise the empty tuple
      return;
    }
    if (n > 3) this.out.byte(Op.MARK);
    for (let i = 0; i < n; i++) this.save(item(value, i, path), path.index(i), depth);
    this.out.byte(n > 3 ? Op.TUPLE : Op.TUPLE1 + n - 1);
    this.memoize(value);
  }

  private saveDict(value: object, path: EncodePath, depth: number): void {
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw encodeError(path, "symbol-keyed properties have no Python equivalent");
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    this.out.byte(Op.EMPTY_DICT);
    this.memoize(value);
    const batch = new Batches(this.out, keys.length, Op.SETITEM, Op.SETITEMS, true);
    for (const key of keys) {
      batch.next();
      this.saveStr(key);
      this.out.boundary();
      this.save(record[key], path.prop(key), depth);
    }
    batch.end();
  }

  private saveMap(value: ReadonlyMap<unknown, unknown>, path: EncodePath, depth: number): void {
    let index = 0;
    for (const key of value.keys()) requireHashable(key, path.keyOf(index++), this.maxDepth);
    this.out.byte(Op.EMPTY_DICT);
    this.memoize(value);
    const batch = new Batches(this.out, value.size, Op.SETITEM, Op.SETITEMS, true);
    index = 0;
    for (const [key, entry] of value) {
      batch.next();
      this.save(key, path.keyOf(index++), depth);
      this.save(entry, path.entry(key), depth);
    }
    batch.end();
  }

  private saveSet(value: ReadonlySet<unknown>, path: EncodePath, depth: number): void {
    this.out.byte(Op.EMPTY_SET);
    this.memoize(value);
    const batch = new Batches(this.out, value.size, undefined, Op.ADDITEMS, true);
    let index = 0;
    for (const member of value) {
      const memberPath = path.member(index++);
      requireHashable(member, memberPath, this.maxDepth);
      batch.next();
      this.save(member, memberPath, depth);
    }
    batch.end();
  }

  private memoize(value: unknown): void {
    const index = this.memo.size;
    this.memo.set(value, index);
    if (this.protocol >= 4) {
      this.out.byte(Op.MEMOIZE);
    } else if (index < 256) {
      this.out.op1(Op.BINPUT, index);
    } else {
      this.out.byte(Op.LONG_BINPUT);
      this.out.u32(index);
    }
  }

  /** If `value` was written before, write a memo GET for it and return true. */
  private writeGet(value: unknown): boolean {
    const index = this.memo.get(value);
    if (index === undefined) return false;
    if (index < 256) {
      this.out.op1(Op.BINGET, index);
    } else {
      this.out.byte(Op.LONG_BINGET);
      this.out.u32(index);
    }
    return true;
  }
}

/**
 * The item batching of CPython's C pickler: a lone list item or dict entry uses APPEND/SETITEM;
 * otherwise MARK … APPENDS/SETITEMS/ADDITEMS per 1000 items, and for dicts and sets a last batch
 * that is exactly full is followed by an empty MARK … SETITEMS/ADDITEMS.
 */
class Batches {
  private inBatch = 0;
  private open = false;

  constructor(
    private readonly out: PickleWriter,
    private readonly size: number,
    private readonly single: number | undefined,
    private readonly multiple: number,
    private readonly emptyAfterFull: boolean,
  ) {}

  /** Call before writing each item (or key and value). */
  next(): void {
    if (this.single !== undefined && this.size === 1) return;
    if (!this.open || this.inBatch === BATCH_SIZE) {
      if (this.open) this.out.byte(this.multiple);
      this.out.byte(Op.MARK);
      this.open = true;
      this.inBatch = 0;
    }
    this.inBatch++;
  }

  end(): void {
    if (this.size === 0) return;
    if (this.single !== undefined && this.size === 1) {
      this.out.byte(this.single);
      return;
    }
    this.out.byte(this.multiple);
    if (this.emptyAfterFull && this.inBatch === BATCH_SIZE) {
      this.out.byte(Op.MARK);
      this.out.byte(this.multiple);
    }
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

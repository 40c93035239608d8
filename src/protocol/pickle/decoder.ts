import { Container, isHashable, valueOf, type StackItem } from "./container.js";
import { PickleDecodeError, PickleLimitError, UnsafePickleError } from "./codec-errors.js";
import { DEFAULT_PICKLE_LIMITS, type PickleDecodeStats, type PickleLimits } from "./limits.js";
import { PickleMachine } from "./machine.js";
import { HIGHEST_PICKLE_PROTOCOL, Op, UNSAFE_OPCODES, opcodeName } from "./opcodes.js";
import { PickleReader } from "./reader.js";
import { readScalar, textLine } from "./scalars.js";
import { parseMemoIndexArg } from "./text.js";
import { PickleTuple, type PickleValue } from "./value.js";

/**
 * Decode one pickle (protocol 0–5) into plain values. See {@link PickleValue} for the mapping.
 *
 * Safe on untrusted bytes: it never looks up, calls or builds anything but plain values, bounds
 * every size by `limits` before allocating, always terminates (every step reads input), and
 * throws only {@link PickleDecodeError} (malformed; {@link PickleLimitError} when over a limit) or
 * {@link UnsafePickleError} (GLOBAL, STACK_GLOBAL, INST, OBJ, REDUCE, BUILD, NEWOBJ(_EX),
 * EXT1/2/4, PERSID, BINPERSID, NEXT_BUFFER, READONLY_BUFFER — anything that would run code or
 * needs out-of-band data), naming the opcode and its byte offset.
 *
 * It reads what CPython's C unpickler (the server's `pickle.loads`) reads, quirks included
 * (protocol-0 text arguments end at a NUL, `I010` is octal, `I01` is True, a SETITEM may assign
 * a list index), and is stricter in three ways: bytes after STOP are an error (a control frame
 * holds exactly one pickle); a container cannot be changed once it is inside another, which
 * refuses every self-referencing (cyclic) pickle; the buffer opcodes are refused.
 *
 * ```ts
 * const reply = decodePickle(frame); // { status: "ok", execution: { ... } }
 * ```
 *
 * @param bytes - the whole pickle, e.g. one ZeroMQ frame. Not retained: bytes values are copied.
 * @param limits - overrides for {@link DEFAULT_PICKLE_LIMITS}.
 */
export function decodePickle(bytes: Uint8Array, limits?: Partial<PickleLimits>): PickleValue {
  return decodePickleWithStats(bytes, limits).value;
}

/**
 * {@link decodePickle}, also reporting what the decode used (bytes, allocation units, largest
 * value, nesting, memo, opcodes) — for tests that check the limits hold, and for diagnostics.
 *
 * @param observe - called with the stats when the decode ends, whether it succeeds or throws
 * (so a test can check that a refused input allocated nothing).
 */
export function decodePickleWithStats(
  bytes: Uint8Array,
  limits?: Partial<PickleLimits>,
  observe?: (stats: PickleDecodeStats) => void,
): { value: PickleValue; stats: PickleDecodeStats } {
  const resolved = resolveLimits(limits);
  let reader: PickleReader | undefined;
  let machine: PickleMachine | undefined;
  try {
    if (!(bytes instanceof Uint8Array)) {
      throw new PickleDecodeError("input is not a Uint8Array", { offset: 0 });
    }
    if (bytes.length > resolved.maxInputBytes) {
      throw new PickleLimitError(
        "maxInputBytes",
        resolved.maxInputBytes,
        `input is ${bytes.length} bytes`,
        { offset: 0 },
      );
    }
    reader = new PickleReader(bytes);
    machine = new PickleMachine(reader, resolved);
    const value = run(reader, machine);
    return { value, stats: statsOf(reader, machine) };
  } catch (error) {
    if (error instanceof PickleDecodeError || error instanceof UnsafePickleError) throw error;
    // Only a bug in this decoder (or the engine running out of memory) gets here; keep the
    // promise that callers see codec errors only, and keep the cause for whoever debugs it.
    throw new PickleDecodeError(
      `internal decoder failure: ${String(error)}`,
      { offset: reader?.opOffset ?? 0 },
      { cause: error },
    );
  } finally {
    observe?.(statsOf(reader, machine));
  }
}

function statsOf(
  reader: PickleReader | undefined,
  m: PickleMachine | undefined,
): PickleDecodeStats {
  return {
    bytesRead: reader?.pos ?? 0,
    allocatedUnits: m?.allocated ?? 0,
    largestValueSize: m?.largestValue ?? 0,
    deepestNesting: m?.deepest ?? 0,
    memoEntries: m?.memo.size ?? 0,
    opcodes: m?.opcodes ?? 0,
  };
}

function run(reader: PickleReader, m: PickleMachine): PickleValue {
  for (;;) {
    const op = reader.opcode();
    m.opcodes++;
    if (readScalar(op, reader, m)) continue;
    switch (op) {
      case Op.STOP: {
        const value = valueOf(m.pop());
        if (reader.remaining > 0) throw reader.error(`${reader.remaining} bytes after STOP`);
        return value;
      }
      case Op.PROTO: {
        const version = reader.u8();
        if (version > HIGHEST_PICKLE_PROTOCOL) {
          throw reader.error(`unsupported pickle protocol ${version}`);
        }
        break;
      }
      case Op.FRAME: {
        // Frames are advisory (as in CPython's C unpickler): check the length, read on.
        const length = reader.u64();
        if (length > reader.remaining) {
          throw reader.error(`frame of ${length} bytes but only ${reader.remaining} remain`);
        }
        break;
      }
      case Op.MARK:
        m.mark();
        break;
      case Op.POP:
        m.popItemOrMark();
        break;
      case Op.POP_MARK:
        m.popMark();
        break;
      case Op.DUP:
        m.push(m.top());
        break;
      case Op.EMPTY_LIST:
        m.push(Container.list());
        break;
      case Op.EMPTY_DICT:
        m.push(Container.dict());
        break;
      case Op.EMPTY_SET:
        m.push(Container.set("set"));
        break;
      case Op.EMPTY_TUPLE:
        buildTuple(m, []);
        break;
      case Op.LIST:
        buildList(m, m.popMark());
        break;
      case Op.TUPLE:
        buildTuple(m, m.popMark());
        break;
      case Op.TUPLE1:
      case Op.TUPLE2:
      case Op.TUPLE3: {
        const items: StackItem[] = [];
        for (let i = op - Op.TUPLE1; i >= 0; i--) items.unshift(m.pop());
        buildTuple(m, items);
        break;
      }
      case Op.DICT: {
        const items = m.popMark();
        if (items.length % 2 !== 0) throw reader.error("odd number of items for DICT");
        const dict = Container.dict();
        for (let i = 0; i < items.length; i += 2) {
          m.setItem(dict, items[i] as StackItem, items[i + 1] as StackItem);
        }
        m.push(dict);
        break;
      }
      case Op.FROZENSET: {
        const set = Container.set("frozenset");
        for (const item of m.popMark()) m.addItem(set, item);
        m.push(set);
        break;
      }
      case Op.APPEND: {
        const item = m.pop();
        m.append(m.target("list"), item);
        break;
      }
      case Op.APPENDS: {
        const items = m.popMark();
        if (emptyBatch(m, items)) break;
        const list = m.target("list");
        for (const item of items) m.append(list, item);
        break;
      }
      case Op.SETITEM: {
        const value = m.pop();
        const key = m.pop();
        m.setItem(m.target("dict", "list"), key, value);
        break;
      }
      case Op.SETITEMS: {
        const items = m.popMark();
        if (emptyBatch(m, items)) break;
        if (items.length % 2 !== 0) throw reader.error("odd number of items for SETITEMS");
        const target = m.target("dict", "list");
        for (let i = 0; i < items.length; i += 2) {
          m.setItem(target, items[i] as StackItem, items[i + 1] as StackItem);
        }
        break;
      }
      case Op.ADDITEMS: {
        const items = m.popMark();
        if (emptyBatch(m, items)) break;
        const set = m.target("set");
        for (const item of items) m.addItem(set, item);
        break;
      }
      case Op.GET:
        m.push(m.memoGet(textIndex(reader, m)));
        break;
      case Op.BINGET:
        m.push(m.memoGet(reader.u8()));
        break;
      case Op.LONG_BINGET:
        m.push(m.memoGet(reader.u32()));
        break;
      case Op.PUT:
        m.memoPut(textIndex(reader, m), m.top());
        break;
      case Op.BINPUT:
        m.memoPut(reader.u8(), m.top());
        break;
      case Op.LONG_BINPUT:
        m.memoPut(reader.u32(), m.top());
        break;
      case Op.MEMOIZE:
        m.memoPut(m.memo.size, m.top());
        break;
      default:
        refuse(op, reader, m);
    }
  }
}

/**
 * An empty MARK…APPENDS/SETITEMS/ADDITEMS batch (CPython writes one after a full batch of 1000)
 * changes nothing; CPython checks only that something is below the mark, whatever its type.
 */
function emptyBatch(m: PickleMachine, items: readonly StackItem[]): boolean {
  if (items.length > 0) return false;
  m.top();
  return true;
}

function buildList(m: PickleMachine, items: readonly StackItem[]): void {
  const list = Container.list();
  for (const item of items) m.append(list, item);
  m.push(list);
}

function buildTuple(m: PickleMachine, items: readonly StackItem[]): void {
  const value = new PickleTuple();
  const tuple = Container.tuple(value);
  for (const item of items) {
    tuple.hashable &&= isHashable(item);
    value.push(m.adopt(tuple, item));
  }
  Object.freeze(value);
  m.push(tuple);
}

/** The decimal memo index of GET/PUT. */
function textIndex(reader: PickleReader, m: PickleMachine): number {
  const index = parseMemoIndexArg(textLine(reader, m));
  if (index === undefined) throw reader.error("malformed memo index");
  // CPython needs the index in a C ssize_t; beyond 2**53 it could not allocate the memo anyway.
  if (typeof index !== "number") throw reader.error(`memo index ${index} is too large`);
  if (index < 0) throw reader.error(`negative memo index ${index}`);
  return index;
}

/** Every opcode not handled above: unsafe ones by name (with their target), the rest unknown. */
function refuse(op: number, reader: PickleReader, m: PickleMachine): never {
  const name = opcodeName(op);
  if (name === undefined || !UNSAFE_OPCODES.has(name)) {
    throw reader.error(`unknown opcode 0x${op.toString(16).padStart(2, "0")}`);
  }
  const offset = reader.opOffset;
  let target: { module: string; name: string } | undefined;
  if (name === "GLOBAL" || name === "INST") {
    target = readTextTarget(reader);
  } else if (name === "STACK_GLOBAL") {
    const [module, attribute] = m.peekTwo();
    if (typeof module === "string" && typeof attribute === "string") {
      target = { module: module.slice(0, 200), name: attribute.slice(0, 200) };
    }
  }
  throw new UnsafePickleError(name, offset, target);
}

function readTextTarget(reader: PickleReader): { module: string; name: string } | undefined {
  try {
    // Only for the message: decode at most 200 bytes of each name.
    const decoder = new TextDecoder("utf-8");
    const module = decoder.decode(reader.line().subarray(0, 200));
    return { module, name: decoder.decode(reader.line().subarray(0, 200)) };
  } catch {
    return undefined; // truncated: still refused, just without the names
  }
}

function resolveLimits(limits: Partial<PickleLimits> | undefined): PickleLimits {
  const resolved = { ...DEFAULT_PICKLE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== "number" || !(value >= 0)) {
      throw new RangeError(`pickle limit ${name} must be a non-negative number, got ${value}`);
    }
  }
  return resolved;
}

/**
 * Deterministic generators of hostile pickle inputs for the fuzz and differential tests:
 * mutations of real CPython pickles (bit flips, byte overwrites, truncation, splices, length-field
 * inflation, inserted opcodes, repeated chunks), "opcode soup" (random but well-formed-ish opcode
 * sequences) and random bytes.
 */
import { Op } from "../../src/protocol/pickle/opcodes.js";

/** A seeded PRNG (mulberry32): same seed, same inputs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Opcodes followed by a length field, with the field's width in bytes. */
const LENGTH_FIELDS: ReadonlyMap<number, number> = new Map([
  [Op.SHORT_BINUNICODE, 1],
  [Op.SHORT_BINBYTES, 1],
  [Op.SHORT_BINSTRING, 1],
  [Op.LONG1, 1],
  [Op.BINUNICODE, 4],
  [Op.BINBYTES, 4],
  [Op.BINSTRING, 4],
  [Op.LONG4, 4],
  [Op.BINUNICODE8, 8],
  [Op.BINBYTES8, 8],
  [Op.BYTEARRAY8, 8],
  [Op.FRAME, 8],
]);

const BIG_LENGTHS = [0xff, 0x7fff_ffff, 0xffff_ffff, 2 ** 40, 2 ** 53, 2 ** 62, 2 ** 64 - 1];

function writeLength(out: Uint8Array, at: number, width: number, value: number): void {
  let v = BigInt(Math.min(value, 2 ** 64 - 1));
  for (let i = 0; i < width && at + i < out.length; i++) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** One mutation of `seed` (another corpus member may be spliced in). */
export function mutate(rng: Rng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  const out = Uint8Array.from(seed);
  if (out.length === 0) return rng.bytes(rng.int(16));
  const at = rng.int(out.length);
  switch (rng.int(8)) {
    case 0: // bit flips
      for (let i = rng.int(4); i >= 0; i--) {
        const k = rng.int(out.length);
        out[k] = (out[k] as number) ^ (1 << rng.int(8));
      }
      return out;
    case 1: // overwrite bytes, often with opcodes
      for (let i = rng.int(3); i >= 0; i--) out[rng.int(out.length)] = rng.int(256);
      return out;
    case 2: // truncate
      return out.subarray(0, at);
    case 3: {
      // splice: prefix of this, suffix of the other
      const cut = rng.int(other.length + 1);
      const joined = new Uint8Array(at + other.length - cut);
      joined.set(out.subarray(0, at));
      joined.set(other.subarray(cut), at);
      return joined;
    }
    case 4: {
      // inflate a length field
      const positions: number[] = [];
      for (let i = 0; i < out.length; i++)
        if (LENGTH_FIELDS.has(out[i] as number)) positions.push(i);
      const pos = positions.length > 0 ? rng.pick(positions) : at;
      const width = LENGTH_FIELDS.get(out[pos] as number) ?? rng.pick([1, 4, 8]);
      const value = rng.next() < 0.5 ? rng.pick(BIG_LENGTHS) : rng.int(out.length * 2 + 2);
      writeLength(out, pos + 1, width, value);
      return out;
    }
    case 5: {
      // insert a random opcode
      const joined = new Uint8Array(out.length + 1);
      joined.set(out.subarray(0, at));
      joined[at] = rng.int(256);
      joined.set(out.subarray(at), at + 1);
      return joined;
    }
    case 6: {
      // repeat a chunk (stresses marks, memo and the stack)
      const length = 1 + rng.int(Math.min(32, out.length - at));
      const times = 1 + rng.int(64);
      const joined = new Uint8Array(out.length + length * times);
      joined.set(out.subarray(0, at + length));
      for (let t = 1; t <= times; t++) joined.set(out.subarray(at, at + length), at + length * t);
      joined.set(out.subarray(at + length), at + length * (times + 1));
      return joined;
    }
    default: // delete a range
      return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + rng.int(8))]);
  }
}

const TEXT_ARGS = [
  ...["0", "1", "00", "01", "-5", "99999999999999999999", "1.5", "nan", "x", "", "12L"],
  // CPython's C parsing quirks: octal/hex/underscores via strtol and int(s, 0), NUL-terminated
  // text, whitespace, overflowing floats.
  ...["010", "0x1f", " 5", "1_000", "+1", "-0", "1\x00z", "0\x0b", "1e400", "-nan", "007", "0_0"],
];

/** A random sequence of (mostly) real opcodes with plausible arguments, ending in STOP. */
export function opcodeSoup(rng: Rng): Uint8Array {
  const out: number[] = [];
  const text = (s: string): void => {
    for (const ch of s) out.push(ch.charCodeAt(0) & 0xff);
    out.push(0x0a);
  };
  if (rng.next() < 0.7) out.push(Op.PROTO, rng.int(7));
  for (let n = 1 + rng.int(60); n > 0; n--) {
    const op = rng.int(256);
    const kind = rng.int(10);
    if (kind < 4) {
      out.push(
        rng.pick([
          Op.MARK,
          Op.POP,
          Op.POP_MARK,
          Op.DUP,
          Op.NONE,
          Op.NEWTRUE,
          Op.NEWFALSE,
          Op.EMPTY_LIST,
          Op.EMPTY_DICT,
          Op.EMPTY_SET,
          Op.EMPTY_TUPLE,
          Op.LIST,
          Op.TUPLE,
          Op.TUPLE1,
          Op.TUPLE2,
          Op.TUPLE3,
          Op.DICT,
          Op.FROZENSET,
          Op.APPEND,
          Op.APPENDS,
          Op.SETITEM,
          Op.SETITEMS,
          Op.ADDITEMS,
          Op.MEMOIZE,
          Op.STOP,
        ]),
      );
    } else if (kind < 7) {
      const which = rng.int(6);
      if (which === 0) out.push(Op.BININT1, rng.int(256));
      else if (which === 1) out.push(Op.BINGET, rng.int(8));
      else if (which === 2) out.push(Op.BINPUT, rng.int(8));
      else if (which === 3) out.push(Op.SHORT_BINUNICODE, 1, 0x61 + rng.int(3));
      else if (which === 4) out.push(Op.LONG1, 2, rng.int(256), rng.int(256));
      else out.push(Op.BINFLOAT, ...rng.bytes(8));
    } else if (kind < 9) {
      out.push(rng.pick([Op.INT, Op.LONG, Op.FLOAT, Op.GET, Op.PUT, Op.UNICODE, Op.STRING]));
      text(rng.pick(TEXT_ARGS));
    } else {
      out.push(op);
    }
  }
  out.push(Op.STOP);
  return Uint8Array.from(out);
}

/** Generate the `index`-th input of a run: 75% mutations, 15% soup, 10% random bytes. */
export function fuzzInput(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  const roll = rng.next();
  if (roll < 0.1) {
    const noise = rng.bytes(rng.int(64));
    if (rng.next() < 0.5 && noise.length >= 2) noise.set([Op.PROTO, 4]);
    return noise;
  }
  if (roll < 0.25) return opcodeSoup(rng);
  let input = rng.pick(seeds);
  for (let k = 1 + rng.int(3); k > 0; k--) input = mutate(rng, input, rng.pick(seeds));
  return input;
}

import { describe, expect, it } from "vitest";

import {
  DEFAULT_PICKLE_LIMITS,
  PickleDecodeError,
  PickleLimitError,
  decodePickle,
  decodePickleWithStats,
  type PickleDecodeStats,
  type PickleLimits,
} from "../../src/protocol/index.js";
import {
  PY_TYPED_JSON,
  firstDifference,
  fromTyped,
  type Typed,
} from "../helpers/pickle-typed-json.js";
import { runPythonJson } from "../helpers/python.js";

/** Decode, returning the error and what the decoder's accounting saw. */
function attempt(
  bytes: Uint8Array,
  limits?: Partial<PickleLimits>,
): { error: unknown; stats: PickleDecodeStats } {
  let stats: PickleDecodeStats | undefined;
  let error: unknown;
  try {
    decodePickleWithStats(bytes, limits, (s) => (stats = s));
  } catch (caught) {
    error = caught;
  }
  if (stats === undefined) throw new Error("observe was not called");
  return { error, stats };
}

const hex = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));
const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "latin1"));

describe("declared lengths larger than the input", () => {
  const cases: [string, string][] = [
    ["SHORT_BINUNICODE", "8004 8cff 61"],
    ["BINUNICODE", "8004 58ffffffff 61"],
    ["BINUNICODE8", "8004 8d0000000000000040 61"],
    ["BINBYTES", "8004 42ffffffff 61"],
    ["BINBYTES8", "8004 8effffffffffffffff 61"],
    ["BYTEARRAY8", "8005 960000000000010000 61"],
    ["BINSTRING", "8002 54ffffff7f 61"],
    ["LONG4", "8002 8bffffff7f 61"],
    ["LONG1", "8002 8aff 61"],
    ["FRAME", "8004 950000000000000010 4e2e"],
  ];

  it.each(cases)("refuses %s before allocating anything for it", (opcode, input) => {
    const { error, stats } = attempt(hex(input));
    expect(error).toBeInstanceOf(PickleDecodeError);
    expect(error).not.toBeInstanceOf(PickleLimitError);
    expect((error as PickleDecodeError).opcode).toBe(opcode);
    expect((error as PickleDecodeError).offset).toBe(2);
    expect((error as PickleDecodeError).message).toMatch(/remain/);
    expect(stats.allocatedUnits).toBe(0);
  });

  it("refuses a negative BINSTRING length", () => {
    expect(() => decodePickle(hex("8002 54ffffffff 2e"))).toThrow(/negative byte count/);
  });
});

describe("limits", () => {
  it("has documented defaults", () => {
    expect(DEFAULT_PICKLE_LIMITS).toEqual({
      maxInputBytes: 32 * 1024 * 1024,
      maxDepth: 1000,
      maxDecodedSize: 32 * 1024 * 1024,
      maxMemoEntries: 1024 * 1024,
    });
  });

  it("refuses input longer than maxInputBytes before reading it", () => {
    const { error, stats } = attempt(new Uint8Array(101), { maxInputBytes: 100 });
    expect(error).toBeInstanceOf(PickleLimitError);
    expect((error as PickleLimitError).limit).toBe("maxInputBytes");
    expect((error as PickleLimitError).code).toBe("ERR_PICKLE_LIMIT");
    expect(stats.opcodes).toBe(0);
  });

  it("refuses a payload that fits the input but not maxDecodedSize, before decoding it", () => {
    const payload = "61".repeat(5000);
    const { error, stats } = attempt(hex(`8004 5888130000 ${payload} 2e`), {
      maxDecodedSize: 4096,
    });
    expect(error).toBeInstanceOf(PickleLimitError);
    expect((error as PickleLimitError).limit).toBe("maxDecodedSize");
    expect(stats.allocatedUnits).toBeLessThanOrEqual(4096);
  });

  it("counts shared references at every use, so a 'billion laughs' pickle is refused", () => {
    // L0 = [0]*50; L1 = [L0]*50 (BINGETs); L2 = [L1]*50; L3 = [L2]*50: 400 bytes, 6.25M items as a tree.
    let body = "5d 94 28" + "4b00".repeat(50) + "65";
    for (let level = 1; level <= 3; level++) body += `5d 94 28${`680${level - 1}`.repeat(50)}65`;
    const bomb = hex(`8004 ${body} 2e`);
    expect(bomb.length).toBeLessThan(500);
    const { error, stats } = attempt(bomb, { maxDecodedSize: 1_000_000 });
    expect(error).toBeInstanceOf(PickleLimitError);
    expect((error as PickleLimitError).limit).toBe("maxDecodedSize");
    expect((error as PickleLimitError).message).toMatch(/shared references/);
    expect(stats.allocatedUnits).toBeLessThan(1000);
    // Under a larger budget the same pickle decodes, and the tree size is reported.
    const { value, stats: ok } = decodePickleWithStats(bomb, { maxDecodedSize: 10_000_000 });
    expect((value as unknown[]).length).toBe(50);
    expect(ok.largestValueSize).toBeGreaterThan(6_250_000);
  });

  it("refuses nesting deeper than maxDepth", () => {
    const deep = hex(`8004 ${"5d".repeat(60)} ${"61".repeat(59)} 2e`);
    expect(decodePickleWithStats(deep, { maxDepth: 60 }).stats.deepestNesting).toBe(60);
    const { error } = attempt(deep, { maxDepth: 59 });
    expect(error).toBeInstanceOf(PickleLimitError);
    expect((error as PickleLimitError).limit).toBe("maxDepth");
    expect((error as PickleLimitError).opcode).toBe("APPEND");
  });

  it("refuses more memo entries than maxMemoEntries", () => {
    const { error } = attempt(hex(`8004 4e ${"94".repeat(11)} 2e`), { maxMemoEntries: 10 });
    expect(error).toBeInstanceOf(PickleLimitError);
    expect((error as PickleLimitError).limit).toBe("maxMemoEntries");
    // Overwriting the same slot does not count twice.
    expect(() =>
      decodePickle(hex(`8002 4e ${"7100".repeat(50)} 2e`), { maxMemoEntries: 1 }),
    ).not.toThrow();
  });

  it("rejects nonsensical limits as a programming error", () => {
    expect(() => decodePickle(hex("80044e2e"), { maxDepth: -1 })).toThrow(RangeError);
  });
});

describe("values a plain-value decoder must not build", () => {
  it("refuses self-referencing lists and dicts made by CPython", async () => {
    const pickles = await runPythonJson<string[]>(String.raw`
import json, pickle
l = []; l.append(l)
d = {}; d["self"] = d
t = ([],); t[0].append(t)
print(json.dumps([pickle.dumps(x, p).hex() for x in (l, d, t) for p in (0, 2, 4)]))`);
    for (const pickle of pickles) {
      expect(() => decodePickle(hex(pickle))).toThrow(
        /inside itself|already inside another container/,
      );
    }
  });

  it("refuses changing a list after it was put inside another (hand-made, acyclic)", () => {
    // x = []; y = [x]; x.append(1)  — CPython never writes this; it would allow cycles.
    expect(() => decodePickle(hex("8004 5d 94 5d 94 6800 61 6800 4b01 61 2e"))).toThrow(
      /already inside another container/,
    );
  });

  it("refuses unhashable dict keys and set members, as Python does", () => {
    expect(() => decodePickle(hex("8004 7d 5d 4e 73 2e"))).toThrow(/list cannot be a dict key/);
    expect(() => decodePickle(hex("8004 8f 28 7d 90 2e"))).toThrow(/dict cannot be a set member/);
    expect(() => decodePickle(hex("8004 7d 5d 85 4e 73 2e"))).toThrow(/tuple cannot be a dict key/);
  });

  it("refuses APPEND on something that is not a list", () => {
    const error = attempt(hex("8004 7d 4e 61 2e")).error as PickleDecodeError;
    expect(error.message).toMatch(/expects a list below its arguments, found dict/);
    expect(error.opcode).toBe("APPEND");
    expect(error.offset).toBe(4);
  });
});

describe("malformed input", () => {
  const cases: [string, Uint8Array, RegExp, string | undefined, number][] = [
    ["empty input", new Uint8Array(0), /truncated/, undefined, 0],
    ["no STOP", hex("80044e"), /truncated/, undefined, 3],
    ["bytes after STOP", hex("80044e2e00"), /1 bytes after STOP/, "STOP", 3],
    ["an unknown opcode", hex("8004ff"), /unknown opcode 0xff/, "0xff", 2],
    ["a future protocol", hex("80064e2e"), /unsupported pickle protocol 6/, "PROTO", 0],
    ["stack underflow", hex("800461"), /stack underflow/, "APPEND", 2],
    ["reaching below a MARK", hex("80045d28612e"), /stack underflow/, "APPEND", 4],
    ["a missing MARK", hex("80046c2e"), /no MARK/, "LIST", 2],
    ["an odd SETITEMS", hex("80047d284e7500"), /odd number of items for SETITEMS/, "SETITEMS", 5],
    ["a missing memo entry", hex("8004680a2e"), /memo has no entry 10/, "BINGET", 2],
    ["invalid UTF-8", hex("80048c02c3282e"), /not valid UTF-8/, "SHORT_BINUNICODE", 2],
    ["an unquoted STRING", latin1("Sabc\n."), /malformed quoted string/, "STRING", 0],
    ["a non-ASCII SHORT_BINSTRING", hex("5501e92e"), /not ASCII/, "SHORT_BINSTRING", 0],
    ["a bad INT", latin1("I12x\n."), /malformed int/, "INT", 0],
    ["an INT of 4301 digits", latin1(`I${"9".repeat(4301)}\n.`), /malformed int/, "INT", 0],
    ["a bad FLOAT", latin1("F1.2.3\n."), /malformed float/, "FLOAT", 0],
    ["a truncated \\u escape", latin1("V\\u12\n."), /raw-unicode-escape/, "UNICODE", 0],
    ["a negative PUT", latin1("Np-1\n."), /negative memo index -1/, "PUT", 1],
    ["a text argument without newline", latin1("I12"), /no terminating newline/, "INT", 0],
  ];

  it.each(cases)(
    "refuses %s, naming the opcode and offset",
    (_what, bytes, message, opcode, offset) => {
      const { error } = attempt(bytes);
      expect(error).toBeInstanceOf(PickleDecodeError);
      expect((error as PickleDecodeError).code).toBe("ERR_PICKLE_DECODE");
      expect((error as PickleDecodeError).message).toMatch(message);
      expect((error as PickleDecodeError).opcode).toBe(opcode);
      expect((error as PickleDecodeError).offset).toBe(offset);
    },
  );

  it("refuses input that is not a Uint8Array with a codec error", () => {
    expect(() => decodePickle("\x80\x04N." as unknown as Uint8Array)).toThrow(PickleDecodeError);
  });
});

describe("protocol 0–2 text and Python 2 opcodes, checked against CPython", () => {
  const inputs = [
    "S'abc'\np0\n.",
    'S"it\'s"\n.',
    "S'a\\x41\\101\\n\\t\\\\\\'q\\z'\n.",
    "U\x03abc.",
    "T\x03\x00\x00\x00abc.",
    "I01\n.",
    "I00\n.",
    "I-42\n.",
    "I123456789012345678901234567890\n.",
    "L123L\n.",
    "L-99999999999999999999999\n.",
    "F1e+100\n.",
    "Fnan\n.",
    "F-inf\n.",
    "F-0.0\n.",
    "V\\u00e9t\\u00e9 \\U0001f600 \\\\u0041\n.",
    "(lp0\n(lp1\nI1\naag1\na.",
    "(dp0\nVk\np1\nI1\nsVk2\np2\ng1\ns.",
    "(I1\nI2\nt.",
    "(I1\nI2\nd.",
    "(I1\nI2\nl.",
    "(I1\n1N.",
    "(N2t.",
    "I1\nI2\n0.",
    "\x80\x02K\x01K\x02\x86q\x00h\x00\x86.",
    "\x80\x02K\x01r\x00\x01\x00\x00j\x00\x01\x00\x00.",
    "\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00K\x01\x95\x01\x00\x00\x00\x00\x00\x00\x00.",
    "\x80\x04\x8f(K\x01K\x02\x90.",
    "\x80\x04(K\x01K\x01\x91.",
    "\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00hi.",
    "\x80\x04X\x03\x00\x00\x00\xed\xa0\x80.",
    "\x80\x04\x8d\x01\x00\x00\x00\x00\x00\x00\x00z.",
    "\x80\x04\x8e\x01\x00\x00\x00\x00\x00\x00\x00z.",
    "\x80\x02\x8b\x02\x00\x00\x00\x00\x80.",
    "\x80\x02\x8a\x00.",
  ];

  it("decodes each to what CPython's pickle.loads gives", async () => {
    const described = await runPythonJson<unknown[]>(
      `${PY_TYPED_JSON}\nimport json, pickle, sys\nprint(json.dumps([describe(pickle.loads(bytes.fromhex(h))) for h in json.load(sys.stdin)]))`,
      { input: JSON.stringify(inputs.map((s) => Buffer.from(s, "latin1").toString("hex"))) },
    );
    inputs.forEach((input, i) => {
      const expected = fromTyped(described[i] as Typed);
      expect([input, firstDifference(decodePickle(latin1(input)), expected)]).toEqual([
        input,
        undefined,
      ]);
    });
  });
});

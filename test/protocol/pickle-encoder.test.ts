import { describe, expect, it } from "vitest";

import {
  PickleEncodeError,
  PickleTuple,
  decodePickle,
  emptyPickleDict,
  encodePickle,
  pickleFloat,
  pickleTuple,
} from "../../src/protocol/index.js";
import { PY_TYPED_JSON, firstDifference, toTyped } from "../helpers/pickle-typed-json.js";
import { runPythonJson } from "../helpers/python.js";

const PING_P2 = "80027d71005804000000747970657101580400000070696e677102732e";
const PING_P4 = "80049512000000000000007d948c0474797065948c0470696e6794732e";

const shared = [1, 2];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const objectOf = (n: number): Record<string, number> =>
  Object.fromEntries(range(n).map((i) => [`k${i}`, i]));
const nullProto = Object.assign(emptyPickleDict(), { a: 1, constructor: "c" });

/**
 * What we encode. `exact: false` marks values whose CPython pickle legitimately differs: shared
 * JS objects (CPython memoises by identity), sets (iteration order), bytes below protocol 3 and
 * sets below 4 (CPython uses a REDUCE call there).
 */
const CASES: { name: string; value: unknown; exact?: boolean; bytes?: boolean; sets?: boolean }[] =
  [
    { name: "ping", value: { type: "ping" } },
    { name: "status request", value: { type: "status", execution_id: "0b9c6a8e-7d1f" } },
    {
      name: "execute request",
      value: {
        type: "execute",
        plate_id: "/data/plate",
        pipeline_code: "from openhcs.core.steps.function_step import FunctionStep\n",
        config_code: "config = GlobalPipelineConfig(num_workers=1)\n",
        config_params: { well_filter: ["A01", "B02"], runtime_observation_export_scope: "values" },
        compile_only: true,
      },
    },
    { name: "None and bools", value: [null, true, false] },
    {
      name: "ints around every opcode boundary",
      value: [
        0,
        1,
        -1,
        255,
        256,
        65535,
        65536,
        -256,
        2 ** 31 - 1,
        -(2 ** 31),
        2 ** 31,
        -(2 ** 31) - 1,
      ],
    },
    {
      name: "big ints",
      value: [
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        2 ** 53,
        1e20,
        2n ** 64n,
        -(2n ** 64n),
        2n ** 63n - 1n,
        -(2n ** 63n),
        2n ** 1000n,
        -(2n ** 1000n),
        2n ** 2100n,
        -(2n ** 2100n) + 7n,
        0n,
        -1n,
        127n,
        -128n,
        -129n,
        255n,
      ],
    },
    {
      name: "floats",
      value: [0.5, -1.5, 0.1, 1e-300, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity],
    },
    {
      name: "forced floats",
      value: [pickleFloat(1), pickleFloat(0), pickleFloat(-0), pickleFloat(2 ** 60)],
    },
    { name: "-0 as an int", value: [-0] },
    {
      name: "strings",
      value: [
        "",
        "a",
        "ünïcödé",
        "日本語",
        "😀 astral",
        "\u0000\n\\",
        "\ufeffBOM",
        "x".repeat(300),
      ],
    },
    { name: "lone surrogates", value: ["\ud800", "a\udc00b", "end\ud83d", "\udfff\ud800"] },
    { name: "a string of 70000 bytes (outside frames)", value: ["y".repeat(70_000), "after"] },
    { name: "repeated strings", value: ["same", "same", { same: "same" }] },
    {
      name: "bytes",
      value: [
        new Uint8Array([0, 255]),
        new Uint8Array(300).fill(7),
        Buffer.from("buffer"),
        new Uint8Array(0),
      ],
      bytes: true,
    },
    { name: "70000 bytes", value: new Uint8Array(70_000).fill(1), bytes: true },
    { name: "lists", value: [[], [1], [1, 2], [[[]]], range(2500)] },
    { name: "exactly 1000 and 1001 items", value: [range(1000), range(1001)] },
    {
      name: "tuples",
      value: [
        pickleTuple(),
        pickleTuple(1),
        pickleTuple(1, 2),
        pickleTuple(1, 2, 3),
        pickleTuple(1, 2, 3, 4),
        pickleTuple(pickleTuple("a"), []),
      ],
    },
    { name: "dicts", value: [{}, { a: 1 }, { "10": 1, b: 2, "2": 3 }, nullProto] },
    {
      name: "a __proto__ key",
      value: JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as unknown,
    },
    { name: "big dicts", value: [objectOf(999), objectOf(1000), objectOf(2100)] },
    {
      name: "Map with non-str keys",
      value: new Map<unknown, unknown>([
        [1, "int"],
        [2.5, "float"],
        [pickleTuple(1, "t"), "tuple"],
        [null, "none"],
        ["s", 1],
        [2n ** 70n, "big"],
        [pickleFloat(3), "float 3.0"],
      ]),
    },
    { name: "Map with bytes key", value: new Map([[new Uint8Array([1]), 1]]), bytes: true },
    { name: "one-member and empty sets", value: [new Set([1]), new Set()], sets: true },
    {
      name: "sets",
      value: [new Set([1, 2, 3]), new Set(range(1000)), new Set(range(1001))],
      sets: true,
      exact: false,
    },
    { name: "shared references", value: [shared, shared, { again: shared }], exact: false },
    { name: "deep nesting", value: range(300).reduce<unknown>((inner) => [inner], null) },
  ];

const PY_CHECK = String.raw`
import io, json, pickle, sys
${PY_TYPED_JSON}

class Plain(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError("global %s.%s" % (module, name))

def build_interned(d):
    t, v = d["t"], d.get("v")
    if t == "str": return sys.intern(v)
    if t == "list": return [build_interned(x) for x in v]
    if t == "tuple": return tuple(build_interned(x) for x in v)
    if t == "dict": return {build_interned(k): build_interned(x) for k, x in v}
    if t == "set": return {build_interned(x) for x in v}
    return build(d)

results = []
for case in json.load(sys.stdin):
    r = {"id": case["id"]}
    try:
        loaded = Plain(io.BytesIO(bytes.fromhex(case["hex"]))).load()
        r["same"] = same(loaded, build(case["desc"]))
        if not r["same"]: r["loaded"] = repr(loaded)[:500]
    except Exception as e:
        r["error"] = "%s: %s" % (type(e).__name__, e)
    if case["exact"]:
        r["cpython"] = pickle.dumps(build_interned(case["desc"]), protocol=case["protocol"]).hex()
    results.append(r)
json.dump(results, sys.stdout)
`;

interface PythonVerdict {
  id: number;
  same?: boolean;
  loaded?: string;
  error?: string;
  cpython?: string;
}

const PROTOCOLS = [2, 3, 4, 5] as const;
const jobs = CASES.flatMap((c) =>
  PROTOCOLS.map((protocol) => {
    const exact =
      c.exact !== false &&
      !(c.bytes === true && protocol < 3) &&
      !(c.sets === true && protocol < 4);
    return {
      ...c,
      protocol,
      exact,
      hex: Buffer.from(encodePickle(c.value, { protocol })).toString("hex"),
    };
  }),
);
const verdicts = await runPythonJson<PythonVerdict[]>(PY_CHECK, {
  input: JSON.stringify(
    jobs.map((job, id) => ({
      id,
      protocol: job.protocol,
      hex: job.hex,
      desc: toTyped(job.value),
      exact: job.exact,
    })),
  ),
});

describe("encoding values that CPython loads", () => {
  it.each(jobs.map((job, id) => [`${job.name} (protocol ${job.protocol})`, id] as const))(
    "CPython loads %s to the intended value",
    (_label, id) => {
      const verdict = verdicts[id];
      expect(verdict?.error).toBeUndefined();
      expect(verdict?.loaded).toBeUndefined();
      expect(verdict?.same).toBe(true);
    },
  );

  it.each(
    jobs.flatMap((job, id) =>
      job.exact ? [[`${job.name} (protocol ${job.protocol})`, id] as const] : [],
    ),
  )("encodes %s byte for byte as CPython's pickle.dumps", (_label, id) => {
    expect(jobs[id]?.hex).toBe(verdicts[id]?.cpython);
  });

  it.each(jobs.map((job, id) => [`${job.name} (protocol ${job.protocol})`, id] as const))(
    "decodes its own encoding of %s back to the value",
    (_label, id) => {
      const job = jobs[id];
      if (job === undefined) throw new Error("no job");
      const decoded = decodePickle(Buffer.from(job.hex, "hex"));
      // Forced floats decode as numbers, so compare descriptions with floats and ints merged.
      expect(loose(toTyped(decoded))).toEqual(loose(toTyped(job.value)));
    },
  );
});

describe("the reference's hex examples", () => {
  it("encodes {type: 'ping'} at protocol 2 to the reference's bytes", () => {
    expect(Buffer.from(encodePickle({ type: "ping" }, { protocol: 2 })).toString("hex")).toBe(
      PING_P2,
    );
  });

  it("encodes {type: 'ping'} at protocol 4 (the default) to the reference's bytes, as CPython does", async () => {
    const cpython = await runPythonJson<string>(
      "import json, pickle; print(json.dumps(pickle.dumps({'type': 'ping'}, protocol=4).hex()))",
    );
    expect(cpython).toBe(PING_P4);
    expect(Buffer.from(encodePickle({ type: "ping" })).toString("hex")).toBe(PING_P4);
  });
});

describe("refusing JS values with no plain Python equivalent", () => {
  class Config {
    wells = ["A01"];
  }
  const cyclic: unknown[] = [];
  cyclic.push({ self: cyclic });
  const symbolKeyed = { [Symbol("s")]: 1 };
  const refusals: [string, unknown, string][] = [
    [
      "undefined",
      { type: "execute", config_params: { well_filter: ["A01", "B02", undefined] } },
      "$.config_params.well_filter[2]",
    ],
    ["a function", { callback: () => 1 }, "$.callback"],
    ["a symbol", [Symbol("x")], "$[0]"],
    ["a class instance", { config: new Config() }, "$.config"],
    ["a Date", { when: new Date(0) }, "$.when"],
    ["a cycle", cyclic, "$[0].self"],
    ["a hole in a sparse array", [1, , 3], "$[1]"], // eslint-disable-line no-sparse-arrays -- the hole is the point
    ["a list as a Map key", new Map([[[1], "v"]]), "$.<key 0>"],
    ["a tuple key holding a list", new Map([[pickleTuple(1, [2]), "v"]]), "$.<key 0>[1]"],
    ["an object in a Set", new Set([{}]), "${0}"],
    ["symbol-keyed properties", symbolKeyed, "$"],
    ["a typed array that is not bytes", { data: new Float32Array(2) }, "$.data"],
    ["a key needing quotes", { "well filter": undefined }, '$["well filter"]'],
  ];

  it.each(refusals)("refuses %s, naming its path", (_what, value, path) => {
    let caught: unknown;
    try {
      encodePickle(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PickleEncodeError);
    expect((caught as PickleEncodeError).code).toBe("ERR_PICKLE_ENCODE");
    expect((caught as PickleEncodeError).path).toBe(path);
    expect((caught as PickleEncodeError).message).toContain(path);
  });

  it("refuses nesting deeper than maxDepth", () => {
    const deep = range(20).reduce<unknown>((inner) => [inner], 1);
    expect(() => encodePickle(deep, { maxDepth: 10 })).toThrow(PickleEncodeError);
    expect(() => encodePickle(deep, { maxDepth: 30 })).not.toThrow();
  });

  it("refuses protocols it cannot write", () => {
    expect(() => encodePickle(1, { protocol: 1 as 2 })).toThrow(/protocol must be 2, 3, 4 or 5/);
  });
});

describe("tuples and forced floats", () => {
  it("makes frozen tuples that are arrays", () => {
    const tuple = pickleTuple("A01", 2);
    expect(tuple).toBeInstanceOf(PickleTuple);
    expect(Array.isArray(tuple)).toBe(true);
    expect(Object.isFrozen(tuple)).toBe(true);
    expect(tuple.map((x) => x)).not.toBeInstanceOf(PickleTuple);
  });

  it("pickles pickleFloat(1) as a float and 1 as an int", () => {
    expect(Buffer.from(encodePickle(pickleFloat(1), { protocol: 2 })).toString("hex")).toBe(
      "800247" + "3ff0000000000000" + "2e",
    );
    expect(Buffer.from(encodePickle(1, { protocol: 2 })).toString("hex")).toBe("80024b012e");
  });
});

/** A description with int/float merged (decoded floats are plain numbers). */
function loose(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(loose);
  if (typeof value !== "object" || value === null) return value;
  const node = value as { t: string; v: unknown };
  if (node.t === "float" || node.t === "int") {
    return {
      t: "number",
      v: String(
        Number(
          node.v === "nan"
            ? NaN
            : node.v === "inf"
              ? Infinity
              : node.v === "-inf"
                ? -Infinity
                : node.v,
        ),
      ),
    };
  }
  return { t: node.t, v: loose(node.v) };
}

it("uses a comparator that can tell decoded values apart", () => {
  expect(firstDifference(pickleTuple(1), [1])).toBeDefined();
  expect(firstDifference(-0, 0)).toBeDefined();
  expect(firstDifference(1n, 1)).toBeDefined();
  expect(firstDifference(new Map([["a", 1]]), emptyPickleDict())).toBeDefined();
  expect(firstDifference({ a: 1 }, Object.assign(emptyPickleDict(), { a: 1 }))).toBeDefined();
});

import { describe, expect, it } from "vitest";

import {
  PickleTuple,
  decodePickle,
  decodePickleWithStats,
  isPickleDict,
  type PickleDict,
  type PickleValue,
} from "../../src/protocol/index.js";
import { cpythonVectors } from "../helpers/pickle-corpus.js";
import { firstDifference, fromTyped } from "../helpers/pickle-typed-json.js";

const vectors = await cpythonVectors();

describe("decoding pickles made by CPython", () => {
  it("covers every protocol from 0 to 5", () => {
    expect(new Set(vectors.map((v) => v.protocol))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  it.each(vectors.map((v) => [`${v.name} (protocol ${v.protocol})`, v] as const))(
    "decodes %s to the value CPython pickled",
    (_label, vector) => {
      expect(firstDifference(decodePickle(vector.pickle), fromTyped(vector.desc))).toBeUndefined();
    },
  );

  it("keeps ints and floats apart at the safe-integer edge", () => {
    for (const protocol of [0, 2, 4]) {
      const ints = decodePickle(pickleOf("safe-integer edges", protocol)) as PickleValue[];
      expect(ints.map((n) => typeof n)).toEqual(["number", "number", "bigint", "bigint", "bigint"]);
      const floats = decodePickle(pickleOf("floats", protocol)) as number[];
      expect(Object.is(floats[1], -0)).toBe(true);
    }
  });

  it("keeps the memo's shared references shared (and nothing else)", () => {
    for (let protocol = 0; protocol <= 5; protocol++) {
      const value = decodePickle(pickleOf("memo sharing", protocol)) as PickleValue[];
      const [first, second, dict, tupleA, tupleB] = value as [
        PickleValue[],
        PickleValue[],
        PickleDict,
        PickleTuple,
        PickleTuple,
      ];
      expect(first).toBe(second);
      expect(dict.again).toBe(first);
      expect(dict.d1).toBe(dict.d2);
      expect(tupleA).toBe(tupleB);
      expect(tupleA).toBeInstanceOf(PickleTuple);
      expect(first).not.toBeInstanceOf(PickleTuple);
    }
  });

  it("decodes a dict with only str keys to a prototype-free object where __proto__ is a plain key", () => {
    const value = decodePickle(pickleOf("special str keys", 4)) as PickleDict;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toContain("__proto__");
    expect(value.__proto__).toBe(1);
    // Names that an ordinary object would inherit are the dict's own entries here.
    const entry = (key: string): PickleValue | undefined => value[key];
    expect(entry("toString")).toBe(3);
    expect(entry("hasOwnProperty")).toBe(4);
    const inner = entry("valueOf") as PickleDict;
    expect(isPickleDict(inner.__proto__)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("decodes a dict with any non-str key to a Map", () => {
    const value = decodePickle(pickleOf("mixed keys", 4));
    expect(value).toBeInstanceOf(Map);
    const map = value as Map<PickleValue, PickleValue>;
    expect(map.get(1)).toBe("int");
    expect(map.get(2.5)).toBe("float");
    expect(map.get(null)).toBe("none");
    expect(map.get(2n ** 70n)).toBe("big");
  });

  it("decodes tuples to frozen PickleTuple arrays", () => {
    const tuples = decodePickle(pickleOf("tuples", 2)) as PickleTuple[];
    for (const tuple of tuples) {
      expect(tuple).toBeInstanceOf(PickleTuple);
      expect(Array.isArray(tuple)).toBe(true);
      expect(Object.isFrozen(tuple)).toBe(true);
    }
  });

  it("reads the pong reply with the opcodes the real server emits", () => {
    const { value, stats } = decodePickleWithStats(pickleOf("pong", 4));
    expect(isPickleDict(value)).toBe(true);
    expect((value as PickleDict).control_capabilities).toEqual([
      "force_shutdown",
      "ping",
      "shutdown",
    ]);
    expect(stats.bytesRead).toBe(pickleOf("pong", 4).length);
  });
});

function pickleOf(name: string, protocol: number): Uint8Array {
  const vector = vectors.find((v) => v.name === name && v.protocol === protocol);
  if (vector === undefined) throw new Error(`no vector ${name} at protocol ${protocol}`);
  return vector.pickle;
}

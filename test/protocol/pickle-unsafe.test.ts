import { describe, expect, it } from "vitest";

import { UnsafePickleError, decodePickle } from "../../src/protocol/index.js";
import { runPythonJson } from "../helpers/python.js";

/**
 * CPython makes each pickle and, with `pickletools`, finds the first code-running opcode in it, its
 * offset and (for GLOBAL, INST, STACK_GLOBAL) the module and name it asks for. Pickles whose
 * dangerous opcode CPython never writes on its own (OBJ, INST, a REDUCE/BUILD/NEWOBJ not preceded
 * by a GLOBAL) are written by hand; `pickletools` still checks they parse and locates the opcode.
 */
const PY_UNSAFE = String.raw`
import copyreg, io, json, os, pickle, pickletools, sys

UNSAFE = {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX",
          "EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID", "NEXT_BUFFER", "READONLY_BUFFER"}

class Instance:
    def __init__(self): self.wells = ["A01"]

class RunsCode:
    def __reduce__(self): return (os.system, ("echo pwned",))

class Ext1: pass
class Ext2: pass
class Ext4: pass
copyreg.add_extension(__name__, "Ext1", 7)
copyreg.add_extension(__name__, "Ext2", 300)
copyreg.add_extension(__name__, "Ext4", 70000)

def persistent(value, protocol):
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            return "plate-42" if obj == "external" else None
    buf = io.BytesIO()
    P(buf, protocol=protocol).dump({"ref": "external"})
    return buf.getvalue()

cases = []
def add(name, data):
    strings = []
    for op, arg, pos in pickletools.genops(data):
        if op.name in UNSAFE:
            target = None
            if op.name in ("GLOBAL", "INST"): target = arg.split(" ", 1)
            if op.name == "STACK_GLOBAL": target = strings[-2:]
            cases.append({"name": name, "hex": data.hex(), "opcode": op.name, "offset": pos,
                          "target": target})
            return
        if isinstance(arg, str): strings.append(arg)
    raise AssertionError("no unsafe opcode in " + name)

for p in range(6):
    add("os.system via __reduce__, protocol %d" % p, pickle.dumps(RunsCode(), p))
    add("a class instance, protocol %d" % p, pickle.dumps(Instance(), p))
    add("a class instance inside plain data, protocol %d" % p,
        pickle.dumps({"status": "ok", "items": [1, 2.5, "x", Instance()]}, p))
    add("persistent id, protocol %d" % p, persistent("external", p))
for p in range(3):
    add("bytes, which protocol %d pickles with a call, protocol %d" % (p, p), pickle.dumps(b"abc", p))
add("empty bytes at protocol 2", pickle.dumps(b"", 2))
add("a set at protocol 3", pickle.dumps({1, 2}, 3))
add("a bytearray at protocol 4", pickle.dumps(bytearray(b"x"), 4))
add("EXT1", pickle.dumps(Ext1(), 2))
add("EXT2", pickle.dumps(Ext2(), 2))
add("EXT4", pickle.dumps(Ext4(), 2))
buffers = []
add("NEXT_BUFFER (out-of-band)", pickle.dumps(pickle.PickleBuffer(bytearray(b"abc")), 5,
                                             buffer_callback=buffers.append))
add("INST", b"(i__main__\nInstance\np0\n.")
add("INST after plain data", b"(lp0\nI1\naF2.5\na(ios\nsystem\nS'echo'\np1\na.")
add("OBJ", b"(N)o.")
add("REDUCE", b"\x80\x02N)R.")
add("BUILD", b"\x80\x02}}b.")
add("NEWOBJ", b"\x80\x02N)\x81.")
add("NEWOBJ_EX", b"\x80\x04N)}\x92.")
add("READONLY_BUFFER", b"\x80\x05C\x03abc\x98.")
add("STACK_GLOBAL", b"\x80\x04\x8c\x05posix\x94\x8c\x06system\x94\x93.")
json.dump(cases, sys.stdout)
`;

interface UnsafeCase {
  name: string;
  hex: string;
  opcode: string;
  offset: number;
  target: [string, string] | null;
}

const cases = await runPythonJson<UnsafeCase[]>(PY_UNSAFE);

describe("refusing pickles that would run code", () => {
  it("has a case for every unsafe opcode", () => {
    expect(new Set(cases.map((c) => c.opcode))).toEqual(
      new Set([
        "GLOBAL",
        "STACK_GLOBAL",
        "REDUCE",
        "BUILD",
        "INST",
        "OBJ",
        "NEWOBJ",
        "NEWOBJ_EX",
        "EXT1",
        "EXT2",
        "EXT4",
        "PERSID",
        "BINPERSID",
        "NEXT_BUFFER",
        "READONLY_BUFFER",
      ]),
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    "refuses %s, naming the opcode, its offset and what it asks for",
    (_name, unsafe) => {
      let caught: unknown;
      try {
        decodePickle(Buffer.from(unsafe.hex, "hex"));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnsafePickleError);
      const error = caught as UnsafePickleError;
      expect(error.code).toBe("ERR_PICKLE_UNSAFE");
      expect(error.opcode).toBe(unsafe.opcode);
      expect(error.offset).toBe(unsafe.offset);
      expect(error.message).toContain(`${unsafe.opcode} at byte ${unsafe.offset}`);
      if (unsafe.target !== null) {
        const [module, name] = unsafe.target;
        expect(error.target).toEqual({ module, name });
        expect(error.message).toContain(`${module}.${name}`);
      }
    },
  );
});

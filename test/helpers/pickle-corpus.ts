/**
 * A corpus of plain Python values, pickled by CPython at test time with every protocol 0–5.
 * Shared by the vector tests and the fuzzer (which mutates these bytes).
 */
import { PY_TYPED_JSON, type Typed } from "./pickle-typed-json.js";
import { runPythonJson } from "./python.js";

/** One CPython-made vector. */
export interface CpythonVector {
  name: string;
  protocol: number;
  pickle: Uint8Array;
  /** What the pickle holds, described by CPython itself. */
  desc: Typed;
}

/**
 * The corpus. Protocol-limited values are left out where CPython can only pickle them with a
 * call (GLOBAL + REDUCE), which the decoder refuses by design: bytes below protocol 3, set and
 * frozenset below 4, bytearray below 5.
 */
const PY_CORPUS = String.raw`
import json, math, pickle, sys
${PY_TYPED_JSON}

shared_list = [1, 2, "shared"]
shared_dict = {"k": "v"}
shared_tuple = ("t", 1)
deep = None
for i in range(150):
    deep = [deep, i]

corpus = {
    "none": None,
    "true": True,
    "false": False,
    "small ints": [0, 1, -1, 127, 128, 255, 256, 65535, 65536, -128, -129, -256, -65536],
    "int32 edges": [2**31 - 1, -2**31, 2**31, -2**31 - 1, 2**32, -2**32],
    "safe-integer edges": [2**53 - 1, -(2**53 - 1), 2**53, -2**53, 2**53 + 1],
    "big ints": [2**63 - 1, -2**63, 2**64, -2**64, 2**64 - 1, 2**1000, -2**1000, 10**400, -(10**400), 255 << 800],
    "floats": [0.0, -0.0, 1.0, -1.5, 0.1, 1e-300, 5e-324, 1.7976931348623157e308, 1e16, 123456789.125, math.pi],
    "special floats": [math.inf, -math.inf, math.nan],
    "strings": ["", "a", "ascii text", "ünïcödé", "日本語テキスト", "\ufeffBOM first", "'\"quotes\"'",
                "\x00\n\r\t\\\x1a\x7f\x80\u0085\u2028", "back\\slash \\u0041 not an escape"],
    "astral strings": ["emoji 😀🎉", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\U0010ffff", "mixed a😀b"],
    "long strings": ["x" * 300, "ü" * 200, "long " * 20000, "😀" * 70],
    "empty containers": [[], {}, (), ""],
    "tuples": [(1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((), ((),)), ("nested", ("deep", (1, 2.5)))],
    "nested": {"a": {"b": {"c": [1, [2, [3, {"d": None, "e": (True, False)}]]]}}},
    "mixed keys": {1: "int", 2.5: "float", "s": "str", (1, "t"): "tuple", None: "none", -7: "neg",
                   2**70: "big"},
    "special str keys": {"__proto__": 1, "constructor": 2, "toString": 3, "hasOwnProperty": 4,
                         "": 5, "valueOf": {"__proto__": {"polluted": True}}},
    "big list": list(range(2500)),
    "big dict": {"k%d" % i: i for i in range(2100)},
    "memo sharing": [shared_list, shared_list, {"again": shared_list, "d1": shared_dict,
                     "d2": shared_dict}, shared_tuple, shared_tuple, ["same"] * 5],
    "deep nesting": deep,
    "pong": {"type": "pong", "port": 51971, "control_port": 52971, "ready": True,
             "server": "ZMQExecutionServer", "server_type": "execution", "server_role": "execution",
             "control_capabilities": ["force_shutdown", "ping", "shutdown"],
             "application": {"application_id": "openhcs", "application_version": "0.8.6"},
             "log_file_path": ".openhcs-remote/logs/execution-51971.log", "active_executions": 0,
             "running_executions": [], "queued_executions": [], "workers": [],
             "uptime": 153.52807474136353, "progress_subscribers": 0,
             "process_identity": {"pid": 4147, "create_time": 1795822283.53}},
    "status": {"status": "ok", "active_executions": 1, "uptime": 12.5,
               "executions": ["0b9c6a8e-7d1f-4b0e-9a57-1f2e3d4c5b6a"],
               "running_executions": [{"execution_id": "0b9c6a8e-7d1f-4b0e-9a57-1f2e3d4c5b6a",
                                       "plate_id": "/tmp/plate", "start_time": 1795822283.5,
                                       "elapsed": 3.25, "compile_only": False}],
               "queued_executions": []},
    "status of one execution": {"status": "ok", "execution": {
        "execution_id": "0b9c6a8e", "plate_id": "/tmp/plate", "client_address": None,
        "status": "failed", "start_time": 1795822283.5, "end_time": None,
        "error": "ValueError: boom", "compile_only": False,
        "traceback": "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n",
        "results_summary": {"well_count": 2, "wells": ["A01", "B02"]}}},
    "error reply": {"status": "error", "error": "Missing field: 'plate_id'"},
}
bytes_corpus = {
    "bytes": [b"", b"\x00\xff", bytes(range(256)), b"x" * 300, b"y" * 70000],
    "bytes keys": {b"k": 1, (b"t", 2): 2},
}
set_corpus = {
    "sets": [set(), {1, 2, 3}, frozenset(), frozenset({"a", (1, 2)}), set(range(1500))],
    "frozenset key": {frozenset({1, 2}): "fs"},
}
bytearray_corpus = {"bytearray": [bytearray(b""), bytearray(b"abc\x00")]}

out = []
for protocol in range(6):
    items = dict(corpus)
    if protocol >= 3: items.update(bytes_corpus)
    if protocol >= 4: items.update(set_corpus)
    if protocol >= 5: items.update(bytearray_corpus)
    for name, value in items.items():
        out.append({"name": name, "protocol": protocol,
                    "hex": pickle.dumps(value, protocol=protocol).hex(), "desc": describe(value)})
json.dump(out, sys.stdout)
`;

/** Build the corpus (one Python run, ~1 s). */
export async function cpythonVectors(): Promise<CpythonVector[]> {
  const raw =
    await runPythonJson<{ name: string; protocol: number; hex: string; desc: Typed }[]>(PY_CORPUS);
  return raw.map(({ name, protocol, hex, desc }) => ({
    name,
    protocol,
    pickle: Uint8Array.from(Buffer.from(hex, "hex")),
    desc,
  }));
}

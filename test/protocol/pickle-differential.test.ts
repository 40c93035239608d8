import { writeFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  PickleDecodeError,
  PickleLimitError,
  UnsafePickleError,
  decodePickle,
  type PickleValue,
} from "../../src/protocol/index.js";
import { cpythonVectors } from "../helpers/pickle-corpus.js";
import { Rng, fuzzInput } from "../helpers/pickle-fuzz-inputs.js";
import {
  PY_TYPED_JSON,
  firstDifference,
  fromTyped,
  type Typed,
} from "../helpers/pickle-typed-json.js";
import { runPythonJson } from "../helpers/python.js";

const SEED = Number(process.env.PICKLE_DIFF_SEED ?? 20_240_611);
const RUNS = Number(process.env.PICKLE_DIFF_RUNS ?? 5_000);

/**
 * CPython's own `pickle.loads` (the C unpickler the OpenHCS server runs) is the reference. It has
 * no hook to refuse globals, so the script first disables imports: a GLOBAL then fails instead of
 * importing, and nothing can be called. Its memory is capped because CPython allocates a declared
 * BINBYTES length, or a memo sized to a LONG_BINPUT index, before checking them.
 */
const PY_LOADS = String.raw`
import builtins, json, pickle, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
sys.setrecursionlimit(20000)
${PY_TYPED_JSON}

class TooBig(Exception): pass

def bounded(value):
    count = [0]
    def walk(v, depth):
        count[0] += 1
        if count[0] > 200000 or depth > 500: raise TooBig()
        if type(v) in (list, tuple, set, frozenset): [walk(x, depth + 1) for x in v]
        if type(v) is dict: [walk(x, depth + 1) for kv in v.items() for x in kv]
    walk(value, 0)

inputs = json.load(sys.stdin)
def no_imports(*args, **kwargs):
    raise ImportError("imports are disabled while loading fuzz inputs")
builtins.__import__ = no_imports

def buffer_opcodes(data):
    # NEXT_BUFFER/READONLY_BUFFER can leave memoryviews of bytearrays that this CPython cannot
    # tear down cleanly under the memory cap ("deallocated bytearray object has exported
    # buffers"). We refuse those opcodes anyway, so inputs holding those bytes are skipped.
    return b"\x97" in data or b"\x98" in data

out = []
for h in inputs:
    if buffer_opcodes(bytes.fromhex(h)):
        out.append({"skip": "buffer opcode"}); continue
    try:
        value = pickle.loads(bytes.fromhex(h))
    except MemoryError:
        out.append({"skip": "CPython ran out of memory"}); continue
    except Exception as e:
        out.append({"error": type(e).__name__}); continue
    try:
        bounded(value)
        out.append({"ok": describe(value)})
    except TooBig:
        out.append({"skip": "too big to compare"})
    except ValueError:
        out.append({"cycle": True})
    except TypeError:
        out.append({"error": "not a plain value"})
json.dump(out, sys.stdout)
`;

type Verdict = { ok: Typed } | { error: string } | { skip: string } | { cycle: true };

/** Where we are deliberately stricter than CPython (documented in decodePickle). */
const DELIBERATELY_STRICTER = /bytes after STOP|inside another container|inside itself/;

const seeds = (await cpythonVectors()).map((v) => v.pickle).filter((p) => p.length <= 4096);
const rng = new Rng(SEED);
const inputs = Array.from({ length: RUNS }, () => fuzzInput(rng, seeds)).filter(
  (i) => i.length <= 8192,
);
const verdicts = await runPythonJson<Verdict[]>(PY_LOADS, {
  input: JSON.stringify(inputs.map((i) => Buffer.from(i).toString("hex"))),
  timeoutMs: Math.max(120_000, RUNS * 10),
});

describe(`agreeing with CPython's unpickler on mutated pickles (seed ${SEED}, ${inputs.length} inputs)`, () => {
  it("decodes what CPython decodes, to the same value, and refuses what CPython refuses", () => {
    const disagreements: string[] = [];
    const tally = { bothDecode: 0, bothRefuse: 0, stricter: 0, skipped: 0 };
    inputs.forEach((input, i) => {
      const verdict = verdicts[i] as Verdict;
      const hex = Buffer.from(input.subarray(0, 160)).toString("hex");
      let ours: PickleValue | undefined;
      let error: unknown;
      try {
        ours = decodePickle(input);
      } catch (caught) {
        error = caught;
        if (!(caught instanceof PickleDecodeError || caught instanceof UnsafePickleError)) {
          disagreements.push(`#${i} threw ${String(caught)}: ${hex}`);
          return;
        }
      }
      if ("skip" in verdict) {
        tally.skipped++;
      } else if ("ok" in verdict) {
        if (error === undefined) {
          const difference = firstDifference(ours, fromTyped(verdict.ok));
          if (difference === undefined) tally.bothDecode++;
          else disagreements.push(`#${i} decodes differently (${difference}): ${hex}`);
        } else if (
          error instanceof PickleLimitError ||
          (error instanceof UnsafePickleError && error.opcode.endsWith("BUFFER")) ||
          DELIBERATELY_STRICTER.test((error as Error).message)
        ) {
          tally.stricter++;
        } else {
          disagreements.push(
            `#${i} CPython decodes, we refuse: ${(error as Error).message}: ${hex}`,
          );
        }
      } else if (error === undefined) {
        const why = "cycle" in verdict ? "a cycle" : verdict.error;
        disagreements.push(`#${i} CPython refuses (${why}), we decode: ${hex}`);
      } else {
        tally.bothRefuse++;
      }
    });
    console.log(`pickle differential: seed ${SEED}, ${JSON.stringify(tally)}`);
    const dump = process.env.PICKLE_DIFF_DUMP; // a file to write the full disagreeing inputs to
    if (dump !== undefined) {
      const indices = disagreements.map((d) => Number(/^#(\d+)/.exec(d)?.[1]));
      writeFileSync(
        dump,
        JSON.stringify(indices.map((k) => Buffer.from(inputs[k] ?? []).toString("hex"))),
      );
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(tally.bothDecode).toBeGreaterThan(100);
  });
});

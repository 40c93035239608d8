import { describe, expect, it } from "vitest";

import {
  PickleDecodeError,
  PickleLimitError,
  UnsafePickleError,
  decodePickleWithStats,
  type PickleDecodeStats,
  type PickleLimits,
} from "../../src/protocol/index.js";
import { cpythonVectors } from "../helpers/pickle-corpus.js";
import { Rng, fuzzInput } from "../helpers/pickle-fuzz-inputs.js";

/** Override with PICKLE_FUZZ_SEED / PICKLE_FUZZ_RUNS to replay or extend a run. */
const SEED = Number(process.env.PICKLE_FUZZ_SEED ?? 0x0c0ffee);
const RUNS = Number(process.env.PICKLE_FUZZ_RUNS ?? 100_000);
/**
 * A decode of these small inputs takes microseconds. Hanging is ruled out deterministically (every
 * opcode consumes input, so opcodes <= bytes read) and by time: CPU time, so that a busy machine
 * does not fail the run, with a wall-clock backstop.
 */
const SLOW_CPU_MS = 250;
const SLOW_WALL_MS = 2_000;

/** Tight limits, so the fuzzer reaches the limit checks too. */
const LIMITS: PickleLimits = {
  maxInputBytes: 1 << 20,
  maxDepth: 48,
  maxDecodedSize: 200_000,
  maxMemoEntries: 2_000,
};

const seeds = (await cpythonVectors()).map((v) => v.pickle).filter((p) => p.length <= 16_384);

type Outcome = "decoded" | "malformed" | "overLimit" | "unsafe";

/** Decode one input; return its outcome, or a failure message. */
function decodeOnce(input: Uint8Array): { outcome?: Outcome; failure?: string } {
  let stats: PickleDecodeStats | undefined;
  let outcome: Outcome = "decoded";
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    decodePickleWithStats(input, LIMITS, (s) => (stats = s));
  } catch (error) {
    if (!(error instanceof PickleDecodeError || error instanceof UnsafePickleError)) {
      return { failure: `threw ${String(error)}` };
    }
    if (error.message.includes("internal decoder failure")) return { failure: error.message };
    outcome =
      error instanceof PickleLimitError
        ? "overLimit"
        : error instanceof UnsafePickleError
          ? "unsafe"
          : "malformed";
  }
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1000;
  if (cpu > SLOW_CPU_MS || wall > SLOW_WALL_MS) {
    return { failure: `took ${cpu.toFixed(0)} ms CPU, ${wall.toFixed(0)} ms` };
  }
  const problem = stats === undefined ? "no stats" : boundsProblem(stats, input.length);
  return problem === undefined ? { outcome } : { failure: problem };
}

describe(`fuzzing the decoder (seed ${SEED}, ${RUNS} inputs)`, () => {
  // ~0.1 ms per input; the timeout scales so that longer replays (PICKLE_FUZZ_RUNS) can run.
  it(
    "never hangs, never throws anything but codec errors, and stays inside its limits",
    { timeout: Math.max(90_000, RUNS) },
    () => {
      console.log(`pickle fuzz: seed ${SEED} (set PICKLE_FUZZ_SEED to replay), ${RUNS} inputs`);
      const rng = new Rng(SEED);
      const failures: string[] = [];
      const outcomes: Record<Outcome, number> = {
        decoded: 0,
        malformed: 0,
        overLimit: 0,
        unsafe: 0,
      };
      const started = performance.now();
      for (let run = 0; run < RUNS && failures.length < 10; run++) {
        const input = fuzzInput(rng, seeds);
        const { outcome, failure } = decodeOnce(input);
        if (outcome !== undefined) outcomes[outcome]++;
        if (failure !== undefined) {
          failures.push(
            `run ${run}: ${failure} on ${Buffer.from(input.subarray(0, 200)).toString("hex")}`,
          );
        }
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(`pickle fuzz: ${JSON.stringify(outcomes)} in ${seconds.toFixed(1)} s`);
      expect(failures).toEqual([]);
      // Every kind of outcome is reached, so the run exercised more than the first opcode.
      expect(Object.values(outcomes).every((n) => n > 0)).toBe(true);
    },
  );
});

/** What the decoder's own accounting says it used, checked against the limits. */
function boundsProblem(stats: PickleDecodeStats, inputLength: number): string | undefined {
  if (stats.allocatedUnits > LIMITS.maxDecodedSize) return `allocated ${stats.allocatedUnits}`;
  if (stats.largestValueSize > LIMITS.maxDecodedSize) return `value size ${stats.largestValueSize}`;
  if (stats.deepestNesting > LIMITS.maxDepth) return `nesting ${stats.deepestNesting}`;
  if (stats.memoEntries > LIMITS.maxMemoEntries) return `memo ${stats.memoEntries}`;
  // Never hangs: every opcode consumed at least one byte.
  if (stats.opcodes > stats.bytesRead)
    return `${stats.opcodes} opcodes from ${stats.bytesRead} bytes`;
  // No amplification: every unit is a payload byte read or a push/insert that some input byte
  // paid for (an item is pushed once, inserted once, and may be moved by one LIST/TUPLE/DICT).
  if (stats.allocatedUnits > 4 * inputLength + 16) {
    return `allocated ${stats.allocatedUnits} units from ${inputLength} bytes`;
  }
  return undefined;
}

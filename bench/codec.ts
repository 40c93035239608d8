/**
 * `npm run bench -- codec`: which wire compression for full-resolution planes. A Python child
 * (bench/python/codec_planes.py) writes demo-like uint16 planes (OpenHCS's synthetic plate, as
 * scripts/demo.sh makes it, and those planes through the demo's `stack_percentile_normalize`)
 * and encodes them with each candidate in numcodecs; here each is decoded by each TypeScript
 * decoder that installs without compiling, checked bit-exact against the raw planes, and timed
 * against a copy of the same raw bytes in the same run.
 *
 * Per candidate × decoder: compression ratio (raw / encoded), decode MB/s (raw bytes per second,
 * best of OHR_BENCH_CODEC_ROUNDS round-robin passes, default 7), and Python's encode MB/s.
 * Knob: OHR_BENCH_CODEC_TILE (tile edge in pixels, default 512; the demo's is 128).
 * Ratio lines, for the decoder `decodePlane` uses (`blosc`: the relay's Blosc zstd clevel 1):
 * `codec_decode_vs_memcpy_ratio` (decode time / copy time) and `codec_compression_ratio`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Blosc from "numcodecs/blosc";
import Zstd from "numcodecs/zstd";
import { decompress as fzstdDecompress } from "fzstd";
import {
  decodeBlosc1,
  decodePlane,
  readBlosc1Header,
  unshuffleBytes,
  type StreamDecompressor,
} from "../src/protocol/index.js";
import { PYTHON, REPO_ROOT } from "../test/helpers/python.js";

const TILE = Number(process.env.OHR_BENCH_CODEC_TILE ?? 512);
const ROUNDS = Number(process.env.OHR_BENCH_CODEC_ROUNDS ?? 7);
/** The relay's encoding, what `decodePlane("blosc", …)` reads. */
const CHOSEN = "blosc-zstd1";
const CHOSEN_DECODER = "decodePlane: TS Blosc1 + wasm zstd";
/** A 100 Mbit/s link in MB/s: what decoding must beat by far. */
const LINK_MB_PER_S = 100 / 8;

interface Encoded {
  readonly sizes: readonly number[];
  readonly encode_s: number;
}

interface PythonSummary {
  readonly planes: readonly { shape: number[]; nbytes: number }[];
  readonly candidates: Readonly<Record<string, Encoded>>;
}

type Decoder = (encoded: Uint8Array, nbytes: number) => Promise<Uint8Array> | Uint8Array;

/** The same Blosc1 reader with pure-JS fzstd for the frames (unchecked sizes: bench only). */
const fzstdFrames: StreamDecompressor = (source, target) => {
  target.set(fzstdDecompress(source));
};
const bloscFzstd: Decoder = (encoded) =>
  decodeBlosc1(encoded, readBlosc1Header(encoded), fzstdFrames);

/** Plain zstd of a byte-shuffled uint16 plane, then the TypeScript un-shuffle. */
const unshuffled =
  (zstd: (source: Uint8Array) => Promise<Uint8Array> | Uint8Array): Decoder =>
  async (encoded, nbytes) => {
    const shuffled = await zstd(encoded);
    const out = new Uint8Array(nbytes);
    unshuffleBytes(shuffled, out, 2);
    return out;
  };

/** numcodecs.js's codecs as they behave (its .d.ts do not resolve under NodeNext). */
interface WasmCodec {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}
const wasmCodec = (codec: unknown): WasmCodec => new (codec as new () => WasmCodec)();

async function decoders(): Promise<Record<string, Record<string, Decoder>>> {
  const blosc = wasmCodec(Blosc);
  const zstd = wasmCodec(Zstd);
  const numcodecsBlosc: Decoder = (encoded) => blosc.decode(encoded);
  await blosc.decode(await blosc.encode(new Uint8Array(1024))); // load the WASM before timing
  await zstd.decode(await zstd.encode(new Uint8Array(1024)));
  const ours: Decoder = (encoded, nbytes) => decodePlane("blosc", encoded, { nbytes });
  return {
    "blosc-zstd1": {
      [CHOSEN_DECODER]: ours,
      "numcodecs Blosc (wasm, unchecked)": numcodecsBlosc,
      "TS Blosc1 + fzstd (pure JS)": bloscFzstd,
    },
    "blosc-zstd3": {
      [CHOSEN_DECODER]: ours,
      "numcodecs Blosc (wasm, unchecked)": numcodecsBlosc,
      "TS Blosc1 + fzstd (pure JS)": bloscFzstd,
    },
    "blosc-lz4": { "numcodecs Blosc (wasm, unchecked)": numcodecsBlosc },
    "shuffle+zstd1": {
      "numcodecs Zstd (wasm) + TS unshuffle": unshuffled((source) => zstd.decode(source)),
      "fzstd + TS unshuffle": unshuffled((source) => fzstdDecompress(source)),
    },
  };
}

/** Run the Python child to completion; it is killed if this process gives up first. */
async function encodeInPython(outDir: string): Promise<PythonSummary> {
  const script = join(REPO_ROOT, "bench", "python", "codec_planes.py");
  const child = spawn(PYTHON, [script, outDir, String(TILE)], {
    cwd: join(REPO_ROOT, "jupyterlab_ext"),
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    let summary: PythonSummary | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith("{")) summary = JSON.parse(line) as PythonSummary;
    }
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on("exit", resolve);
    });
    if (code !== 0 || summary === undefined) throw new Error(`codec_planes.py exited ${code}`);
    return summary;
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function split(blob: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(blob.subarray(at, at + size));
    at += size;
  }
  return parts;
}

/** One candidate × decoder: a pass decodes every plane; `best` is its fastest, in seconds. */
interface Trial {
  readonly candidate: string;
  readonly decoder: string;
  readonly ratio: number;
  readonly encodeS: number;
  readonly pass: () => Promise<void>;
  best: number;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.compare(a, b) === 0;

/** What one run measured: the copy baseline and every candidate × decoder. */
export interface CodecFigures {
  readonly planes: number;
  readonly shape: readonly number[];
  readonly rawBytes: number;
  readonly copySeconds: number;
  readonly trials: readonly Trial[];
}

/**
 * Encode demo planes in Python, check every decoder bit-exact, then time them round-robin (best
 * of ROUNDS: the machine is shared, so each trial gets its quiet moment). `only`: just the
 * relay's encoding with `decodePlane` (what `bench -- stream` prints).
 */
export async function measureCodecs(only?: "chosen"): Promise<CodecFigures> {
  const outDir = mkdtempSync(join(tmpdir(), "ohr-bench-codec-"));
  try {
    process.stderr.write(`writing and encoding demo planes (tile ${TILE}) in Python …\n`);
    const summary = await encodeInPython(outDir);
    const rawSizes = summary.planes.map((plane) => plane.nbytes);
    const rawBytes = rawSizes.reduce((a, b) => a + b, 0);
    const raw = split(readFileSync(join(outDir, "raw.bin")), rawSizes);
    const trials: Trial[] = [];
    for (const [candidate, byDecoder] of Object.entries(await decoders())) {
      const encodedInfo = summary.candidates[candidate];
      if (encodedInfo === undefined) throw new Error(`Python wrote no ${candidate}`);
      const encoded = split(readFileSync(join(outDir, `${candidate}.bin`)), encodedInfo.sizes);
      const ratio = rawBytes / encodedInfo.sizes.reduce((a, b) => a + b, 0);
      for (const [decoder, decode] of Object.entries(byDecoder)) {
        if (only === "chosen" && (candidate !== CHOSEN || decoder !== CHOSEN_DECODER)) continue;
        for (let index = 0; index < raw.length; index += 1) {
          const decoded = await decode(encoded[index]!, rawSizes[index]!);
          if (!equalBytes(decoded, raw[index]!)) {
            throw new Error(`${decoder} decoded plane ${index} of ${candidate} wrongly`);
          }
        }
        const pass = async (): Promise<void> => {
          for (let index = 0; index < raw.length; index += 1) {
            await decode(encoded[index]!, rawSizes[index]!);
          }
        };
        const encodeS = encodedInfo.encode_s;
        trials.push({ candidate, decoder, ratio, encodeS, pass, best: Infinity });
      }
    }
    const copyPass = (): Promise<void> => {
      for (const plane of raw) Buffer.from(plane); // a copy of the same raw bytes
      return Promise.resolve();
    };
    const copy: Trial = {
      candidate: "",
      decoder: "",
      ratio: 1,
      encodeS: 0,
      pass: copyPass,
      best: Infinity,
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const trial of [copy, ...trials]) {
        const started = performance.now();
        await trial.pass();
        trial.best = Math.min(trial.best, (performance.now() - started) / 1000);
      }
    }
    const shape = summary.planes[0]?.shape ?? [];
    return { planes: raw.length, shape, rawBytes, copySeconds: copy.best, trials };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The two ratio lines of the relay's encoding, decoded by `decodePlane`. */
export function chosenCodecLines(figures: CodecFigures): string[] {
  const chosen = figures.trials.find(
    (trial) => trial.candidate === CHOSEN && trial.decoder === CHOSEN_DECODER,
  );
  if (chosen === undefined) throw new Error("decodePlane was not measured");
  return [
    `codec_decode_vs_memcpy_ratio ${(chosen.best / figures.copySeconds).toFixed(3)}`,
    `codec_compression_ratio ${chosen.ratio.toFixed(3)}`,
  ];
}

/** `a 100 Mbit/s link` in the header line, and each figure in MB/s of raw bytes. */
function describe(figures: CodecFigures): string[] {
  const mb = (seconds: number): string => (figures.rawBytes / seconds / 1e6).toFixed(0).padStart(6);
  const [height, width] = figures.shape;
  return [
    `${figures.planes} uint16 planes of ${height}×${width} (${(figures.rawBytes / 1e6).toFixed(1)} MB); ` +
      `decode: best of ${ROUNDS} passes, bit-exact checked; a 100 Mbit/s link is ${LINK_MB_PER_S} MB/s`,
    `${"Buffer copy (baseline)".padEnd(52)} ${mb(figures.copySeconds)} MB/s`,
    `${"candidate".padEnd(14)} ${"decoder".padEnd(37)} ${"decode".padStart(11)}  ` +
      `${"ratio".padStart(5)}  ${"py encode".padStart(14)}`,
    ...figures.trials.map(
      (trial) =>
        `${trial.candidate.padEnd(14)} ${trial.decoder.padEnd(37)} ${mb(trial.best)} MB/s  ` +
        `${trial.ratio.toFixed(3)}  ${mb(trial.encodeS)} MB/s`,
    ),
  ];
}

export async function benchCodec(): Promise<void> {
  const figures = await measureCodecs();
  for (const line of [...describe(figures), ...chosenCodecLines(figures)]) console.log(line);
}

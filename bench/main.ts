/**
 * `npm run bench -- <name>`: benchmarks that print each figure next to a baseline measured in
 * the same run, and a ratio on the last line. Machines here are shared and noisy: only ratios
 * mean anything.
 */
// Loaded on demand: each benchmark's process holds only its own modules (a bigger heap makes
// V8's collections dearer, which some benchmarks would then measure).
const BENCHMARKS: Record<string, () => Promise<void>> = {
  codec: async () => (await import("./codec.js")).benchCodec(),
  control: async () => (await import("./control.js")).benchControl(),
  link: async () => (await import("./link.js")).benchLink(),
  stream: async () => (await import("./stream.js")).benchStream(),
  store: async () => (await import("./result-store.js")).benchResultStore(),
  measurements: async () => (await import("./measurements.js")).benchMeasurements(),
  planes: async () => (await import("./planes.js")).benchPlanes(),
  widget: async () => (await import("./widget.js")).benchWidget(),
  scale: async () => (await import("./scale.js")).benchScale(),
};

const name = process.argv[2];
const bench = name === undefined ? undefined : BENCHMARKS[name];
if (bench === undefined || name === "--help" || name === "-h") {
  console.log(`Usage: npm run bench -- <${Object.keys(BENCHMARKS).join("|")}>`);
  process.exitCode = name === "--help" || name === "-h" ? 0 : 2;
} else {
  await bench();
}

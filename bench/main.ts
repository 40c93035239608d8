/**
 * `npm run bench -- <name>`: benchmarks that print each figure next to a baseline measured in
 * the same run, and a ratio on the last line. Machines here are shared and noisy: only ratios
 * mean anything.
 */
import { benchCodec } from "./codec.js";
import { benchControl } from "./control.js";
import { benchLink } from "./link.js";
import { benchMeasurements } from "./measurements.js";
import { benchPlanes } from "./planes.js";
import { benchResultStore } from "./result-store.js";
import { benchStream } from "./stream.js";

const BENCHMARKS: Record<string, () => Promise<void>> = {
  codec: benchCodec,
  control: benchControl,
  link: benchLink,
  stream: benchStream,
  store: benchResultStore,
  measurements: benchMeasurements,
  planes: benchPlanes,
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

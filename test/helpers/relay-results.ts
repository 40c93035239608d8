/**
 * Helpers for tests that receive results through the real relay: the relay's options from the
 * `ready` event, what OpenHCS wrote to disk (read with the project's Python and tifffile), and
 * fingerprints of pixel bytes.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RelayOptions, ResultItem } from "../../src/orchestrator/index.js";
import { writeSyntheticPlate } from "./openhcs-server.js";
import { runPythonJson } from "./python.js";

/** The `relay` object of `openhcs-remote-server`'s `ready` (or `relay_restarted`) event. */
export interface ReadyRelay {
  readonly stream_host: string;
  readonly stream_port: number;
  readonly viewer_port: number;
  readonly incarnation: string;
  readonly spool_id: string;
  readonly curve_public_key: string | null;
  readonly pid: number;
}

/** RemoteOrchestrator's `relay` option for a relay described by a ready event. */
export function relayOptions(relay: unknown): RelayOptions {
  const ready = relay as ReadyRelay;
  return {
    host: ready.stream_host,
    port: ready.stream_port,
    viewerPort: ready.viewer_port,
    curvePublicKey: ready.curve_public_key,
  };
}

/** sha256 of bytes, hex. */
export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** An image file as OpenHCS wrote it: dtype, shape and the sha256 of its pixels (LE, C order). */
export interface DiskImage {
  readonly dtype: string;
  readonly shape: number[];
  readonly sha256: string;
}

/** Read TIFFs with tifffile; keyed by path. */
export async function readDiskImages(paths: readonly string[]): Promise<Record<string, DiskImage>> {
  return runPythonJson<Record<string, DiskImage>>(
    `
import hashlib, json, sys
import numpy as np, tifffile
out = {}
for path in json.load(sys.stdin):
    array = tifffile.imread(path)
    little = np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<"), copy=False))
    out[path] = {"dtype": str(array.dtype), "shape": list(array.shape),
                 "sha256": hashlib.sha256(little.tobytes()).hexdigest()}
print(json.dumps(out))
`,
    { input: JSON.stringify(paths) },
  );
}

/** `A01_s002_w1_z001_t001.tif` → its coordinates, as OpenHCS's ImageXpress names say. */
export function coordinatesFromName(path: string): {
  well: string;
  site: number;
  channel: number;
  z: number;
  timepoint: number;
} {
  const match = /([A-P]\d\d)_s(\d+)_w(\d+)_z(\d+)_t(\d+)\.tif$/.exec(path);
  if (match === null) throw new Error(`not an ImageXpress image name: ${path}`);
  const [, well, site, channel, z, timepoint] = match;
  return {
    well: well!,
    site: Number(site),
    channel: Number(channel),
    z: Number(z),
    timepoint: Number(timepoint),
  };
}

/** One-line label of an item, for failure messages. */
export function label(item: ResultItem): string {
  return `#${item.seq} ${item.step ?? "?"} ${item.well} s${item.site} c${item.channel} z${item.z}`;
}

/** One OpenHCS step: percentile normalisation, nothing else (every output is a file on disk). */
export const PIPELINE_NORMALIZE = `from openhcs.core.steps.function_step import FunctionStep
from openhcs.core.config import PipelineConfig
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
pipeline_config = PipelineConfig()
pipeline_steps = [FunctionStep(func=(stack_percentile_normalize, {'low_percentile': 1.0, 'high_percentile': 99.0}), name='normalize')]
`;

/**
 * A plate of its own for a test file (3 wells × 2 sites × 2 channels × 2 z-planes, 64 px), so
 * that its runs' outputs (OpenHCS adds to `<plate>_openhcs/` and never clears it) do not mix
 * with other files' runs on the shared plates.
 */
export function ownPlate(workDir: string, name: string): Promise<string> {
  return writeSyntheticPlate(join(workDir, name), { wells: ["A01", "A02", "B01"], zPlanes: 2 });
}

/**
 * A run's ROIs from OpenHCS's ROI zips: each `.roi` entry decoded ({@link decodeImagejRoi}), placed
 * on the plane its file names (well, site, channel, z, timepoint, step), with what polystore wrote
 * of the object beside it (`__polystore_roi_metadata__.json`: label, area, centroid, bbox).
 * The same records as the shim's `run.rois()`.
 */
import { unzipSync } from "fflate";
import { decodeImagejRoi, ImagejRoiError, type ImagejRoiType } from "./imagej-roi.js";
import type { RunOutputFile } from "./run-outputs.js";

/** polystore's side file in an ROI zip. */
export const POLYSTORE_ROI_METADATA = "__polystore_roi_metadata__.json";
/** What one zip may inflate to: a zip bomb gets a named error, not the heap. */
export const MAX_ROI_ZIP_INFLATED_BYTES = 512 * 1024 * 1024;

/** One region of interest on its plane. */
export interface RunRoi {
  readonly well: string | null;
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
  readonly step: string | null;
  readonly stepIndex: number | null;
  readonly name: string | null;
  readonly type: ImagejRoiType;
  /** Vertices as `[y, x]` pixel rows of the full-resolution plane. */
  readonly polygon: readonly (readonly [number, number])[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Decode one ROI zip of the run; a broken one gets {@link ImagejRoiError} naming its path. */
export function readRoiZip(
  file: RunOutputFile,
  data: Uint8Array,
  stepNames: ReadonlyMap<number, string>,
  maxInflatedBytes = MAX_ROI_ZIP_INFLATED_BYTES,
): RunRoi[] {
  let inflated = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(data, {
      filter: (entry) => {
        inflated += entry.originalSize;
        if (inflated > maxInflatedBytes) {
          throw new ImagejRoiError(file.path, `inflates past ${maxInflatedBytes} bytes: refused`);
        }
        return entry.name.toLowerCase().endsWith(".roi") || entry.name === POLYSTORE_ROI_METADATA;
      },
    });
  } catch (error) {
    if (error instanceof ImagejRoiError) throw error;
    throw new ImagejRoiError(file.path, `not a zip: ${String(error)}`);
  }
  const side = entries[POLYSTORE_ROI_METADATA];
  let metadata: Record<string, unknown> = {};
  if (side !== undefined) {
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(side));
      if (typeof parsed === "object" && parsed !== null) {
        metadata = parsed as Record<string, unknown>;
      }
    } catch {
      metadata = {}; // the outlines are what matters; the side file is a bonus
    }
  }
  const step = file.stepIndex === null ? null : (stepNames.get(file.stepIndex) ?? null);
  return Object.entries(entries)
    .filter(([name]) => name !== POLYSTORE_ROI_METADATA)
    .map(([name, bytes]) => {
      const roi = decodeImagejRoi(bytes, `${file.path}:${name}`);
      const extra = metadata[name];
      return {
        well: file.well,
        ...file.plane,
        step,
        stepIndex: file.stepIndex,
        name: roi.name,
        type: roi.type,
        polygon: roi.polygon,
        metadata:
          typeof extra === "object" && extra !== null ? (extra as Record<string, unknown>) : {},
      };
    });
}

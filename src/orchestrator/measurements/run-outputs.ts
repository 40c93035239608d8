/**
 * What a run's files are, from their names. OpenHCS 0.8.6 names a step's materialised outputs
 * `<well>_<plane>_<output key>_step<N>_<suffix>` in the results folder of its output plate
 * (docs/openhcs-measurements.md): `A01_channel-1_z_index-1_timepoint-1_cell_counts_step2_details.csv`,
 * `A01_s001_w1_z001_t001_segmentation_masks_step2_rois.roi.zip`. Files without a well
 * (`metaxpress_style_summary.csv`) are plate-wide tables.
 */
import type { RunFileEntry } from "../../protocol/index.js";

/** The kinds of run output, by file-name ending (longest first). */
export const RUN_OUTPUT_SUFFIXES = [
  [".roi.zip", "rois"],
  [".csv", "table"],
  [".json", "json"],
  [".txt", "text"],
] as const;
export type RunOutputKind = (typeof RUN_OUTPUT_SUFFIXES)[number][1];

/** OpenHCS's own bookkeeping in the output plate: not a measurement. */
const NOT_OUTPUTS = new Set(["openhcs_metadata.json"]);

/** Plane coordinates a file name carries (1-based, as OpenHCS's components). */
export interface RunOutputPlane {
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
}

/** One output file of a run, named for what it holds. */
export interface RunOutputFile extends RunFileEntry {
  readonly kind: RunOutputKind;
  /** `cell_counts`, `segmentation_masks_rois`, `metaxpress_style_summary`, … */
  readonly table: string;
  /** `null` for a plate-wide file. */
  readonly well: string | null;
  /** The step's 0-based pipeline position (`step<N>` in the name), when named. */
  readonly stepIndex: number | null;
  readonly plane: RunOutputPlane;
}

const PER_WELL =
  /^(?<well>[A-Za-z]{1,2}\d{1,3})_(?<rest>.+)_step(?<step>\d{1,4})_(?<what>[A-Za-z0-9_.-]+)$/;
/** Plane tokens at the start of the rest: `channel-1_z_index-1_` (named components) … */
const NAMED_TOKEN = /^([a-z][a-z_]*?)-(\d+)_/;
/** … or ImageXpress-style `s001_w1_z001_t001_`. */
const LETTER_TOKEN = /^([swzt])(\d+)_/;
const AXES: Readonly<Record<string, keyof RunOutputPlane>> = {
  site: "site",
  channel: "channel",
  z_index: "z",
  timepoint: "timepoint",
  s: "site",
  w: "channel",
  z: "z",
  t: "timepoint",
};

function kindOf(name: string): readonly [string, RunOutputKind] | null {
  for (const [suffix, kind] of RUN_OUTPUT_SUFFIXES) {
    if (name.toLowerCase().endsWith(suffix)) return [name.slice(0, -suffix.length), kind];
  }
  return null;
}

/** Take the plane tokens off the front of `rest`; what is left is the output key. */
function splitPlane(rest: string): { plane: RunOutputPlane; key: string } {
  const plane: Record<keyof RunOutputPlane, number | null> = {
    site: null,
    channel: null,
    z: null,
    timepoint: null,
  };
  const token = NAMED_TOKEN.test(rest) ? NAMED_TOKEN : LETTER_TOKEN;
  let left = `${rest}_`;
  for (let match = token.exec(left); match !== null; match = token.exec(left)) {
    const field = AXES[match[1] ?? ""];
    if (field === undefined) break; // not a plane component: the output key starts here
    plane[field] = Number(match[2]);
    left = left.slice(match[0].length);
  }
  return { plane, key: left.slice(0, -1) };
}

/** Name a listed file, or `null` when it is not a run output (images, OpenHCS's metadata). */
export function classifyRunFile(entry: RunFileEntry): RunOutputFile | null {
  const name = entry.path.split("/").at(-1) ?? entry.path;
  if (NOT_OUTPUTS.has(name)) return null;
  const kinded = kindOf(name);
  if (kinded === null) return null;
  const [stem, kind] = kinded;
  const match = PER_WELL.exec(stem);
  if (match?.groups === undefined) {
    const none = { site: null, channel: null, z: null, timepoint: null };
    return { ...entry, kind, table: stem, well: null, stepIndex: null, plane: none };
  }
  const { well = "", rest = "", step = "0", what = "" } = match.groups;
  const { plane, key } = splitPlane(rest);
  // `_details.csv` is OpenHCS's default table suffix: the output key alone names the table.
  const table = what === "details" ? key : `${key}_${what}`;
  return { ...entry, kind, table, well: well.toUpperCase(), stepIndex: Number(step), plane };
}

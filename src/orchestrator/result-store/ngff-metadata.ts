/**
 * The OME-NGFF 0.5 attributes of each group of a high-content-screening plate
 * (https://ngff.openmicroscopy.org/0.5/): plate → well → image (multiscales + omero). In 0.5
 * they live under the `ome` key of the group's `zarr.json` attributes.
 */
import { SINGLE_CHANNEL_COLOR, channelColor } from "../../protocol/index.js";

/** NGFF version written; 0.5 is the Zarr v3 flavour (see docs/result-store.md). */
export const NGFF_VERSION = "0.5";

/** Array axes, in order: the array of every image is (t, c, z, y, x). */
export const AXES = [
  { name: "t", type: "time" },
  { name: "c", type: "channel" },
  { name: "z", type: "space" },
  { name: "y", type: "space" },
  { name: "x", type: "space" },
] as const;

/** Name of the single resolution level inside each image group. */
export const LEVEL_PATH = "0";

/** What an image's omero block says about one channel. */
export interface ChannelDisplay {
  readonly label: string;
  /** Range of values present so far, for the initial contrast window. */
  readonly start: number;
  readonly end: number;
  /** Range the dtype can hold (or the values seen, for floats). */
  readonly min: number;
  readonly max: number;
}

/** Attributes of an image group: one multiscale of one level, and omero channel display. */
export function imageAttributes(
  name: string,
  channels: readonly ChannelDisplay[],
  sizeZ: number,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    ome: {
      version: NGFF_VERSION,
      multiscales: [
        {
          name,
          axes: AXES,
          datasets: [
            {
              path: LEVEL_PATH,
              coordinateTransformations: [{ type: "scale", scale: AXES.map(() => 1) }],
            },
          ],
        },
      ],
      omero: {
        name,
        channels: channels.map((channel, index) => ({
          label: channel.label,
          color: (channels.length === 1 ? SINGLE_CHANNEL_COLOR : channelColor(index)).slice(1),
          active: true,
          coefficient: 1,
          family: "linear",
          inverted: false,
          window: { min: channel.min, max: channel.max, start: channel.start, end: channel.end },
        })),
        rdefs: { defaultT: 0, defaultZ: Math.floor(sizeZ / 2), model: "color" },
      },
    },
    ...extra,
  };
}

/** Attributes of a well group: its fields of view, by path. */
export function wellAttributes(fieldPaths: readonly string[]): Record<string, unknown> {
  return {
    ome: { version: NGFF_VERSION, well: { images: fieldPaths.map((path) => ({ path })) } },
  };
}

/** One well of a plate, at its grid indices. */
export interface PlateWell {
  readonly path: string;
  readonly rowIndex: number;
  readonly columnIndex: number;
}

/** Attributes of the plate group. */
export function plateAttributes(
  name: string,
  rows: readonly string[],
  columns: readonly string[],
  wells: readonly PlateWell[],
  fieldCount: number,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    ome: {
      version: NGFF_VERSION,
      plate: {
        // Redundant with ome.version in 0.5, but ome-zarr-py writes it and ome-zarr-models
        // warns without it (ome-zarr-models-py issue 218).
        version: NGFF_VERSION,
        name,
        rows: rows.map((row) => ({ name: row })),
        columns: columns.map((column) => ({ name: column })),
        wells: wells.map((w) => ({
          path: w.path,
          rowIndex: w.rowIndex,
          columnIndex: w.columnIndex,
        })),
        field_count: fieldCount,
      },
    },
    ...extra,
  };
}

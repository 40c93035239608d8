/**
 * The options and query types of {@link ResultStore}, and what the options become in the
 * store's manifest.
 */
import type { Dtype } from "../../protocol/index.js";
import type { PlateLayout } from "./plate-layout.js";
import type { Compression } from "./zarr-writer.js";

/** Options of `ResultStore.create`. Kept in the store, so reopening reuses them. */
export interface ResultStoreOptions {
  /** Plate name in the metadata (each step's plate is `<plateName> · <step>`); default: dir name. */
  readonly plateName?: string;
  /** Channel display names by 1-based channel: `["DAPI", "GFP"]` or `{ 1: "DAPI" }`. They win
   *  over the names OpenHCS streams. */
  readonly channelNames?: readonly string[] | Readonly<Record<number | string, string>>;
  /** Fixed plate format (e.g. `96`, or `{ rows: 8, columns: 12 }`); default: the wells seen. */
  readonly plateLayout?: PlateLayout;
  /** Chunk compression; default `"none"`. */
  readonly compression?: Compression;
  /** Plane writes in flight at once; each holds one plane copy. Default 4. */
  readonly maxConcurrentWrites?: number;
}

/** Which plane `ResultStore.readPlane` reads: OpenHCS's 1-based values, as in ResultImage. */
export interface PlaneQuery {
  /** Step name; may be left out when the store holds one step. */
  readonly step?: string | null;
  readonly well: string;
  readonly site?: number | null;
  readonly channel?: number | null;
  readonly z?: number | null;
  readonly timepoint?: number | null;
}

/** One plane read back: little-endian, C-order bytes of `shape`. */
export interface StoredPlane {
  readonly shape: readonly [number, number];
  readonly dtype: Dtype;
  readonly data: Uint8Array;
}

/** Channel names from the options, keyed by 1-based channel as strings (`{"1": "DAPI"}`). */
export function channelNameRecord(
  names: ResultStoreOptions["channelNames"],
): Record<string, string> {
  if (names === undefined) return {};
  if (Array.isArray(names)) {
    return Object.fromEntries((names as readonly string[]).map((name, i) => [String(i + 1), name]));
  }
  return Object.fromEntries(Object.entries(names as Record<string, string>));
}

/**
 * `result-store.json`: marks a directory as a result store and keeps the options it was created
 * with, so that reopening it (to add a later run, or to read) writes the same plates.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PlateLayout } from "./plate-layout.js";
import { ResultStoreStateError } from "./result-store-errors.js";
import type { Compression } from "./zarr-writer.js";

/** Manifest file name inside the store directory. */
export const MANIFEST_FILE = "result-store.json";

const FORMAT = "openhcs-remote-result-store";

/** Options of a store that outlive the process. */
export interface StoreSettings {
  readonly plateName: string;
  readonly plateLayout: PlateLayout | null;
  readonly compression: Compression;
  /** Display names by 1-based channel value, as strings (`{"1": "DAPI"}`). */
  readonly channelNames: Readonly<Record<string, string>>;
}

/** The settings of an existing store, or `null` when `dir` holds none. */
export async function readManifest(dir: string): Promise<StoreSettings | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ResultStoreStateError(dir, `${MANIFEST_FILE} is not JSON`, { cause: error });
  }
  const doc = parsed as Partial<Record<string, unknown>> | null;
  if (doc?.format !== FORMAT) {
    throw new ResultStoreStateError(dir, `${MANIFEST_FILE} is not an ${FORMAT} manifest`);
  }
  return {
    plateName: typeof doc.plate_name === "string" ? doc.plate_name : "plate",
    plateLayout: (doc.plate_layout ?? null) as PlateLayout | null,
    compression: doc.compression === "zstd" ? "zstd" : "none",
    channelNames: (doc.channel_names ?? {}) as Record<string, string>,
  };
}

/** Write the manifest. */
export async function writeManifest(dir: string, settings: StoreSettings): Promise<void> {
  const doc = {
    format: FORMAT,
    version: 1,
    plate_name: settings.plateName,
    plate_layout: settings.plateLayout,
    compression: settings.compression,
    channel_names: settings.channelNames,
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * The store's index on disk: `results.jsonl`, one JSON object a line, appended after each plane
 * (or shape set) is on disk. A later line for the same place replaces an earlier one. Reopening
 * a store replays it; it is also how a script finds what a directory holds without Zarr.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import type { Dtype } from "../../protocol/index.js";

/** Index file name inside the store directory. */
export const JOURNAL_FILE = "results.jsonl";

/** Where an entry sits: its plate (one per step), image (field of view) and array indices. */
export interface StoredPlace {
  /** Pipeline step name (`"result"` when OpenHCS did not say) and position. */
  readonly step: string;
  readonly stepIndex: number | null;
  /** Plate directory inside the store, e.g. `normalize.ome.zarr`. */
  readonly plate: string;
  /** Image group inside the plate: `row/column/field`, e.g. `A/1/0`. */
  readonly image: string;
  /** Canonical well id, e.g. `A01`. */
  readonly well: string;
  /** 1-based OpenHCS component values as received (`null`: not carried). */
  readonly site: number | null;
  readonly channel: number | null;
  readonly z: number | null;
  readonly timepoint: number | null;
  /** 0-based indices in the image's (t, c, z, y, x) array. */
  readonly t: number;
  readonly c: number;
  readonly zIndex: number;
  /** Provenance: the run, the relay's seq and the server-side path of the item. */
  readonly executionId: string;
  readonly seq: number;
  readonly sourcePath: string;
}

/** One stored plane. */
export interface StoredImage extends StoredPlace {
  readonly kind: "image";
  /** `[y, x]`. */
  readonly shape: readonly [number, number];
  readonly dtype: Dtype;
  readonly channelName: string | null;
  /** Finite value range of the plane (`null` for dtypes we do not scan). */
  readonly min: number | null;
  readonly max: number | null;
}

/** One stored set of ROI shapes; `group` is its Zarr group, relative to the store. */
export interface StoredShapes extends StoredPlace {
  readonly kind: "shapes";
  readonly group: string;
  readonly count: number;
}

/** An index entry. */
export type StoredEntry = StoredImage | StoredShapes;

/** Identity of an entry: a later entry with the same key replaces the earlier one. */
export function entryKey(entry: StoredEntry): string {
  return `${entry.kind}|${entry.plate}|${entry.image}|${entry.t}|${entry.c}|${entry.zIndex}`;
}

/**
 * Read every entry of a journal, in order; a torn last line (a crash mid-append) is skipped.
 * `torn` says the file does not end with a newline, so the next append must start a new line.
 */
export async function readJournal(
  file: string,
): Promise<{ entries: StoredEntry[]; torn: boolean }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], torn: false };
    throw error;
  }
  const entries: StoredEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      entries.push(JSON.parse(line) as StoredEntry);
    } catch {
      // A torn line: the tail of an append that a crash cut short.
    }
  }
  return { entries, torn: text.length > 0 && !text.endsWith("\n") };
}

/** Appends entries, one write at a time, in call order. */
export class JournalWriter {
  private tail: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  /** Open for appending; `torn`: first end the torn last line left by a crash. */
  static async open(file: string, torn = false): Promise<JournalWriter> {
    const handle = await open(file, "a");
    if (torn) await handle.appendFile("\n", "utf8");
    return new JournalWriter(handle);
  }

  /** Append entries; resolves when they are written. */
  append(entries: readonly StoredEntry[]): Promise<void> {
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join("");
    const write = this.tail.then(async () => {
      await this.handle.appendFile(text, "utf8");
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Wait for pending appends, flush to disk, close. */
  async close(): Promise<void> {
    await this.tail;
    await this.handle.sync();
    await this.handle.close();
  }
}

/**
 * `run --out DIR`: keep the run's result images (and ROI shapes) in a local result store,
 * OME-Zarr plates one per pipeline step (docs/result-store.md), as they stream in from the relay.
 * An item the store refuses is reported and skipped; the run and the other items go on.
 */
import {
  type ResultItem,
  ResultConflictError,
  ResultInputError,
  ResultStore,
  type RemoteOrchestrator,
} from "../orchestrator/index.js";
import { emitJson, UsageError } from "./cli-support.js";

/** Help line of the option. */
export const OUT_OPTION_HELP =
  "  --out DIR              save the result images in DIR as OME-Zarr plates, one per step,\n" +
  "                         and the run's tables (DIR/measurements) and ROI zips (DIR/rois)\n" +
  "                         (needs the relay; DIR is created, or added to)";

/** What `--out` wrote in this run, for the closing line. */
export interface ResultOutputSummary {
  readonly dir: string;
  /** Image items and shape sets stored, and items refused, in this run. */
  readonly images: number;
  readonly shapes: number;
  readonly refused: number;
  /** Plate directories of the store (this run's and earlier ones'). */
  readonly plates: readonly string[];
}

/** The store behind `--out`, and the `onImage` hook that feeds it. */
export interface ResultOutput {
  /** Store one item; awaited by the stream, so a slow disk slows the stream, not memory. */
  readonly onImage: (item: ResultItem) => Promise<void>;
  /** Write the final metadata; return what was saved. */
  close(): Promise<ResultOutputSummary>;
  /** {@link close}, then say what was saved: a JSON `results_saved` event or a line on stderr. */
  finish(json: boolean): Promise<void>;
}

/**
 * Open (or create) the store for `--out DIR`. `report` gets one line per refused item.
 * Throws {@link UsageError} when the orchestrator has no relay to stream results from.
 */
export async function openResultOutput(
  dir: string,
  orch: Pick<RemoteOrchestrator, "relay">,
  report: (message: string) => void,
): Promise<ResultOutput> {
  if (orch.relay === null) {
    throw new UsageError("--out needs the relay the results stream from (--relay HOST:PORT)");
  }
  const store = await ResultStore.create(dir);
  const counts = { images: 0, shapes: 0, refused: 0 };
  const close = async (): Promise<ResultOutputSummary> => {
    await store.close();
    const plates = [...new Set(store.listImages().map((e) => e.plate))];
    return { dir: store.dir, ...counts, plates };
  };
  return {
    async onImage(item) {
      try {
        await store.put(item);
        counts[item.kind === "image" ? "images" : "shapes"]++;
      } catch (error) {
        // A malformed or contradictory item loses only itself; a disk error stops the run.
        if (!(error instanceof ResultInputError || error instanceof ResultConflictError))
          throw error;
        counts.refused++;
        report(error.message);
      }
    },
    close,
    async finish(json) {
      const saved = await close();
      if (json) {
        emitJson({ event: "results_saved", ...saved });
      } else {
        process.stderr.write(
          `openhcs-remote: saved ${saved.images} images and ${saved.shapes} ROI sets to ` +
            `${saved.dir} (OME-Zarr: ${saved.plates.join(", ") || "no plates"})` +
            (saved.refused > 0 ? `; ${saved.refused} items refused` : "") +
            "\n",
        );
      }
    },
  };
}

/**
 * `ResultStore`: keeps the results of runs on the local disk as OME-Zarr (NGFF 0.5, Zarr v3)
 * high-content-screening plates, one plate per pipeline step, written as the images arrive.
 * Layout and reasons: docs/result-store.md.
 *
 * @example
 * const store = await ResultStore.create("results/", { plateName: "screen-7" });
 * for await (const item of orch.results(executionId, { signal })) await store.put(item);
 * await store.close();
 * const plane = await store.readPlane({ step: "normalize", well: "A01", site: 1, channel: 2 });
 */
import { mkdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { ResultItem, ResultShapes } from "../result-image.js";
import { checkComponents, imagePlanes, type StackedResultImage } from "./image-planes.js";
import { flushStale } from "./metadata-flush.js";
import { planeRange } from "./pixel-types.js";
import { indicesOf, PlateRegistry } from "./plate-registry.js";
import type { ImageState, PlateState } from "./plate-state.js";
import {
  entryKey,
  JOURNAL_FILE,
  JournalWriter,
  readJournal,
  type StoredEntry,
  type StoredImage,
  type StoredShapes,
} from "./result-journal.js";
import {
  ResultConflictError,
  ResultInputError,
  ResultNotFoundError,
  ResultStoreStateError,
} from "./result-store-errors.js";
import {
  channelNameRecord,
  type PlaneQuery,
  type ResultStoreOptions,
  type StoredPlane,
} from "./result-store-options.js";
import {
  SHAPES_ATTRIBUTE,
  shapesDocument,
  shapesGroupName,
  type ShapesDocument,
} from "./shapes-file.js";
import { readManifest, writeManifest, type StoreSettings } from "./store-manifest.js";
import { arraySpec, imageName, placeOf, shapesContainer, wellOf } from "./store-places.js";
import { WriteQueue } from "./write-queue.js";
import { ZarrWriter, type ArraySpec } from "./zarr-writer.js";

/** A result store in one directory. */
export class ResultStore {
  /** Absolute path of the store directory. */
  readonly dir: string;
  private readonly writer: ZarrWriter;
  private readonly plates: PlateRegistry;
  private readonly queue: WriteQueue;
  private readonly pending = new Set<Promise<void>>();
  /** Shape containers (`<image>/shapes`) already written. */
  private readonly shapeGroups = new Set<string>();
  private journal: Promise<JournalWriter> | null = null;
  private journalTorn = false;
  private flushTail: Promise<void> = Promise.resolve();
  private state: "open" | "closing" | "closed" = "open";

  private constructor(
    dir: string,
    private readonly settings: StoreSettings,
    maxConcurrentWrites: number,
  ) {
    this.dir = dir;
    this.writer = new ZarrWriter(dir);
    this.plates = new PlateRegistry(settings);
    this.queue = new WriteQueue(Math.max(1, maxConcurrentWrites));
  }

  /** Create a store in `dir` (made if missing), or reopen the one there and add to it. */
  static async create(dir: string, options: ResultStoreOptions = {}): Promise<ResultStore> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true });
    const existing = await readManifest(root);
    const settings: StoreSettings = {
      plateName: options.plateName ?? existing?.plateName ?? basename(root),
      plateLayout: options.plateLayout ?? existing?.plateLayout ?? null,
      compression: options.compression ?? existing?.compression ?? "none",
      channelNames: { ...existing?.channelNames, ...channelNameRecord(options.channelNames) },
    };
    await writeManifest(root, settings);
    return ResultStore.load(root, settings, options.maxConcurrentWrites ?? 4);
  }

  /** Open an existing store, to read it or add to it. */
  static async open(dir: string): Promise<ResultStore> {
    const root = resolve(dir);
    const settings = await readManifest(root);
    if (settings === null)
      throw new ResultStoreStateError(root, "not a result store (no manifest)");
    return ResultStore.load(root, settings, 4);
  }

  private static async load(root: string, settings: StoreSettings, slots: number) {
    const store = new ResultStore(root, settings, slots);
    const { entries, torn } = await readJournal(join(root, JOURNAL_FILE));
    store.journalTorn = torn;
    const latest = new Map<string, StoredEntry>();
    for (const entry of entries) latest.set(entryKey(entry), entry);
    for (const entry of latest.values()) store.plates.replay(entry);
    // Rewrite every document at the next flush: a crash may have cut the last one short.
    for (const plate of store.plates.all()) plate.markAllStale();
    return store;
  }

  /**
   * Store one result. When this resolves the data is on disk and the metadata describes it;
   * calls may overlap. Rejects with {@link ResultInputError} or {@link ResultConflictError}
   * (naming the field) for an item that cannot be stored, leaving the store as it was.
   */
  put(item: ResultItem): Promise<void> {
    if (this.state !== "open") {
      return Promise.reject(new ResultStoreStateError(this.dir, "put after close"));
    }
    let job: Promise<void>;
    try {
      if (item.kind === "preview") {
        // A preview's pixels stay on the server: fetch the plane (`fetchPlane`) and store that.
        throw new ResultInputError(
          item,
          "kind",
          "a preview has no pixels to store; fetch its plane",
        );
      }
      job = item.kind === "image" ? this.putImage(item) : this.putShapes(item);
    } catch (error) {
      // Validation throws synchronously, before the store changed; report it the async way.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.pending.add(job);
    const settle = (): void => void this.pending.delete(job);
    job.then(settle, settle);
    return job;
  }

  /** Wait for pending puts; write the final metadata (contrast windows per plate). */
  async close(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "closing";
    await Promise.allSettled([...this.pending]);
    for (const plate of this.plates.all()) plate.harmonize();
    try {
      await this.flush();
    } finally {
      if (this.journal !== null) await (await this.journal).close();
      this.state = "closed";
    }
  }

  /** Every stored plane, by plate (step), image (well and field), t, c, z. */
  listImages(): StoredImage[] {
    return this.plates
      .all()
      .flatMap((plate) =>
        plate
          .images()
          .flatMap((image) =>
            [...image.planes.values()].sort(
              (a, b) => a.t - b.t || a.c - b.c || a.zIndex - b.zIndex,
            ),
          ),
      );
  }

  /** Step names by 0-based pipeline position, as the stored items named them. */
  stepNames(): Map<number, string> {
    const names = new Map<number, string>();
    for (const plate of this.plates.all()) {
      if (plate.stepIndex !== null) names.set(plate.stepIndex, plate.step);
    }
    return names;
  }

  /** Whether `put` is still possible (not closing or closed). */
  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Every stored shape set. */
  listShapes(): StoredShapes[] {
    return this.plates.all().flatMap((plate) => [...plate.shapes.values()]);
  }

  /** Read one stored plane. Rejects with {@link ResultNotFoundError} when it is not there. */
  async readPlane(query: PlaneQuery): Promise<StoredPlane> {
    const { plate, image, t, c, z, what } = this.plates.locate(query);
    const entry = image?.planes.get(`${t}/${c}/${z}`);
    if (plate === undefined || image === undefined || entry === undefined) {
      throw new ResultNotFoundError(this.dir, `plane at ${what}`);
    }
    const data = await this.writer.readPlane(this.arraySpec(plate, image), [t, c, z]);
    return { shape: entry.shape, dtype: entry.dtype, data };
  }

  /** Read the ROI shapes stored for one plane. */
  async readShapes(query: PlaneQuery): Promise<ShapesDocument> {
    const { plate, well, field, t, c, z, what } = this.plates.locate(query);
    const group =
      plate === undefined || well === null
        ? undefined
        : `${shapesContainer(plate, well, field)}/${shapesGroupName(t, c, z)}`;
    const attributes = group === undefined ? undefined : await this.writer.readAttributes(group);
    const doc = attributes?.[SHAPES_ATTRIBUTE];
    if (doc === undefined) throw new ResultNotFoundError(this.dir, `shapes at ${what}`);
    return doc as ShapesDocument;
  }

  // ---- writing ------------------------------------------------------------------------------

  private putImage(item: StackedResultImage): Promise<void> {
    const planes = imagePlanes(item); // throws before anything changes
    const well = wellOf(item, this.settings.plateLayout ?? undefined);
    const plate = this.plates.plateFor(item.step, item.stepIndex);
    const { field } = indicesOf(item);
    const yx = planes[0]?.shape ?? [0, 0];
    const image =
      plate.image(well, field) ?? plate.addImage(well, field, item.site, item.dtype, yx);
    if (image.dtype !== item.dtype) {
      throw new ResultConflictError(
        item,
        "dtype",
        image.dtype,
        item.dtype,
        imageName(plate, image),
      );
    }
    if (image.yx[0] !== yx[0] || image.yx[1] !== yx[1]) {
      const show = (s: readonly number[]): string => `[${s.join(", ")}] planes`;
      throw new ResultConflictError(
        item,
        "shape",
        show(image.yx),
        show(yx),
        imageName(plate, image),
      );
    }
    const placed = planes.map((plane) => {
      const { t, c, z } = indicesOf(plane);
      plate.cover(t, c, z);
      const name = item.componentNames.channel;
      if (name !== undefined && plane.channel === item.channel) {
        this.plates.learnChannelName(plate, c, name);
      }
      return { plane, t, c, z };
    });
    // The extent only grows, so this spec keeps covering these planes.
    const spec = this.arraySpec(plate, image);
    const writes = placed.map(({ plane, t, c, z }) =>
      this.queue.run(`${spec.path}/${t}/${c}/${z}`, async () => {
        const range = planeRange(item.dtype, plane.bytes);
        await this.writer.writePlane(spec, [t, c, z], plane.bytes);
        const entry: StoredImage = {
          kind: "image",
          ...placeOf(item, plate, image.path, t, c, z),
          site: plane.site,
          channel: plane.channel,
          z: plane.z,
          timepoint: plane.timepoint,
          shape: plane.shape,
          dtype: item.dtype,
          channelName: plate.channelNames.get(c) ?? null,
          min: range?.min ?? null,
          max: range?.max ?? null,
        };
        plate.recordPlane(image, entry);
        return entry;
      }),
    );
    return this.finish(writes);
  }

  private putShapes(item: ResultShapes): Promise<void> {
    checkComponents(item);
    const doc = shapesDocument(item);
    const well = wellOf(item, this.settings.plateLayout ?? undefined);
    const plate = this.plates.plateFor(item.step, item.stepIndex);
    const { field, t, c, z } = indicesOf(item);
    const container = shapesContainer(plate, well, field);
    const group = `${container}/${shapesGroupName(t, c, z)}`;
    const write = this.queue.run(group, async () => {
      if (!this.shapeGroups.has(container)) {
        await this.writer.writeGroup(container, {
          openhcs_remote: { shapes: "one group per plane: t<T>_c<C>_z<Z>" },
        });
        this.shapeGroups.add(container);
      }
      await this.writer.writeGroup(group, { [SHAPES_ATTRIBUTE]: doc });
      const entry: StoredShapes = {
        kind: "shapes",
        ...placeOf(item, plate, `${well.path}/${String(field)}`, t, c, z),
        site: item.site,
        channel: item.channel,
        z: item.z,
        timepoint: item.timepoint,
        group: group.slice(1),
        count: doc.shapes.length,
      };
      plate.shapes.set(entryKey(entry), entry);
      return entry;
    });
    return this.finish([write]);
  }

  /** After the data is on disk: the metadata, then the index lines. */
  private async finish(writes: readonly Promise<StoredEntry>[]): Promise<void> {
    const entries = await Promise.all(writes);
    await this.flush();
    this.journal ??= JournalWriter.open(join(this.dir, JOURNAL_FILE), this.journalTorn);
    await (await this.journal).append(entries);
  }

  /** Write every stale document; flushes run one at a time and each writes the latest state. */
  private flush(): Promise<void> {
    const run = this.flushTail.then(() =>
      flushStale(this.writer, this.plates.all(), (plate, image) => this.arraySpec(plate, image)),
    );
    this.flushTail = run.catch(() => undefined);
    return run;
  }

  private arraySpec(plate: PlateState, image: ImageState): ArraySpec {
    return arraySpec(plate, image, this.settings.compression);
  }
}

/**
 * One run the sidecar follows, from submission (or attach) to its end: progress snapshots,
 * result items into the local store, an 8-bit preview of each image, and exactly one terminal
 * event (`done`, `failed`, `cancelled` or `lost`) once the server says the run is over and the
 * relay has delivered everything it holds for it.
 */
import { join } from "node:path";
import { isOhrError } from "../protocol/index.js";
import {
  type PlaneQuery,
  type RemoteOrchestrator,
  type RunProgressSnapshot,
  type ResultGap,
  type PlanePreview,
  type ResultImage,
  type ResultItem,
  type ResultPreview,
  imageFromPreview,
  ResultNotFoundError,
  ResultStore,
  type StoredPlane,
} from "../orchestrator/index.js";
import type { RelayDelivery } from "../protocol/index.js";
import { makePreview } from "./previews.js";
import { LatestThrottle } from "./progress-throttle.js";
import { RemotePlanes } from "./remote-planes.js";
import { followResults } from "./result-source.js";
import { errorWire, snapshotWire, itemWire, relayLinkWire } from "./wire.js";

/** How far a {@link RunSession.fetchAll} got: planes and their full-resolution bytes. */
export interface FetchProgress {
  readonly done: number;
  readonly total: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Sends one event of this run to the shim (the channel adds `run_key` and `execution_id`). */
export type EmitRunEvent = (
  event: string,
  fields: Record<string, unknown>,
  payload?: Uint8Array,
) => Promise<void>;

/** Settings of a session. */
export interface RunSessionOptions {
  readonly orchestrator: RemoteOrchestrator;
  /** Whether results come through a relay (no relay: progress only). */
  readonly withResults: boolean;
  /** Where the run's store goes: `<storeRoot>/<execution id>-<key>`. */
  readonly storeRoot: string;
  readonly emit: EmitRunEvent;
  /**
   * After the run ended, how long the relay may stay silent before we stop waiting for its
   * `end`; default 10 s once it sent something for the run, 3 s while it never did.
   */
  readonly drainIdleMs?: number;
  /** Least time between two `progress` events. */
  readonly progressIntervalMs?: number;
  /**
   * `"full"` (default): every plane crosses as it arrives and is stored. `"previews"`: only the
   * previews the relay makes cross; a plane is fetched (and stored) when asked for.
   */
  readonly delivery?: RelayDelivery;
}

const TERMINAL: Record<string, string> = {
  ERR_RUN_FAILED: "failed",
  ERR_RUN_CANCELLED: "cancelled",
};

/** A run being followed. */
export class RunSession {
  executionId: string | null = null;
  store: ResultStore | null = null;
  /** Resolves after the terminal event went out. */
  ended: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  /** When the relay last delivered an item or gap of this run; null: never. */
  private lastItemAt: number | null = null;
  /** Previews delivery: the images still on the server. */
  readonly remote = new RemotePlanes();
  /** Set while the store is closed at the run's end and fetched planes need it open again. */
  private reopened: Promise<ResultStore> | null = null;

  constructor(
    readonly runKey: string,
    private readonly options: RunSessionOptions,
  ) {}

  /**
   * Start following `executionId` (just submitted, or attached): open its store, announce it,
   * and follow it in the background.
   */
  async begin(executionId: string, attached: boolean): Promise<void> {
    this.executionId = executionId;
    const dir = join(this.options.storeRoot, `${executionId}-${this.runKey.slice(0, 8)}`);
    this.store = await ResultStore.create(dir, { plateName: executionId });
    await this.options.emit("accepted", { store_dir: dir, attached });
    this.ended = this.follow(executionId);
  }

  /** The orchestrator of the run's server. */
  get orchestrator(): RemoteOrchestrator {
    return this.options.orchestrator;
  }

  /** Stop following (sidecar shutdown); the terminal event says `lost`. */
  stop(): void {
    this.abort.abort(new Error("the sidecar is shutting down"));
    void this.reopened?.then((store) => store.close()).catch(() => undefined);
  }

  /**
   * One plane at full resolution: from the store, or (previews delivery) fetched from the relay
   * by its image's seq, stored, and read back. Rejects with the store's `ResultNotFoundError`
   * when the run has no such plane, or with the relay's error (`ERR_PLANE_GONE`, …).
   */
  async plane(query: PlaneQuery): Promise<StoredPlane> {
    const store = this.store;
    if (store === null) throw new Error("the run has not started");
    try {
      return await store.readPlane(query);
    } catch (error) {
      const remote = error instanceof ResultNotFoundError ? this.remote.find(query) : null;
      if (remote === null) throw error;
      await this.fetchIntoStore(remote.seq);
      return (await this.writable()).readPlane(query);
    }
  }

  /** Previews delivery: fetch every image the store lacks (before a save); returns how many. */
  async fetchAll(onPlane?: (progress: FetchProgress) => void): Promise<number> {
    const store = this.store;
    if (store === null) return 0;
    const stored = new Set(store.listImages().map((image) => image.seq));
    const missing = this.remote.all().filter((item) => !stored.has(item.seq));
    const progress = {
      done: 0,
      total: missing.length,
      bytesDone: 0,
      bytesTotal: missing.reduce((sum, item) => sum + item.nbytes, 0),
    };
    onPlane?.({ ...progress });
    for (const item of missing) {
      await this.fetchIntoStore(item.seq);
      progress.done += 1;
      progress.bytesDone += item.nbytes;
      onPlane?.({ ...progress });
    }
    if (this.reopened !== null) {
      const reopened = this.reopened;
      this.reopened = null;
      await (await reopened).close(); // on disk, metadata written: ready to be copied
    }
    return missing.length;
  }

  private async fetchIntoStore(seq: number): Promise<void> {
    const item = this.remote.all().find((candidate) => candidate.seq === seq);
    if (item === undefined || this.executionId === null) return;
    const { data } = await this.options.orchestrator.fetchPlane(this.executionId, seq);
    await (await this.writable()).put(imageFromPreview(item, data));
  }

  /** The store, open for writing: the run's own while it goes, reopened after it ended. */
  private async writable(): Promise<ResultStore> {
    const store = this.store;
    if (store === null) throw new Error("the run has not started");
    if (store.isOpen) return store;
    this.reopened ??= ResultStore.open(store.dir).then((opened) => (this.store = opened));
    return this.reopened;
  }

  private async follow(executionId: string): Promise<void> {
    const { orchestrator, emit } = this.options;
    const signal = this.abort.signal;
    const progress = new LatestThrottle<RunProgressSnapshot>(
      this.options.progressIntervalMs ?? 100,
      (snapshot) => {
        void emit("progress", { snapshot: snapshotWire(snapshot) });
      },
    );
    const results = this.options.withResults
      ? this.receive(executionId, signal)
      : Promise.resolve();
    let terminal: [string, Record<string, unknown>];
    try {
      const outcome = await orchestrator.wait(executionId, {
        signal,
        onProgress: (snapshot) => {
          progress.push(snapshot);
        },
      });
      progress.push(outcome.progress);
      terminal = ["done", { record: outcome.record }];
    } catch (error) {
      const kind = isOhrError(error) ? (TERMINAL[error.code] ?? "lost") : "lost";
      const wire = errorWire(error);
      if (kind === "failed" && wire.traceback === null) {
        wire.traceback = await this.lateTraceback(executionId);
      }
      terminal = [kind, { error: wire }];
    }
    progress.flush();
    await this.drain(results);
    await this.store?.close().catch((error: unknown) => {
      this.warn("store-close", error);
    });
    await emit(...terminal);
  }

  /** Consume the relay's stream: preview first (what a person waits for), then the store. */
  private async receive(executionId: string, signal: AbortSignal): Promise<void> {
    const { emit } = this.options;
    const onItem = async (item: ResultItem): Promise<void> => {
      this.lastItemAt = Date.now();
      if (item.kind === "preview") {
        await this.receivePreview(item);
        return;
      }
      if (item.kind === "image") {
        const preview = makePreview(item);
        if (preview !== null) {
          await this.emitPreview(item, preview);
        }
      }
      try {
        await this.store?.put(item);
      } catch (error) {
        this.warn("store-refused", error);
        return;
      }
      await emit("image_stored", {
        ...itemWire(item),
        kind: item.kind,
        ...(item.kind === "image" ? { shape: item.shape, dtype: item.dtype } : {}),
        component_names: item.componentNames,
      });
    };
    const onGap = async (gap: ResultGap): Promise<void> => {
      this.lastItemAt = Date.now();
      await emit("gap", { from_seq: gap.fromSeq, to_seq: gap.toSeq, reason: gap.reason });
    };
    try {
      await followResults(this.options.orchestrator, executionId, {
        signal,
        onItem,
        onGap,
        onRelayLink: (change) => {
          void emit("relay_link", relayLinkWire(change));
        },
        delivery: this.options.delivery ?? "full",
      });
    } catch (error) {
      if (!signal.aborted) this.warn("results-stopped", error);
    }
  }

  /** Send the shim an image's preview (made here, or by the relay in previews delivery). */
  private async emitPreview(
    item: ResultImage | ResultPreview,
    preview: PlanePreview,
  ): Promise<void> {
    await this.options.emit(
      "preview",
      {
        ...itemWire(item),
        width: preview.width,
        height: preview.height,
        source_shape: preview.sourceShape,
        dtype: item.dtype,
        value_min: preview.valueMin,
        value_max: preview.valueMax,
      },
      preview.pixels,
    );
  }

  /** A previews-delivery image: its preview goes out; the plane stays on the server until asked. */
  private async receivePreview(item: ResultPreview): Promise<void> {
    const { emit } = this.options;
    const { preview } = item;
    if (preview !== null) {
      await this.emitPreview(item, preview);
    }
    this.remote.add(item);
    await emit("image_stored", {
      ...itemWire(item),
      kind: "image",
      shape: item.shape,
      dtype: item.dtype,
      component_names: item.componentNames,
      on_server: true,
    });
  }

  /**
   * After the run ended, give the relay time to deliver the rest: it ends the stream itself
   * (`end`), but a run that streamed nothing never appears there, so stop once it is silent.
   */
  private async drain(results: Promise<void>): Promise<void> {
    // A run that streamed something gets its `end` soon; one that streamed nothing (it failed
    // while compiling, or streams no step) may never appear at the relay: wait less for it.
    const received = this.lastItemAt !== null;
    const idleMs = this.options.drainIdleMs ?? (received ? 10_000 : 3_000);
    const endedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<"idle">((resolve) => {
      const check = (): void => {
        if (Date.now() - Math.max(this.lastItemAt ?? 0, endedAt) >= idleMs) resolve("idle");
        else timer = setTimeout(check, 100);
      };
      check();
    });
    const how = await Promise.race([results.then(() => "ended" as const), idle]);
    clearTimeout(timer);
    if (how === "idle" && !this.abort.signal.aborted) {
      this.abort.abort(new Error("relay idle after the run ended"));
      await results;
      if (received) {
        const silence = new Error(`the relay sent nothing for ${idleMs} ms after the run ended`);
        this.warn("results-incomplete", silence);
      }
    }
  }

  /**
   * OpenHCS 0.8.6 marks a run `failed` a moment before it stores the traceback
   * (zmqruntime/execution/server.py: `mark_failed`, then `record.traceback = …`), so the status
   * that ended the wait may lack it. Ask again briefly; the traceback is the point of the error.
   */
  private async lateTraceback(executionId: string): Promise<string | null> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const record = await this.options.orchestrator.status(executionId).catch(() => null);
      if (typeof record?.traceback === "string" && record.traceback !== "") return record.traceback;
    }
    return null;
  }

  private warn(code: string, error: unknown): void {
    void this.options.emit("warning", { code, message: (error as Error).message });
  }
}

/**
 * Previews held in the browser, one per plane. Bounded by bytes: when full, the oldest planes go
 * first (a run's early steps, usually), and a newer preview of the same plane replaces the older
 * one, so a replay after reload fills gaps without duplicating anything.
 */
import type { PlaneCoordinates, Preview } from "../state/index.js";

/** Enough for 384 wells × 4 channels × a few planes of 256² previews. */
export const DEFAULT_PREVIEW_BYTES = 128 * 1024 * 1024;

/** The key of one plane: every coordinate, `null` written as `-`. */
export function planeKey(c: PlaneCoordinates): string {
  const part = (v: string | number | null): string => (v === null ? "-" : String(v));
  return [c.well, c.site, c.channel, c.z, c.timepoint, c.step].map(part).join("|");
}

/** Previews of one well at one (site, z, timepoint, step), keyed by channel. */
export type PlaneSet = ReadonlyMap<number | null, Preview>;

export class PreviewCache {
  readonly #maxBytes: number;
  readonly #planes = new Map<string, Preview>();
  readonly #byWell = new Map<string, Set<string>>();
  readonly #wellVersions = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  #bytes = 0;
  #version = 0;

  constructor(maxBytes = DEFAULT_PREVIEW_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Increases on every change; elements compare it to know when to redraw. */
  get version(): number {
    return this.#version;
  }

  get size(): number {
    return this.#planes.size;
  }

  /** Increases when a preview of `well` arrives; 0 when there is none. */
  wellVersion(well: string): number {
    return this.#wellVersions.get(well) ?? 0;
  }

  /** Keep a preview. Returns false when a newer one of the same plane is already here. */
  add(preview: Preview): boolean {
    const key = planeKey(preview);
    const previous = this.#planes.get(key);
    if (previous !== undefined) {
      if (previous.seq > preview.seq) return false;
      this.#remove(key, previous);
    }
    this.#planes.set(key, preview);
    this.#bytes += preview.pixels.byteLength;
    let keys = this.#byWell.get(preview.well);
    if (keys === undefined) this.#byWell.set(preview.well, (keys = new Set()));
    keys.add(key);
    this.#evict();
    this.#version += 1;
    this.#wellVersions.set(preview.well, this.#version);
    for (const listener of this.#listeners) listener();
    return true;
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every preview of a well, in arrival order. */
  *forWell(well: string): Iterable<Preview> {
    for (const key of this.#byWell.get(well) ?? []) {
      const preview = this.#planes.get(key);
      if (preview !== undefined) yield preview;
    }
  }

  /** The channels of one plane. */
  planeSet(well: string, at: Omit<PlaneCoordinates, "well" | "channel">): PlaneSet {
    const set = new Map<number | null, Preview>();
    for (const p of this.forWell(well)) {
      if (
        p.site === at.site &&
        p.z === at.z &&
        p.timepoint === at.timepoint &&
        p.step === at.step
      ) {
        set.set(p.channel, p);
      }
    }
    return set;
  }

  /**
   * The plane to show as a well's thumbnail: the step of the latest preview (usually the
   * pipeline's output), then of that step's planes the first by site, z and timepoint. Chosen as
   * one plane that exists, not per axis (the lowest site and the lowest z need not meet).
   */
  thumbnailSet(well: string): PlaneSet {
    let latest: Preview | undefined;
    for (const p of this.forWell(well)) if (latest === undefined || p.seq > latest.seq) latest = p;
    if (latest === undefined) return new Map();
    const rank = (p: Preview): number[] => [p.site ?? -1, p.z ?? -1, p.timepoint ?? -1];
    let first = latest;
    for (const p of this.forWell(well)) {
      if (p.step !== latest.step) continue;
      const [a, b] = [rank(p), rank(first)];
      const i = a.findIndex((v, k) => v !== b[k]);
      if (i >= 0 && (a[i] ?? 0) < (b[i] ?? 0)) first = p;
    }
    return this.planeSet(well, first);
  }

  #remove(key: string, preview: Preview): void {
    this.#planes.delete(key);
    this.#bytes -= preview.pixels.byteLength;
    this.#byWell.get(preview.well)?.delete(key);
  }

  #evict(): void {
    for (const [key, preview] of this.#planes) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#remove(key, preview);
      this.#wellVersions.set(preview.well, this.#version + 1);
    }
  }
}

/**
 * What the browser holds of the previews: every well's thumbnail (reduced, see
 * `thumbnail-store.ts`), and full previews only for the few wells the viewer showed last (at
 * first, the first wells to arrive), so memory follows the screen, not the plate. A well taken
 * into view starts empty: its holder asks
 * the kernel for that well's previews (`replay_previews {well}`). Within a held well, one preview
 * per plane: a newer one replaces the older, so a replay fills gaps without duplicating anything.
 */
import type { PlaneCoordinates, Preview } from "../state/index.js";
import { type PlaneSet, ThumbnailStore } from "./thumbnail-store.js";

export type { PlaneSet } from "./thumbnail-store.js";

/** A guard on the held wells' previews (a well with many sites, z and steps). */
export const DEFAULT_PREVIEW_BYTES = 64 * 1024 * 1024;
/**
 * Full previews are kept for this many wells: the shown one and the one before it. The kernel
 * sends every preview of as many (its twin in notebook/page_previews.py), thumbnails of the rest.
 */
export const HELD_WELLS = 2;

/** The key of one plane: every coordinate, `null` written as `-`. */
export function planeKey(c: PlaneCoordinates): string {
  const part = (v: string | number | null): string => (v === null ? "-" : String(v));
  return [c.well, c.site, c.channel, c.z, c.timepoint, c.step].map(part).join("|");
}

export class PreviewCache {
  readonly thumbnails = new ThumbnailStore();
  readonly #maxBytes: number;
  readonly #planes = new Map<string, Preview>();
  readonly #byWell = new Map<string, Set<string>>();
  readonly #wellVersions = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  /** Held wells, least recently taken into view first. */
  #held: string[] = [];
  readonly #loading = new Set<string>();
  #bytes = 0;
  #version = 0;

  constructor(maxBytes = DEFAULT_PREVIEW_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Increases on every change; elements compare it to know when to redraw. */
  get version(): number {
    return this.#version;
  }

  /** Full previews held. */
  get size(): number {
    return this.#planes.size;
  }

  /** Bytes of pixels held: full previews plus every thumbnail. */
  get bytes(): number {
    return this.#bytes + this.thumbnails.bytes;
  }

  /** Increases when a preview of `well` arrives (or its loading state changes); 0 when none. */
  wellVersion(well: string): number {
    return this.#wellVersions.get(well) ?? 0;
  }

  /**
   * Keep `well`'s full previews from now on (it is on screen), dropping the least recent held
   * well beyond {@link HELD_WELLS}. Returns true when it was not held: its earlier previews are
   * not here and must be asked for.
   */
  hold(well: string): boolean {
    const known = this.#held.includes(well);
    this.#held = [...this.#held.filter((w) => w !== well), well];
    for (const gone of this.#held.splice(0, Math.max(0, this.#held.length - HELD_WELLS))) {
      for (const key of this.#byWell.get(gone) ?? []) this.#remove(key);
      this.#byWell.delete(gone);
    }
    return !known;
  }

  holds(well: string): boolean {
    return this.#held.includes(well);
  }

  /** Whether `well`'s previews were asked for and have not all come yet. */
  isLoading(well: string): boolean {
    return this.#loading.has(well);
  }

  setLoading(well: string, loading: boolean): void {
    if (loading === this.#loading.has(well)) return;
    if (loading) this.#loading.add(well);
    else this.#loading.delete(well);
    this.#changed(well);
  }

  /** Take a preview. Returns false when it brought nothing new (an older or repeated copy). */
  add(preview: Preview): boolean {
    let kept = false;
    // Free places go to the first wells that arrive: the viewer's first well is among them
    // even when the kernel is too busy to answer a replay (a cell running `run.wait()`).
    if (this.#held.length < HELD_WELLS && !this.holds(preview.well)) this.#held.push(preview.well);
    if (this.holds(preview.well)) {
      const key = planeKey(preview);
      const previous = this.#planes.get(key);
      if (previous === undefined || previous.seq <= preview.seq) {
        if (previous !== undefined) this.#remove(key);
        this.#planes.set(key, preview);
        this.#bytes += preview.pixels.byteLength;
        let keys = this.#byWell.get(preview.well);
        if (keys === undefined) this.#byWell.set(preview.well, (keys = new Set()));
        keys.add(key);
        this.#evict();
        kept = true;
      }
    }
    const thumbnail = this.thumbnails.add(preview);
    if (!kept && !thumbnail) return false;
    this.#changed(preview.well);
    return true;
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every full preview of a held well, in arrival order; nothing for other wells. */
  *forWell(well: string): Iterable<Preview> {
    for (const key of this.#byWell.get(well) ?? []) {
      const preview = this.#planes.get(key);
      if (preview !== undefined) yield preview;
    }
  }

  /** The channels of one plane of a held well. */
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

  /** The well's thumbnail plane, at the grid's resolution (any well that had a preview). */
  thumbnailSet(well: string): PlaneSet {
    return this.thumbnails.set(well);
  }

  /** The highest `seq` of any preview of `well` taken; 0 when none. */
  newest(well: string): number {
    return this.thumbnails.newest(well);
  }

  #changed(well: string): void {
    this.#version += 1;
    this.#wellVersions.set(well, this.#version);
    for (const listener of this.#listeners) listener();
  }

  #remove(key: string): void {
    const preview = this.#planes.get(key);
    if (preview === undefined) return;
    this.#planes.delete(key);
    this.#bytes -= preview.pixels.byteLength;
    this.#byWell.get(preview.well)?.delete(key);
  }

  #evict(): void {
    for (const [key, preview] of this.#planes) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#remove(key);
      this.#wellVersions.set(preview.well, this.#version + 1);
    }
  }
}

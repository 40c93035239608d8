/**
 * The plate grid's thumbnails, per well: the channels of the well's thumbnail plane, reduced to
 * the grid cell's resolution. A few KB a well, so the whole grid can be recoloured or repainted
 * without the kernel while full previews are kept only for the wells the viewer shows. Chosen as
 * previews arrive (nothing else of a well is kept): the step of the latest preview, then of that
 * step's planes the first by site, z and timepoint, every channel of that one plane.
 */
import type { Preview } from "../state/index.js";
import { nearestSample } from "./compositor.js";

/** Previews of one well at one (site, z, timepoint, step), keyed by channel. */
export type PlaneSet = ReadonlyMap<number | null, Preview>;

/** Thumbnail edge in pixels until the grid says what its cells need. */
export const DEFAULT_THUMBNAIL_EDGE = 64;

interface WellThumbnail {
  step: string | null;
  /** The highest `seq` of any preview of the well seen. */
  newest: number;
  rank: readonly number[];
  channels: Map<number | null, Preview>;
}

const rankOf = (p: Preview): number[] => [p.site ?? -1, p.z ?? -1, p.timepoint ?? -1];

function compareRanks(a: readonly number[], b: readonly number[]): number {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 0 : (a[i] ?? 0) - (b[i] ?? 0);
}

/**
 * `preview` fitted into `edge × edge` (aspect kept), sampled nearest-neighbour exactly as the
 * compositor samples, so a thumbnail drawn from it matches one drawn from the full preview.
 */
export function reducePreview(preview: Preview, edge: number): Preview {
  const { width, height } = preview;
  const scale = Math.min(1, edge / width, edge / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (w === width && h === height) return preview;
  const pixels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = nearestSample(y, h, height) * width;
    for (let x = 0; x < w; x++)
      pixels[y * w + x] = preview.pixels[row + nearestSample(x, w, width)] ?? 0;
  }
  return { ...preview, width: w, height: h, pixels };
}

export class ThumbnailStore {
  readonly #wells = new Map<string, WellThumbnail>();
  #edge = DEFAULT_THUMBNAIL_EDGE;
  #bytes = 0;

  /** Longest side a thumbnail is kept at; applies to previews arriving from now on. */
  get edge(): number {
    return this.#edge;
  }
  set edge(px: number) {
    this.#edge = Math.max(1, Math.round(px));
  }

  /** Bytes of pixels held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Take a preview into its well's thumbnail. Returns whether the well changed. */
  add(p: Preview): boolean {
    const t = this.#wells.get(p.well);
    if (t === undefined || (p.seq > t.newest && p.step !== t.step)) {
      this.#drop(t);
      this.#wells.set(p.well, {
        step: p.step,
        newest: p.seq,
        rank: rankOf(p),
        channels: this.#keep(new Map(), p),
      });
      return true;
    }
    const newer = p.seq > t.newest;
    if (newer) t.newest = p.seq;
    if (p.step !== t.step) return newer;
    const order = compareRanks(rankOf(p), t.rank);
    if (order > 0) return newer;
    if (order < 0) {
      this.#drop(t);
      t.rank = rankOf(p);
      t.channels = new Map();
    }
    const old = t.channels.get(p.channel);
    if (old !== undefined && old.seq >= p.seq) return newer;
    if (old !== undefined) this.#bytes -= old.pixels.byteLength;
    this.#keep(t.channels, p);
    return true;
  }

  /** The channels of a well's thumbnail plane (reduced); empty before any preview. */
  set(well: string): PlaneSet {
    return this.#wells.get(well)?.channels ?? new Map();
  }

  /** The highest `seq` seen for a well; 0 when none. */
  newest(well: string): number {
    return this.#wells.get(well)?.newest ?? 0;
  }

  #keep(channels: Map<number | null, Preview>, p: Preview): Map<number | null, Preview> {
    const reduced = reducePreview(p, this.#edge);
    this.#bytes += reduced.pixels.byteLength;
    channels.set(p.channel, reduced);
    return channels;
  }

  #drop(t: WellThumbnail | undefined): void {
    for (const p of t?.channels.values() ?? []) this.#bytes -= p.pixels.byteLength;
  }
}

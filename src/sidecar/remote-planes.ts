/**
 * The images a previews-delivery run left on the server (docs/relay-stream-protocol.md §4.2):
 * what each preview item said of its plane (coordinates, shape, dtype, seq), so that a plane asked
 * for at full resolution can be fetched by its seq. A few hundred bytes an image, no pixels.
 */
import type { PlaneQuery, ResultPreview } from "../orchestrator/index.js";

/** An image left on the server: its preview item without the preview's pixels. */
export type RemotePlane = ResultPreview & { readonly preview: null };

export class RemotePlanes {
  private readonly items: RemotePlane[] = [];

  /** Keep what locates `item`'s plane; its preview pixels went to the shim and are not held. */
  add(item: ResultPreview): void {
    this.items.push({ ...item, preview: null });
  }

  get size(): number {
    return this.items.length;
  }

  /** Every image, oldest first. */
  all(): readonly RemotePlane[] {
    return this.items;
  }

  /**
   * The newest image holding the plane `query` names: every coordinate the image has must match
   * (an image without a z is a stack of z-planes; a query without a step takes the newest step).
   */
  find(query: PlaneQuery): RemotePlane | null {
    const wanted: [keyof PlaneQuery & keyof ResultPreview, unknown][] = [
      ["site", query.site],
      ["channel", query.channel],
      ["z", query.z],
      ["timepoint", query.timepoint],
    ];
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const item = this.items[i] as RemotePlane;
      if (item.well !== query.well) continue;
      if (query.step != null && item.step !== query.step) continue;
      if (
        wanted.every(
          ([field, value]) => item[field] === null || value == null || item[field] === value,
        )
      ) {
        return item;
      }
    }
    return null;
  }
}

/**
 * Draw a well's thumbnail: its representative plane, every shown channel in its colour with
 * automatic contrast, fitted into the well's rectangle of the grid's one canvas with the aspect
 * ratio kept. Blended directly at the thumbnail's size (nearest-neighbour), so a replay of
 * hundreds of previews after a page reload draws the whole plate in a blink.
 */
import { composite } from "./compositor.js";
import type { PlaneSet } from "./thumbnail-store.js";
import { autoLimits, previewLayer, viewerChannels } from "./preview-layers.js";
import type { ChannelInfo } from "../state/index.js";

/** A rectangle in canvas pixels. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Paint the blend of `set` into `rect`, fitted and centred on black; with nothing to show, clear
 * the rectangle. Returns whether it drew.
 */
export function drawThumbnail(
  ctx: CanvasRenderingContext2D,
  rect: PixelRect,
  set: PlaneSet,
  channels: readonly ChannelInfo[],
  hidden: ReadonlySet<number | null> = new Set(),
): boolean {
  const first = set.values().next();
  if (first.done === true) {
    ctx.clearRect(rect.x, rect.y, rect.width, rect.height);
    return false;
  }
  const { width, height } = first.value;
  const scale = Math.min(rect.width / width, rect.height / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const layers = viewerChannels(channels, set.keys()).flatMap((channel) => {
    const preview = set.get(channel.index);
    return preview === undefined || hidden.has(channel.index)
      ? []
      : [previewLayer(preview, channel.color, autoLimits(preview))];
  });
  ctx.fillStyle = "#000";
  ctx.fillRect(rect.x, rect.y, rect.width, rect.height);
  const image = new ImageData(composite(layers, w, h), w, h);
  ctx.putImageData(
    image,
    rect.x + Math.floor((rect.width - w) / 2),
    rect.y + Math.floor((rect.height - h) / 2),
  );
  return true;
}

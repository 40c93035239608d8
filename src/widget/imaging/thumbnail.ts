/**
 * Draw a well's thumbnail: its representative plane, every channel in its colour with automatic
 * contrast, fitted into a small canvas with the aspect ratio kept. Blended directly at the
 * thumbnail's size (nearest-neighbour), so a replay of hundreds of previews after a page reload
 * draws the whole plate in a blink rather than blending every preview at full size first.
 */
import { composite } from "./compositor.js";
import type { PlaneSet } from "./preview-cache.js";
import { autoLimits, previewLayer, viewerChannels } from "./preview-layers.js";
import type { ChannelInfo } from "../state/index.js";

/** Paint the blend of `set` into `canvas`, fitted and centred on black. Returns whether it drew. */
export function drawThumbnail(
  canvas: HTMLCanvasElement,
  set: PlaneSet,
  channels: readonly ChannelInfo[],
): boolean {
  // A canvas kept in memory, not on the GPU: a tiny image redrawn often, on up to 1536 of them;
  // with GPU-backed ones getContext alone took ~8% of the main thread while a 384-well plate filled.
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const first = set.values().next();
  if (ctx === null || first.done === true) return false;
  const { width, height } = first.value;
  const scale = Math.min(canvas.width / width, canvas.height / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const layers = viewerChannels(channels, set.keys()).flatMap((channel) => {
    const preview = set.get(channel.index);
    return preview === undefined ? [] : [previewLayer(preview, channel.color, autoLimits(preview))];
  });
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const image = new ImageData(composite(layers, w, h), w, h);
  ctx.putImageData(image, Math.floor((canvas.width - w) / 2), Math.floor((canvas.height - h) / 2));
  return true;
}

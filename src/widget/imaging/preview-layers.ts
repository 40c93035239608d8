/**
 * From previews to blendable layers: a preview's 8-bit codes stand for source values
 * `value_min..value_max`, so its layer carries that mapping and contrast limits stay in source
 * units whether the pixels are a preview or the full-resolution plane.
 */
import { channelColor } from "../../protocol/index.js";
import { hexToRgb, type ColorLayer } from "./compositor.js";
import type { FullPlane } from "./full-plane.js";
import type { Preview, ChannelInfo } from "../state/index.js";

/** A channel as the viewer lists it: known from the `channels` trait, or seen in previews. */
export interface ViewerChannel {
  readonly index: number | null;
  readonly name: string;
  readonly color: string;
}

/** The trait's channels, plus any channel a preview carries that the trait does not list. */
export function viewerChannels(
  channels: readonly ChannelInfo[],
  seen: Iterable<number | null>,
): ViewerChannel[] {
  const listed: ViewerChannel[] = channels.map((c) => ({
    index: c.index,
    name: c.name,
    color: c.color,
  }));
  const known = new Set<number | null>(listed.map((c) => c.index));
  for (const index of seen) {
    if (known.has(index)) continue;
    known.add(index);
    listed.push({
      index,
      name: index === null ? "Image" : `Channel ${index}`,
      color: channelColor(listed.length),
    });
  }
  return listed;
}

/** Contrast limits that show a preview's whole range (its 0.1–99.9 percentiles). */
export function autoLimits(preview: Preview): [number, number] {
  return [preview.valueMin, preview.valueMax];
}

/** A preview as a layer, in `color`, with `limits` in source units. */
export function previewLayer(
  preview: Preview,
  color: string,
  limits: readonly [number, number],
): ColorLayer {
  return {
    width: preview.width,
    height: preview.height,
    values: preview.pixels,
    offset: preview.valueMin,
    scale: (preview.valueMax - preview.valueMin) / 255,
    limits,
    rgb: hexToRgb(color),
  };
}

/** A full-resolution plane as a layer: its values are already source values. */
export function fullPlaneLayer(
  plane: FullPlane,
  color: string,
  limits: readonly [number, number],
): ColorLayer {
  return {
    width: plane.width,
    height: plane.height,
    values: plane.values,
    offset: 0,
    scale: 1,
    limits,
    rgb: hexToRgb(color),
  };
}

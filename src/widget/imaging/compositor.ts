/**
 * Blends channels into one RGBA image: each channel's values are taken to source units, mapped
 * through its contrast limits to 0–1, tinted with its colour and added; sums clip at white. This
 * is how fluorescence viewers (napari, vizarr, OMERO) show overlapping channels.
 */

/**
 * The source index nearest-neighbour sampling reads for target index `i` when `sourceSize`
 * values are shown in `size`: the compositor's rule, and the thumbnail store's, which must agree.
 */
export function nearestSample(i: number, size: number, sourceSize: number): number {
  return Math.min(sourceSize - 1, Math.floor((i * sourceSize) / size));
}

/** One channel to blend. */
export interface ColorLayer {
  readonly width: number;
  readonly height: number;
  /** Stored values: 8-bit preview codes, or full-resolution samples. */
  readonly values: ArrayLike<number>;
  /** The source value of a stored value `v` is `offset + scale · v`. */
  readonly offset: number;
  readonly scale: number;
  /** Display limits in source units: `lo` shows black, `hi` full colour. */
  readonly limits: readonly [lo: number, hi: number];
  /** Colour, 0–255 per component. */
  readonly rgb: readonly [number, number, number];
}

/** `#rrggbb` → `[r, g, b]`; anything else is white, so an odd colour never hides a channel. */
export function hexToRgb(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (match === null) return [255, 255, 255];
  return [
    parseInt(match[1] ?? "ff", 16),
    parseInt(match[2] ?? "ff", 16),
    parseInt(match[3] ?? "ff", 16),
  ];
}

/**
 * Intensity 0–1 of a stored value, as a function. Linear between the limits; with equal limits a
 * step, so a constant plane shows as on or off instead of dividing by zero.
 */
function intensityOf(layer: ColorLayer): (v: number) => number {
  const [lo, hi] = layer.limits;
  if (!(hi > lo)) return (v) => (layer.offset + layer.scale * v >= hi ? 1 : 0);
  const a = layer.scale / (hi - lo);
  const b = (layer.offset - lo) / (hi - lo);
  return (v) => Math.min(1, Math.max(0, a * v + b));
}

/**
 * Blend `layers` into a `width × height` RGBA buffer (alpha 255). Layers of another size are
 * sampled nearest-neighbour, so previews and full-resolution planes can be mixed.
 */
export function composite(
  layers: readonly ColorLayer[],
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> {
  const sum = new Float32Array(width * height * 3);
  for (const layer of layers) {
    const intensity = intensityOf(layer);
    // 8-bit values have 256 possible intensities: a table is faster than the arithmetic.
    const table =
      layer.values instanceof Uint8Array
        ? Float32Array.from({ length: 256 }, (_, v) => intensity(v))
        : null;
    const [r, g, b] = layer.rgb;
    const sameSize = layer.width === width && layer.height === height;
    for (let y = 0; y < height; y++) {
      const sy = sameSize ? y : nearestSample(y, height, layer.height);
      for (let x = 0; x < width; x++) {
        const sx = sameSize ? x : nearestSample(x, width, layer.width);
        const v = layer.values[sy * layer.width + sx] ?? 0;
        const t = table === null ? intensity(v) : (table[v] ?? 0);
        if (t === 0) continue;
        const o = (y * width + x) * 3;
        sum[o] = (sum[o] ?? 0) + t * r;
        sum[o + 1] = (sum[o + 1] ?? 0) + t * g;
        sum[o + 2] = (sum[o + 2] ?? 0) + t * b;
      }
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, o = 0; i < sum.length; i += 3, o += 4) {
    // Uint8ClampedArray rounds and clips at 255: additive blending saturates to white.
    rgba[o] = sum[i] ?? 0;
    rgba[o + 1] = sum[i + 1] ?? 0;
    rgba[o + 2] = sum[i + 2] ?? 0;
    rgba[o + 3] = 255;
  }
  return rgba;
}

function sameLayer(a: ColorLayer, b: ColorLayer): boolean {
  return (
    a.values === b.values &&
    a.width === b.width &&
    a.height === b.height &&
    a.offset === b.offset &&
    a.scale === b.scale &&
    a.limits[0] === b.limits[0] &&
    a.limits[1] === b.limits[1] &&
    a.rgb.every((c, i) => c === b.rgb[i])
  );
}

/**
 * Remembers the last blend, so re-rendering for an unrelated reason (a preview of another well
 * arriving) does not blend a full-resolution plane again.
 */
export class CompositeMemo {
  #layers: readonly ColorLayer[] = [];
  #image: ImageData | null = null;

  /** The blend of `layers` at `width × height`, reused when nothing that shows has changed. */
  composite(layers: readonly ColorLayer[], width: number, height: number): ImageData | null {
    if (layers.length === 0) return null;
    const image = this.#image;
    if (
      image?.width === width &&
      image.height === height &&
      layers.length === this.#layers.length &&
      layers.every((layer, i) => sameLayer(layer, this.#layers[i] as ColorLayer))
    ) {
      return image;
    }
    this.#layers = layers;
    this.#image = new ImageData(composite(layers, width, height), width, height);
    return this.#image;
  }
}

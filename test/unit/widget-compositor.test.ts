import { describe, expect, it } from "vitest";
import { composite, hexToRgb, type ColorLayer } from "../../src/widget/imaging/compositor.js";

function layer(
  values: number[],
  width: number,
  rgb: [number, number, number],
  limits: [number, number],
  extra: Partial<ColorLayer> = {},
): ColorLayer {
  return {
    width,
    height: values.length / width,
    values: Uint16Array.from(values),
    offset: 0,
    scale: 1,
    limits,
    rgb,
    ...extra,
  };
}

const rgb = (image: Uint8ClampedArray, i: number): number[] => [...image.slice(i * 4, i * 4 + 3)];

describe("composite(), the channel blender", () => {
  it("adds channels that share a colour component, clipping at full", () => {
    const red30 = layer([300, 500], 2, [255, 0, 0], [0, 1000]);
    const alsoRed30 = layer([300, 700], 2, [255, 0, 0], [0, 1000]);
    const image = composite([red30, alsoRed30], 2, 1);
    expect(rgb(image, 0)).toEqual([153, 0, 0]); // 0.3 + 0.3 of 255
    expect(rgb(image, 1)).toEqual([255, 0, 0]); // 0.5 + 0.7 clips
    expect(image[3]).toBe(255);
  });

  it("maps source values through the contrast limits, black below and full colour above", () => {
    const image = composite([layer([100, 200, 300, 400], 4, [0, 255, 0], [200, 300])], 4, 1);
    expect([0, 1, 2, 3].map((i) => rgb(image, i)[1])).toEqual([0, 0, 255, 255]);
    const mid = composite([layer([250], 1, [0, 255, 0], [200, 300])], 1, 1);
    expect(rgb(mid, 0)[1]).toBe(128);
  });

  it("takes 8-bit preview codes to source units with the preview's offset and scale", () => {
    // Codes 0..255 stand for 1000..3000; limits 2000..3000 show the upper half.
    const codes = Uint8Array.from([0, 128, 255]);
    const preview: ColorLayer = {
      width: 3,
      height: 1,
      values: codes,
      offset: 1000,
      scale: 2000 / 255,
      limits: [2000, 3000],
      rgb: [0, 0, 255],
    };
    const image = composite([preview], 3, 1);
    expect([0, 1, 2].map((i) => rgb(image, i)[2])).toEqual([0, 1, 255]);
  });

  it("samples a layer of another size nearest-neighbour", () => {
    const small = layer([0, 1000], 2, [255, 255, 255], [0, 1000]);
    const image = composite([small], 4, 2);
    expect([0, 1, 2, 3, 4, 7].map((i) => rgb(image, i)[0])).toEqual([0, 0, 255, 255, 0, 255]);
  });

  it("shows a constant plane as on or off when its limits are equal", () => {
    const image = composite([layer([5, 4], 2, [255, 0, 0], [5, 5])], 2, 1);
    expect([rgb(image, 0)[0], rgb(image, 1)[0]]).toEqual([255, 0]);
  });

  it("reads #rrggbb colours and shows anything else as white", () => {
    expect(hexToRgb("#00ff80")).toEqual([0, 255, 128]);
    expect(hexToRgb("teal")).toEqual([255, 255, 255]);
  });
});

import { describe, expect, it } from "vitest";
import { PreviewCache } from "../../src/widget/imaging/preview-cache.js";
import { reducePreview } from "../../src/widget/imaging/thumbnail-store.js";
import { parsePreview, type Preview } from "../../src/widget/state/preview-message.js";
import { WidgetMessageError } from "../../src/widget/state/widget-errors.js";

function preview(seq: number, where: Partial<Preview> = {}, size = 4): Preview {
  return {
    seq,
    well: "A01",
    site: 1,
    channel: 1,
    z: 1,
    timepoint: 1,
    step: "normalize",
    width: size,
    height: size,
    sourceShape: [size, size],
    dtype: "uint16",
    valueMin: 0,
    valueMax: 100,
    pixels: new Uint8Array(size * size),
    ...where,
  };
}

describe("PreviewCache", () => {
  it("keeps one preview per plane of a held well, the newest by sequence number", () => {
    const cache = new PreviewCache();
    expect(cache.hold("A01")).toBe(true); // not held before: its earlier previews must be asked for
    expect(cache.hold("A01")).toBe(false);
    expect(cache.add(preview(5))).toBe(true);
    expect(cache.add(preview(3))).toBe(false); // a replayed, older copy
    expect(cache.add(preview(7))).toBe(true);
    expect(cache.size).toBe(1);
    expect([...cache.forWell("A01")].map((p) => p.seq)).toEqual([7]);
  });

  it("evicts the oldest planes when over its byte budget", () => {
    const cache = new PreviewCache(3 * 16);
    cache.hold("A01");
    for (let z = 1; z <= 5; z++) cache.add(preview(z, { z }));
    expect([...cache.forWell("A01")].map((p) => p.z)).toEqual([3, 4, 5]);
  });

  it("keeps full previews only of the last wells held; others only update their thumbnail", () => {
    const cache = new PreviewCache();
    cache.add(preview(1, { well: "A01" }, 256)); // the first wells to arrive take the free places
    cache.add(preview(2, { well: "B01" }, 256));
    cache.add(preview(3, { well: "C01" }, 256));
    expect([cache.holds("A01"), cache.holds("B01"), cache.holds("C01")]).toEqual([
      true,
      true,
      false,
    ]);
    expect([...cache.forWell("C01")]).toEqual([]);
    expect(cache.thumbnailSet("C01").get(1)?.seq).toBe(3);
    expect(cache.newest("C01")).toBe(3);
    expect(cache.hold("C01")).toBe(true); // A01 is now the least recent of three: dropped
    expect(cache.size).toBe(1);
    expect(cache.holds("A01")).toBe(false);
    expect(cache.thumbnailSet("A01").get(1)?.seq).toBe(1); // its thumbnail stays
    cache.add(preview(4, { well: "C01" }, 256));
    expect([...cache.forWell("C01")].map((p) => p.seq)).toEqual([4]);
  });

  it("holds bytes for thumbnails at the grid's resolution, not the previews'", () => {
    const cache = new PreviewCache();
    cache.thumbnails.edge = 28;
    for (let w = 0; w < 384; w++)
      for (let channel = 1; channel <= 4; channel++)
        cache.add(preview(w * 4 + channel, { well: `W${w}`, channel }, 256));
    // Two wells' previews (the first to arrive), every well's thumbnail.
    expect(cache.size).toBe(2 * 4);
    expect(cache.bytes).toBe(2 * 4 * 256 * 256 + 384 * 4 * 28 * 28);
  });

  it("reduces a thumbnail exactly as the compositor samples the full preview", () => {
    const full = preview(1, {}, 8);
    full.pixels.forEach((_, i, a) => (a[i] = i));
    const reduced = reducePreview(
      { ...full, width: 8, height: 4, pixels: full.pixels.slice(0, 32) },
      3,
    );
    expect([reduced.width, reduced.height]).toEqual([3, 2]);
    // Rows 0 and 2, columns 0, 2 and 5 (floor(x · 8 / 3)).
    expect([...reduced.pixels]).toEqual([0, 2, 5, 16, 18, 21]);
  });

  it("picks a thumbnail plane that exists: latest step, then first by site and z, every channel", () => {
    const cache = new PreviewCache();
    cache.add(preview(1, { step: "raw", channel: 1 }));
    cache.add(preview(2, { step: "normalize", z: 2, channel: 1 }));
    cache.add(preview(3, { step: "normalize", z: 1, site: 2, channel: 1 }));
    cache.add(preview(4, { step: "normalize", z: 1, site: 2, channel: 2 }));
    cache.add(preview(5, { step: "normalize", z: 2, channel: 2 }));
    // Site 1 exists only at z 2 and site 2 only at z 1: (site 1, z 2) is the first that exists.
    const set = cache.thumbnailSet("A01");
    expect([...set.values()].map((p) => p.seq)).toEqual([2, 5]);
  });

  it("tells listeners and counts a version per well", () => {
    const cache = new PreviewCache();
    let calls = 0;
    const stop = cache.subscribe(() => (calls += 1));
    cache.add(preview(1, { well: "B02" }));
    stop();
    cache.add(preview(2, { well: "B03" }));
    expect(calls).toBe(1);
    expect(cache.wellVersion("B02")).toBe(1);
    expect(cache.wellVersion("B03")).toBe(2);
    expect(cache.wellVersion("C01")).toBe(0);
  });
});

describe("parsePreview", () => {
  const header = {
    kind: "ohr-preview",
    seq: 1,
    well: "A01",
    site: 1,
    channel: 2,
    z: 1,
    timepoint: 1,
    step: "normalize",
    width: 2,
    height: 2,
    source_shape: [4, 4],
    dtype: "uint16",
    value_min: 10,
    value_max: 20,
  };

  it("copies the pixels out of the comm buffer, from its offset", () => {
    const backing = Uint8Array.from([9, 9, 1, 2, 3, 4, 9]);
    const p = parsePreview(header, [new DataView(backing.buffer, 2, 4)]);
    expect([...p.pixels]).toEqual([1, 2, 3, 4]);
    backing[2] = 0;
    expect(p.pixels[0]).toBe(1);
  });

  it("refuses a buffer of the wrong size, naming the well", () => {
    expect(() => parsePreview(header, [new DataView(new ArrayBuffer(3))])).toThrow(
      WidgetMessageError,
    );
    expect(() => parsePreview(header, [])).toThrow(/well A01.*no bytes, expected 2×2 = 4/);
  });

  it("refuses previews over 256 px and inverted value ranges, naming the field", () => {
    expect(() =>
      parsePreview({ ...header, width: 512 }, [new DataView(new ArrayBuffer(1024))]),
    ).toThrow(/width/);
    expect(() =>
      parsePreview({ ...header, value_min: 30 }, [new DataView(new ArrayBuffer(4))]),
    ).toThrow(/value_min/);
  });
});

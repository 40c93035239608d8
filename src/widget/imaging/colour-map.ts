/**
 * The heatmap's colour map: viridis (perceptually uniform, readable in grey and by most colour-
 * blind readers), as matplotlib's nine stops, interpolated linearly in between.
 */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80],
  [0x5e, 0xc9, 0x62],
  [0xad, 0xdc, 0x30],
  [0xfd, 0xe7, 0x25],
];

/** The colour of `t` in 0..1 (clamped), as `[r, g, b]` bytes. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i] ?? [0, 0, 0];
  const b = VIRIDIS[i + 1] ?? a;
  return [0, 1, 2].map((k) => Math.round((a[k] ?? 0) + ((b[k] ?? 0) - (a[k] ?? 0)) * f)) as [
    number,
    number,
    number,
  ];
}

/** Where `value` sits in `[low, high]` (0.5 when the range is a point). */
export function normalise(value: number, low: number, high: number): number {
  return high > low ? (value - low) / (high - low) : 0.5;
}

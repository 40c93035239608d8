/**
 * The plate heatmap's colour map: viridis (perceptually uniform, readable in grey and by most
 * colour-blind readers), as matplotlib's nine stops, interpolated linearly in between. The one
 * table of it: the widget's heatmap draws with it, and the sidecar's `ready` event hands it to the
 * shim for the heatmap of the static contact sheet (docs/sidecar-protocol.md §4).
 */
export const HEATMAP_COLORS = [
  "#440154",
  "#472D7B",
  "#3B528B",
  "#2C728E",
  "#21918C",
  "#28AE80",
  "#5EC962",
  "#ADDC30",
  "#FDE725",
] as const;

const STOPS = HEATMAP_COLORS.map((hex) =>
  [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)),
);

/** The colour of `t` in 0..1 (clamped; not finite: 0), as `[r, g, b]` bytes. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i] ?? [0, 0, 0];
  const b = STOPS[i + 1] ?? a;
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

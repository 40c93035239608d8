/** Small statistics for benchmark samples. */

/** The q-quantile (0–1) of `samples` by linear interpolation. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (position - low);
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/** `12.34 ms (p95 20.10 ms, n=200)` */
export function describeMs(samples: readonly number[]): string {
  return `${median(samples).toFixed(2)} ms (p95 ${quantile(samples, 0.95).toFixed(2)} ms, n=${samples.length})`;
}

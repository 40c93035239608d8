/** Text for numbers a user reads in the widget: percentages, counts (durations: src/protocol/). */

/** `42%` (floored, so 100% means done). */
export function formatPercent(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** `1 well`, `3 wells`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

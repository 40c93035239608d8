/**
 * How a duration reads, wherever a user reads one: the widget (ETA, elapsed, a relay silent for
 * so long), the CLI's lines and the run's one-line summary in Python
 * (`openhcs_remote/notebook/durations.py`). The two agree on test/vectors/durations.json.
 */

/** `4 s`, `1 min 05 s`, `2 h 03 min` (rounded to the second); `—` when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * Time-to-completion from the fraction of work done. The first estimates of a run are noisy
 * (compilation, worker start-up), so the raw estimate is smoothed and only reported once some
 * work has been measured.
 */

/** Weight of a new raw estimate against the smoothed one. */
const SMOOTHING = 0.3;
/** Below this fraction the rate is too uncertain to quote. */
const MIN_FRACTION = 0.02;

/** Estimates the remaining time of one run. */
export class EtaEstimator {
  private workStartedAt: number | null = null;
  private smoothedMs: number | null = null;
  private lastUpdateAt: number | null = null;

  /** Mark when measurable work began (the first well started). Later calls are ignored. */
  markStarted(now: number): void {
    this.workStartedAt ??= now;
  }

  /**
   * Feed the current fraction of work done (0–1) at time `now` (ms); returns the new estimate of
   * the remaining time in ms, or `null` while there is too little to go on.
   */
  update(fraction: number, now: number): number | null {
    if (this.workStartedAt === null || fraction < MIN_FRACTION) return null;
    if (fraction >= 1) {
      this.smoothedMs = 0;
      this.lastUpdateAt = now;
      return 0;
    }
    const elapsed = Math.max(0, now - this.workStartedAt);
    const raw = (elapsed * (1 - fraction)) / fraction;
    this.smoothedMs =
      this.smoothedMs === null || this.lastUpdateAt === null
        ? raw
        : SMOOTHING * raw +
          (1 - SMOOTHING) * Math.max(0, this.smoothedMs - (now - this.lastUpdateAt));
    this.lastUpdateAt = now;
    return Math.round(this.smoothedMs);
  }

  /** The last estimate, counted down to `now`, or `null`. */
  remainingAt(now: number): number | null {
    if (this.smoothedMs === null || this.lastUpdateAt === null) return null;
    return Math.max(0, Math.round(this.smoothedMs - (now - this.lastUpdateAt)));
  }
}

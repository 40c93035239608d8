/**
 * Coalesce a fast stream of values into at most one delivery per interval, always delivering the
 * latest: OpenHCS sends a progress event per pattern group, far more than a person can read.
 */
export class LatestThrottle<T> {
  private latest: T | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (value: T) => void,
  ) {}

  /** Offer a value; it is delivered now if the interval has passed, else at its end. */
  push(value: T): void {
    this.latest = value;
    if (this.timer !== null) return;
    const wait = this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** Deliver the pending value, if any, at once. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.latest === null) return;
    const value = this.latest;
    this.latest = null;
    this.lastSentAt = Date.now();
    this.deliver(value);
  }
}

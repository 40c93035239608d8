/**
 * A clock that ticks while its host needs it (a running run's elapsed time and ETA) and stops
 * when the host leaves the page or the run ends, so finished widgets cost nothing.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export class ClockController implements ReactiveController {
  /** Time of the last tick (`Date.now()`). */
  now = Date.now();
  readonly #host: ReactiveControllerHost;
  readonly #active: () => boolean;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param active - read after every host update: tick only while it returns true.
   * @param intervalMs - tick period.
   */
  constructor(host: ReactiveControllerHost, active: () => boolean, intervalMs = 1000) {
    this.#host = host;
    this.#active = active;
    this.#intervalMs = intervalMs;
    host.addController(this);
  }

  /** Whether the clock is ticking. */
  get ticking(): boolean {
    return this.#timer !== undefined;
  }

  hostConnected(): void {
    this.#sync();
  }

  hostUpdated(): void {
    this.#sync();
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sync(): void {
    const active = this.#active();
    if (active && this.#timer === undefined) {
      this.now = Date.now();
      this.#timer = setInterval(() => {
        this.now = Date.now();
        this.#host.requestUpdate();
      }, this.#intervalMs);
    } else if (!active && this.#timer !== undefined) {
      this.hostDisconnected();
    }
  }
}

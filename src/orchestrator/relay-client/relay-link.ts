/**
 * Whether the relay answers, as a person watching a run wants to know it: `reconnecting` once a
 * session that was open goes quiet (three silent heartbeats, a restarted relay, a session the
 * relay forgot), `connected` when a new `welcome` answers, `lost` when the stream gave up on it.
 * Each change is reported once; the first `welcome` of a stream is no news.
 */

/** Where the link to the relay stands. */
export type RelayLinkState = "reconnecting" | "connected" | "lost";

/** Why a session was lost: silence, a new relay incarnation, or `ERR_NO_SESSION`. */
export type RelayLinkReason = "silent" | "restarted" | "no_session";

/** One change of the link, as {@link ResultStreamOptions.onRelayLink} hands it. */
export interface RelayLinkChange {
  readonly state: RelayLinkState;
  /** `host:port` of the relay's stream socket. */
  readonly address: string;
  /** When the relay was last heard from (ms since the epoch). */
  readonly lastHeardAt: number;
  /** How long it had been silent when this change was seen (0 for `connected`). */
  readonly silentMs: number;
  /** Why the session was lost (`reconnecting`, and `lost` after one); `null` otherwise. */
  readonly reason: RelayLinkReason | null;
}

/**
 * The state machine: feed it what the session sees; it calls `report` on each change.
 * @internal exported for its unit test; streams report through `onRelayLink`.
 */
export class RelayLinkWatch {
  #state: RelayLinkState | "connecting" = "connecting";
  #reason: RelayLinkReason | null = null;

  constructor(
    private readonly address: string,
    private readonly report: (change: RelayLinkChange) => void,
  ) {}

  /** Where the link stands; `connecting` until the first `welcome`. */
  get state(): RelayLinkState | "connecting" {
    return this.#state;
  }

  /** An open session was lost; the session says hello again. */
  lost(reason: RelayLinkReason, lastHeardAt: number, now = Date.now()): void {
    if (this.#state !== "connected") return;
    this.#reason = reason;
    this.#change("reconnecting", lastHeardAt, now - lastHeardAt);
  }

  /** A `welcome` opened a session. */
  welcomed(now = Date.now()): void {
    const was = this.#state;
    this.#reason = null;
    this.#state = "connected";
    if (was === "reconnecting") this.#change("connected", now, 0);
  }

  /** The stream gave up (the relay stayed away past its budget, or refused the stream). */
  failed(lastHeardAt: number, now = Date.now()): void {
    if (this.#state === "lost") return;
    this.#change("lost", lastHeardAt, now - lastHeardAt);
  }

  #change(state: RelayLinkState, lastHeardAt: number, silentMs: number): void {
    this.#state = state;
    this.report({
      state,
      address: this.address,
      lastHeardAt,
      silentMs: Math.max(0, silentMs),
      reason: state === "connected" ? null : this.#reason,
    });
  }
}

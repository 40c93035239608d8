/**
 * `ResultStream`: one run's results from the relay, as an async iterable (docs/relay-stream-
 * protocol.md §5–§6). It subscribes from where it stands, keeps a credit window in flight, drops
 * duplicates, reports gaps, ends at the run's `end`, and survives relay restarts and reconnects
 * (a new session resubscribes from the next seq; the relay refills from its spool).
 *
 * Memory stays bounded: credit goes back only for what the consumer has taken, so at most one
 * window (items and bytes) waits here, however slow the consumer.
 *
 * @example
 * const stream = new ResultStream({ host, port }, executionId, { signal });
 * for await (const entry of stream) {
 *   if (isResultGap(entry)) console.warn(`seqs ${entry.fromSeq}..${entry.toSeq} ${entry.reason}`);
 *   else console.log(entry.well, entry.site, entry.channel, entry.seq);
 * }
 * console.log(stream.summary); // delivered, gaps, missing, status …
 */
import {
  creditMessage,
  decodePlane,
  PlaneDecodeError,
  subscribeMessage,
  type DecodedPreviewImage,
  type PlaneEncoding,
  type RelayDelivery,
  type Welcome,
} from "../../protocol/index.js";
import { CreditWindow, type CreditGrant } from "./credit-window.js";
import { releaseFrame } from "./frame-release.js";
import type { RelayLinkChange } from "./relay-link.js";
import { RelaySession, type RelayEndpoint, type StreamMessage } from "./relay-session.js";
import type { ResultGap, ResultItem } from "../result-image.js";
import { RelayProtocolError, type StreamPlace } from "./result-stream-errors.js";
import { CursorFault, RunCursor, type RunEndStatus } from "./run-cursor.js";
import { toResultItem } from "./to-result-item.js";
import { DEFAULT_LOST_AFTER_MS } from "../lost-after.js";

/** Options of {@link ResultStream}. */
export interface ResultStreamOptions {
  /** First seq wanted (default 1: everything the relay still holds). */
  readonly fromSeq?: number | undefined;
  /** Ends the iteration (quietly) and closes the socket. */
  readonly signal?: AbortSignal | undefined;
  /** Called for each gap, in stream order, when the consumer reaches it. */
  readonly onGap?: ((gap: ResultGap) => void) | undefined;
  /**
   * Called when the relay goes quiet (`reconnecting`, with its address and since when), answers
   * again (`connected`), or the stream gives up on it (`lost`), as soon as the session sees it.
   */
  readonly onRelayLink?: ((change: RelayLinkChange) => void) | undefined;
  /** Credit window: messages in flight; default 64 (the relay clips at 256). */
  readonly creditItems?: number | undefined;
  /** Credit window in bytes; default 128 MiB (the relay clips at 256 MiB). */
  readonly creditBytes?: number | undefined;
  /** Budget of the first `welcome`; default 10 000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** How long the relay may stay away once connected; default {@link DEFAULT_LOST_AFTER_MS}. */
  readonly lostAfterMs?: number | undefined;
  readonly clientName?: string | undefined;
  /**
   * `"full"` (default): every image with its pixels. `"previews"`: each image's 8-bit preview,
   * made on the server host, as a `preview` item; fetch full resolution with `fetchPlane`.
   */
  readonly delivery?: RelayDelivery | undefined;
  /**
   * How previews travel in `"previews"` delivery: `"blosc"` (default, when the relay offers it:
   * a third to a fifth of the bytes on the demo's plates) or `"raw"`. The stream yields the
   * decoded pixels either way.
   */
  readonly previewEncoding?: PlaneEncoding | undefined;
  /**
   * Free each image's pixels (`data`) as soon as the consumer asks for the next entry, rather
   * than at V8's next collection (frame-release.ts): for consumers that are done with an item
   * by then (the sidecar writes it to its store and lets go). Default false: items stay whole.
   */
  readonly releaseFrames?: boolean | undefined;
}

/** What a stream delivered and what it knows is missing. */
export interface ResultSummary {
  readonly executionId: string;
  /** Items delivered (each seq once). */
  readonly delivered: number;
  /** Messages dropped because their seq had already been delivered or reported. */
  readonly duplicates: number;
  /** Seq ranges that will never arrive, merged in order. */
  readonly gaps: readonly ResultGap[];
  /** How many seqs the gaps cover. */
  readonly missing: number;
  /** The first seq not yet delivered: where to resume (`results(id, { fromSeq })`). */
  readonly nextSeq: number;
  /** The run's last seq, once its `end` arrived. */
  readonly lastSeq: number | null;
  /** How the relay saw the run end; `null` until it did. */
  readonly status: RunEndStatus | null;
  readonly ended: boolean;
  /** Relay sessions this stream opened (more than one: it reconnected). */
  readonly sessions: number;
  /** Relay incarnations seen (more than one: the relay restarted). */
  readonly incarnations: readonly string[];
}

type Entry =
  | { readonly item: ResultItem; readonly size: number }
  /** A preview whose pixels are still Blosc-encoded: decoded when the consumer takes it. */
  | { readonly encoded: DecodedPreviewImage; readonly size: number }
  | { readonly gap: ResultGap; readonly size: number }
  | {
      readonly end: { readonly lastSeq: number; readonly status: RunEndStatus };
      readonly size: number;
    };

/**
 * One run's results. Iterate once; gaps are yielded as entries (see `isResultGap`) unless the
 * stream was made with `yieldGaps: false`, in which case only `onGap` sees them.
 */
export class ResultStream<
  E extends ResultItem | ResultGap = ResultItem | ResultGap,
> implements AsyncIterable<E> {
  private readonly cursor: RunCursor;
  private readonly credit: CreditWindow;
  private readonly session: RelaySession;
  private readonly queue: Entry[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private closed = false;
  private iterated = false;
  private known = false;
  private activityAt = Date.now();
  /** What the consumer has taken: the summary reports this, not what merely arrived. */
  private readonly taken: {
    delivered: number;
    nextSeq: number;
    missing: number;
    gaps: ResultGap[];
    end: { lastSeq: number; status: RunEndStatus } | null;
  };

  constructor(
    readonly endpoint: RelayEndpoint,
    readonly executionId: string,
    private readonly options: ResultStreamOptions & { readonly yieldGaps?: boolean } = {},
  ) {
    // Refuse a run id or start seq the relay would refuse, here and now rather than later.
    subscribeMessage(executionId, options.fromSeq ?? 1, options.delivery);
    this.cursor = new RunCursor(executionId, options.fromSeq ?? 1);
    this.taken = { delivered: 0, nextSeq: this.cursor.nextSeq, missing: 0, gaps: [], end: null };
    this.credit = new CreditWindow({
      items: options.creditItems ?? 64,
      bytes: options.creditBytes ?? 128 * 1024 * 1024,
    });
    this.session = new RelaySession(
      endpoint,
      {
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        lostAfterMs: options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS,
        clientName: options.clientName ?? "openhcs-remote (TypeScript)",
      },
      {
        onWelcome: (welcome) => {
          this.onWelcome(welcome);
        },
        onMessage: (message, size) => {
          this.onMessage(message, size);
        },
        onFailure: (error) => {
          this.stop(error);
        },
        onLink: (change) => {
          options.onRelayLink?.(change);
        },
        place: () => this.place(),
      },
    );
  }

  /** `host:port` of the relay's stream socket. */
  get address(): string {
    return this.session.address;
  }

  /** Whether the relay has shown it knows this run (listed it, announced it, or sent for it). */
  get runKnown(): boolean {
    return this.known;
  }

  /** When something for this run last arrived (ms since the epoch). */
  get lastActivityAt(): number {
    return this.activityAt;
  }

  /** What the consumer has been given so far (what arrived but was not taken does not count). */
  get summary(): ResultSummary {
    const taken = this.taken;
    return {
      executionId: this.executionId,
      delivered: taken.delivered,
      duplicates: this.cursor.duplicates,
      gaps: [...taken.gaps],
      missing: taken.missing,
      nextSeq: taken.nextSeq,
      lastSeq: taken.end?.lastSeq ?? null,
      status: taken.end?.status ?? null,
      ended: taken.end !== null,
      sessions: this.session.sessions,
      incarnations: [...this.session.incarnations],
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<E> {
    if (this.iterated)
      throw new Error(`the result stream of run ${this.executionId} was iterated already`);
    this.iterated = true;
    const signal = this.options.signal;
    const onAbort = (): void => {
      this.stop(null);
    };
    // A function, so that the check is not narrowed away across the awaits below.
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) return;
    signal?.addEventListener("abort", onAbort, { once: true });
    this.session.start();
    try {
      for (;;) {
        if (aborted()) return;
        const entry = this.queue.shift();
        if (entry === undefined) {
          if (this.failure !== null) throw this.failure;
          if (this.closed) return;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = null;
          continue;
        }
        this.giveBack(this.credit.taken(entry.size));
        if ("end" in entry) {
          this.taken.end = entry.end;
          return;
        }
        if ("gap" in entry) {
          this.taken.gaps.push(entry.gap);
          this.taken.missing += entry.gap.toSeq - entry.gap.fromSeq + 1;
          this.taken.nextSeq = entry.gap.toSeq + 1;
          this.options.onGap?.(entry.gap);
          if (this.options.yieldGaps !== false) yield entry.gap as E;
          continue;
        }
        const item = "encoded" in entry ? await this.decoded(entry.encoded) : entry.item;
        this.taken.delivered += 1;
        this.taken.nextSeq = item.seq + 1;
        yield item as E;
        // The consumer asked for the next entry: it is done with this one.
        if (this.options.releaseFrames === true && item.kind === "image") releaseFrame(item.data);
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.stop(null);
    }
  }

  /** Stop: close the session; an iteration in progress ends after what it already holds. */
  close(): void {
    this.stop(null);
  }

  private onWelcome(welcome: Welcome): void {
    if (welcome.runs.some((run) => run.execution_id === this.executionId)) this.noteActivity();
    if (this.cursor.ended) return;
    const offered = welcome.encodings ?? ["raw"];
    const wanted = this.options.previewEncoding ?? "blosc";
    this.session.send(
      subscribeMessage(
        this.executionId,
        this.cursor.nextSeq,
        this.options.delivery,
        offered.includes(wanted) ? wanted : "raw",
      ),
    );
    const grant = this.credit.open(
      welcome.limits.max_credit_items,
      welcome.limits.max_credit_bytes,
    );
    if (grant !== null) this.session.send(creditMessage(grant.items, grant.bytes));
  }

  private onMessage(message: StreamMessage, size: number): void {
    if (message.type === "run_started") {
      if (message.execution_id === this.executionId) this.noteActivity();
      return;
    }
    const executionId =
      message.type === "item" ? message.header.execution_id : message.execution_id;
    if (executionId !== this.executionId || this.cursor.ended) {
      this.giveBack(this.credit.spent(size)); // not ours (or after the end): never held
      return;
    }
    this.noteActivity();
    try {
      const entry = this.accept(message, size);
      if (entry === null) {
        this.giveBack(this.credit.spent(size)); // a duplicate: dropped, never held
        return;
      }
      this.credit.received(size);
      // Old-session messages may still arrive after a new session's grant, so up to two
      // windows can be legitimately held; beyond that the relay ignores our credit.
      if (this.credit.held.items > 2 * this.credit.size.items + 1) {
        throw new CursorFault(
          "credit",
          `the relay sent ${this.credit.held.items} messages without credit`,
        );
      }
      this.queue.push(entry);
      this.wake?.();
    } catch (error) {
      if (!(error instanceof CursorFault)) throw error;
      this.stop(new RelayProtocolError(this.place(), error.field, error.message));
    }
  }

  /** Apply the sequence rules; `null` for a duplicate. */
  private accept(
    message: Exclude<StreamMessage, { type: "run_started" }>,
    size: number,
  ): Entry | null {
    switch (message.type) {
      case "item":
        if (!this.cursor.item(message.header.seq)) return null;
        return "preview" in message && message.header.preview?.encoding === "blosc"
          ? { encoded: message, size }
          : { item: toResultItem(message), size };
      case "gap": {
        const gap = this.cursor.gap(message.from_seq, message.to_seq, message.reason);
        return gap === null ? null : { gap, size };
      }
      case "end":
        this.cursor.end(message.last_seq);
        return { end: { lastSeq: message.last_seq, status: message.status }, size };
    }
  }

  /** A Blosc-encoded preview's item with its pixels decoded; a bad buffer ends the stream. */
  private async decoded(message: DecodedPreviewImage): Promise<ResultItem> {
    const { preview, header } = message;
    const meta = header.preview;
    if (preview === null || meta === null) return toResultItem(message);
    try {
      const pixels = await decodePlane("blosc", preview, {
        nbytes: meta.width * meta.height,
        dtype: "uint8",
      });
      return toResultItem({ ...message, preview: pixels }, preview.byteLength);
    } catch (error) {
      if (!(error instanceof PlaneDecodeError)) throw error;
      const failure = new RelayProtocolError(
        this.place(),
        "preview",
        `seq ${header.seq}: ${error.message}`,
        { cause: error },
      );
      this.stop(failure);
      throw failure;
    }
  }

  private giveBack(grant: CreditGrant | null): void {
    // Credit taken while no session is open goes back with the next session's opening grant.
    if (grant !== null && this.session.open) {
      this.session.send(creditMessage(grant.items, grant.bytes));
    }
  }

  private noteActivity(): void {
    this.known = true;
    this.activityAt = Date.now();
  }

  private stop(error: Error | null): void {
    if (error !== null && this.failure === null && !this.closed) this.failure = error;
    this.closed = true;
    this.session.close();
    this.wake?.();
  }

  private place(): StreamPlace {
    return {
      address: this.session.address,
      executionId: this.executionId,
      nextSeq: this.cursor.nextSeq,
    };
  }
}

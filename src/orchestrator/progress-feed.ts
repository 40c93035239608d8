/**
 * The publish/subscribe half of the OpenHCS execution protocol: every run's progress, one JSON
 * object per message, on a PUB socket at the data port. One SUB socket per orchestrator fans the
 * validated events out to listeners by execution id.
 */
import { Subscriber } from "zeromq";
import {
  MAX_PROGRESS_EVENT_BYTES,
  ProgressEventSchema,
  type ProgressEvent,
} from "../protocol/index.js";

/** Something the feed could not use, reported instead of dropped silently. */
export interface FeedWarning {
  readonly code: "invalid-progress" | "progress-overflow";
  readonly message: string;
}

type Listener = (event: ProgressEvent) => void;

/** Events kept for a slow `for await` consumer before the oldest are dropped (and reported). */
export const PROGRESS_QUEUE_LIMIT = 10_000;

/** Shared SUB socket with per-run listeners. */
export class ProgressFeed {
  private socket: Subscriber | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly anyListeners = new Set<Listener>();
  /** Messages that failed validation so far. */
  invalidCount = 0;

  constructor(
    readonly url: string,
    readonly address: string,
    private readonly onWarning: (warning: FeedWarning) => void,
  ) {}

  /** Whether the SUB socket is open. */
  get started(): boolean {
    return this.socket !== null;
  }

  /**
   * Connect and subscribe to everything. Resolves once the connection is up (or after
   * `waitMs` — PUB/SUB has no replay, so a later connect only risks missing early events).
   */
  async start(waitMs = 1000): Promise<void> {
    if (this.socket !== null) return;
    const socket = new Subscriber({ linger: 0, maxMessageSize: MAX_PROGRESS_EVENT_BYTES });
    this.socket = socket;
    const connected = new Promise<void>((resolve) => {
      socket.events.on("connect", () => {
        resolve();
      });
      setTimeout(resolve, waitMs).unref();
    });
    socket.connect(this.url);
    socket.subscribe();
    void this.pump(socket);
    await connected;
  }

  private async pump(socket: Subscriber): Promise<void> {
    try {
      for await (const [frame] of socket) {
        if (frame !== undefined) this.dispatch(frame);
      }
    } catch (error) {
      // Closing the socket ends iteration quietly; anything else is worth a warning.
      if (!socket.closed) {
        this.onWarning({
          code: "invalid-progress",
          message: `progress feed from ${this.address} stopped: ${String(error)}`,
        });
      }
    }
  }

  private dispatch(frame: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame.toString("utf8"));
    } catch (error) {
      this.reject(`not JSON (${(error as Error).message})`);
      return;
    }
    const result = ProgressEventSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.join(".") ?? "?";
      const run =
        isRecord(parsed) && typeof parsed.execution_id === "string" ? parsed.execution_id : "?";
      this.reject(`field '${field}' of an event for run ${run}: ${issue?.message ?? "invalid"}`);
      return;
    }
    const event = result.data;
    for (const listener of this.anyListeners) listener(event);
    for (const listener of this.listeners.get(event.execution_id) ?? []) listener(event);
  }

  private reject(reason: string): void {
    this.invalidCount += 1;
    this.onWarning({
      code: "invalid-progress",
      message: `ignored a malformed progress message from ${this.address}: ${reason}`,
    });
  }

  /** Call `listener` for each event of one run (or of every run, with `null`); returns an unsubscribe. */
  listen(executionId: string | null, listener: Listener): () => void {
    if (executionId === null) {
      this.anyListeners.add(listener);
      return () => this.anyListeners.delete(listener);
    }
    let set = this.listeners.get(executionId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(executionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(executionId);
    };
  }

  /**
   * The events of one run as an async iterable. It ends when `signal` aborts or the feed closes.
   */
  async *events(executionId: string, signal?: AbortSignal): AsyncGenerator<ProgressEvent> {
    const queue: ProgressEvent[] = [];
    let wake: (() => void) | null = null;
    let dropped = 0;
    const unlisten = this.listen(executionId, (event) => {
      if (queue.length >= PROGRESS_QUEUE_LIMIT) {
        queue.shift();
        dropped += 1;
      }
      queue.push(event);
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      while (signal?.aborted !== true && this.socket !== null) {
        if (dropped > 0) {
          this.onWarning({
            code: "progress-overflow",
            message: `dropped ${dropped} progress events of run ${executionId}: the consumer fell behind`,
          });
          dropped = 0;
        }
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250).unref();
        });
        wake = null;
      }
    } finally {
      unlisten();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Close the socket; iterators end. */
  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * A model implementing the anywidget contract (get/set/on/off/send/save_changes, `msg:custom`
 * with DataView buffers) the way ipywidgets does in a browser, with the kernel side reachable
 * from tests: `kernelSet` changes a trait as the shim would, `kernelSend` delivers a custom
 * message. Buffers are delivered as DataViews at an odd offset into a larger ArrayBuffer, as
 * comm buffers can be, so code that ignores `byteOffset` fails here.
 */
import type { AnyModel } from "../../../src/widget/model/anywidget-types.js";
import type { OhrRunState } from "../../../src/widget/state/run-state.js";

type Listener = (...args: never[]) => void;

/** What the browser sent to the kernel. */
export interface SentMessage {
  readonly content: Record<string, unknown>;
  readonly buffers: readonly (ArrayBuffer | ArrayBufferView)[];
}

export class MockModel implements AnyModel<OhrRunState> {
  readonly state: Record<string, unknown>;
  readonly sent: SentMessage[] = [];
  /** Snapshot of the traits the browser changed, per `save_changes()`. */
  readonly saved: Record<string, unknown>[] = [];
  /** Called for every message the browser sends (the shim's `on_msg`). */
  onSend: ((message: SentMessage) => void) | null = null;
  readonly #listeners = new Map<string, Listener[]>();
  #dirty: Record<string, unknown> = {};

  constructor(state: Partial<OhrRunState> = {}) {
    this.state = { ...state };
  }

  get<K extends keyof OhrRunState>(key: K): OhrRunState[K] {
    return this.state[key] as OhrRunState[K];
  }

  set<K extends keyof OhrRunState>(key: K, value: OhrRunState[K]): void {
    this.state[key] = value;
    this.#dirty[key] = value;
    this.#emit(`change:${key}`, this, value);
  }

  save_changes(): void {
    this.saved.push(this.#dirty);
    this.#dirty = {};
  }

  on(event: string, handler: Listener): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), handler]);
  }

  off(event?: string | null, handler?: Listener | null): void {
    for (const [name, handlers] of this.#listeners) {
      if (event != null && name !== event) continue;
      this.#listeners.set(
        name,
        handlers.filter((h) => handler != null && h !== handler),
      );
    }
  }

  send(
    content: unknown,
    _callbacks?: unknown,
    buffers: readonly (ArrayBuffer | ArrayBufferView)[] = [],
  ): void {
    const message = { content: content as Record<string, unknown>, buffers };
    this.sent.push(message);
    this.onSend?.(message);
  }

  /** How many listeners are registered for `event` (leak checks). */
  listenerCount(event: string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Every event that has listeners. */
  listenedEvents(): string[] {
    return [...this.#listeners].filter(([, h]) => h.length > 0).map(([e]) => e);
  }

  /** The shim changes a trait. */
  kernelSet(key: keyof OhrRunState, value: unknown): void {
    this.state[key] = value;
    this.#emit(`change:${key}`, this, value);
  }

  /** The shim sends a custom message with binary buffers. */
  kernelSend(content: unknown, buffers: readonly Uint8Array[] = []): void {
    const views = buffers.map((bytes) => {
      const padded = new Uint8Array(bytes.byteLength + 7);
      padded.set(bytes, 3);
      return new DataView(padded.buffer, 3, bytes.byteLength);
    });
    this.#emit("msg:custom", content, views);
  }

  /** Commands the browser sent, by name. */
  commands(name?: string): Record<string, unknown>[] {
    return this.sent
      .map((m) => m.content)
      .filter((c) => c.kind === "ohr-command" && (name === undefined || c.name === name));
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const handler of this.#listeners.get(event) ?? [])
      (handler as (...a: unknown[]) => void)(...args);
  }
}

/**
 * The anywidget model contract over an ipywidgets (Backbone) model: only get/set/on/off/send/
 * save_changes, custom-message buffers always as DataViews, and `off` that removes only the
 * listeners registered through this adapter (never another view's). One adapter per model, so
 * `initialize` and every `render` see the same object.
 */
import type { WidgetModel } from "@jupyter-widgets/base";
import type { AnyModel } from "./anywidget-types.js";

type Handler = (...args: never[]) => void;
/** What Backbone calls: it passes whatever the event carries. */
type Listener = (...args: unknown[]) => void;

function asDataViews(buffers: readonly (ArrayBuffer | ArrayBufferView)[] | undefined): DataView[] {
  return (buffers ?? []).map((b) =>
    b instanceof DataView
      ? b
      : ArrayBuffer.isView(b)
        ? new DataView(b.buffer, b.byteOffset, b.byteLength)
        : new DataView(b),
  );
}

class BackboneModelAdapter<T extends object> implements AnyModel<T> {
  readonly #model: WidgetModel;
  readonly #registrations: { event: string; handler: Handler; wrapped: Listener }[] = [];

  constructor(model: WidgetModel) {
    this.#model = model;
  }

  get<K extends keyof T & string>(key: K): T[K] {
    return this.#model.get(key) as T[K];
  }

  set<K extends keyof T & string>(key: K, value: T[K]): void {
    this.#model.set(key, value);
  }

  save_changes(): void {
    this.#model.save_changes();
  }

  on(event: string, handler: Handler): void {
    const wrapped: Listener =
      event === "msg:custom"
        ? (content, buffers) => {
            const views = asDataViews(buffers as (ArrayBuffer | ArrayBufferView)[] | undefined);
            (handler as (c: unknown, b: DataView[]) => void)(content, views);
          }
        : (handler as Listener);
    this.#model.on(event, wrapped);
    this.#registrations.push({ event, handler, wrapped });
  }

  off(event?: string | null, handler?: Handler | null): void {
    for (let i = this.#registrations.length - 1; i >= 0; i--) {
      const r = this.#registrations[i];
      if (
        r === undefined ||
        (event != null && r.event !== event) ||
        (handler != null && r.handler !== handler)
      )
        continue;
      this.#model.off(r.event, r.wrapped);
      this.#registrations.splice(i, 1);
    }
  }

  send(
    content: unknown,
    callbacks?: unknown,
    buffers?: readonly (ArrayBuffer | ArrayBufferView)[],
  ): void {
    this.#model.send(
      content as Parameters<WidgetModel["send"]>[0],
      callbacks as Parameters<WidgetModel["send"]>[1],
      buffers as ArrayBuffer[] | undefined,
    );
  }
}

const adapters = new WeakMap<WidgetModel, AnyModel<object>>();

/** The one anywidget-contract view of `model`. */
export function anyModelOf<T extends object>(model: WidgetModel): AnyModel<T> {
  let adapter = adapters.get(model);
  if (adapter === undefined) adapters.set(model, (adapter = new BackboneModelAdapter<T>(model)));
  return adapter as AnyModel<T>;
}

/**
 * Binds a Lit element to an anywidget model for as long as the element is in the page: on
 * connect it subscribes to the traits it was given (and delivers their current values), on
 * disconnect it removes exactly the listeners it added. The element itself never sees the model;
 * the adapter (module.ts) decides what a trait means for it.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { AnyModel, CustomMessageHandler } from "./anywidget-types.js";

/** What to watch and where to deliver it. */
export interface ModelControllerOptions<T extends object> {
  /** Traits to watch; each is delivered once on connect, then on every change. */
  readonly traits: readonly (keyof T & string)[];
  readonly onChange: <K extends keyof T & string>(key: K, value: T[K]) => void;
  /** Custom messages from the kernel, while connected. */
  readonly onMessage?: CustomMessageHandler | undefined;
}

export class ModelController<T extends object> implements ReactiveController {
  readonly model: AnyModel<T>;
  readonly #options: ModelControllerOptions<T>;
  readonly #subscriptions: [event: string, handler: () => void][] = [];

  constructor(
    host: ReactiveControllerHost,
    model: AnyModel<T>,
    options: ModelControllerOptions<T>,
  ) {
    this.model = model;
    this.#options = options;
    host.addController(this);
  }

  /** Whether the controller currently listens to the model. */
  get subscribed(): boolean {
    return this.#subscriptions.length > 0;
  }

  hostConnected(): void {
    if (this.subscribed) return;
    for (const key of this.#options.traits) {
      const deliver = (): void => {
        this.#options.onChange(key, this.model.get(key));
      };
      this.model.on(`change:${key}`, deliver);
      this.#subscriptions.push([`change:${key}`, deliver]);
      deliver();
    }
    const onMessage = this.#options.onMessage;
    if (onMessage !== undefined) {
      this.model.on("msg:custom", onMessage);
      this.#subscriptions.push(["msg:custom", onMessage as () => void]);
    }
  }

  hostDisconnected(): void {
    for (const [event, handler] of this.#subscriptions.splice(0)) this.model.off(event, handler);
  }
}

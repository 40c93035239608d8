/**
 * The anywidget front-end contract (AFM), typed locally: `@anywidget/types` is not a dependency,
 * and the few lines we need are stable (anywidget `packages/types/index.ts`, 0.9+). The model is
 * the narrow get/set/on/off/send/save_changes subset of an ipywidgets model, so the same module
 * runs under anywidget, under our JupyterLab plugin, and in tests with a plain object.
 */

/** Handler for `change:<trait>` events. Backbone passes the model first, then the new value. */
export type ChangeHandler<V> = (model: unknown, value: V) => void;

/** Handler for `msg:custom`: the JSON content and the binary buffers, always as DataViews. */
export type CustomMessageHandler = (content: unknown, buffers: readonly DataView[]) => void;

/** The model a widget module is given, generic over its synced state. */
export interface AnyModel<T extends object> {
  /** Current value of a trait. */
  get<K extends keyof T & string>(key: K): T[K];
  /** Set a trait locally; call {@link AnyModel.save_changes} to sync it to the kernel. */
  set<K extends keyof T & string>(key: K, value: T[K]): void;
  /** Push local `set`s to the kernel. */
  save_changes(): void;
  on(event: "msg:custom", handler: CustomMessageHandler): void;
  on<K extends keyof T & string>(event: `change:${K}`, handler: ChangeHandler<T[K]>): void;
  off(event?: string | null, handler?: ((...args: never[]) => void) | null): void;
  /** Send a custom message to the kernel side, with optional binary buffers. */
  send(
    content: unknown,
    callbacks?: unknown,
    buffers?: readonly (ArrayBuffer | ArrayBufferView)[],
  ): void;
}

/** A function a lifecycle hook may return; called when the model or view goes away. */
export type Cleanup = () => void | Promise<void>;

/** Called once per model. */
export type Initialize<T extends object> = (props: {
  model: AnyModel<T>;
}) => Cleanup | undefined | Promise<Cleanup | undefined>;

/** Called once per view (output cell showing the model). */
export type Render<T extends object> = (props: {
  model: AnyModel<T>;
  el: HTMLElement;
}) => Cleanup | undefined | Promise<Cleanup | undefined>;

/** The default export of an anywidget ES module. */
export interface AnyWidget<T extends object> {
  initialize?: Initialize<T>;
  render?: Render<T>;
}

/**
 * Async work tied to an element, after `@lit/task` (not a dependency here): it runs when its
 * arguments change, each run gets its own AbortSignal (the previous one is aborted), a call
 * counter keeps a stale run from overwriting a newer result, and `render()` picks a template by
 * status.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export const TaskStatus = { INITIAL: 0, PENDING: 1, COMPLETE: 2, ERROR: 3 } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** What to run and with which arguments. */
export interface TaskConfig<A extends readonly unknown[], R> {
  readonly task: (args: A, options: { signal: AbortSignal }) => Promise<R>;
  /** Read before each host update; `null` means "nothing to do" (back to INITIAL). */
  readonly args: () => A | null;
}

/** Templates per status; missing ones render nothing. */
export interface TaskRenderers<R, T> {
  initial?: () => T;
  pending?: () => T;
  complete?: (value: R) => T;
  error?: (error: unknown) => T;
}

export class TaskController<A extends readonly unknown[], R> implements ReactiveController {
  status: TaskStatus = TaskStatus.INITIAL;
  value: R | undefined;
  error: unknown;
  readonly #host: ReactiveControllerHost;
  readonly #config: TaskConfig<A, R>;
  #key: string | null | undefined;
  #abort: AbortController | undefined;
  #call = 0;

  constructor(host: ReactiveControllerHost, config: TaskConfig<A, R>) {
    this.#host = host;
    this.#config = config;
    host.addController(this);
  }

  hostUpdate(): void {
    const args = this.#config.args();
    // Arguments are plain data (coordinates, channel lists); JSON is an adequate identity.
    const key = args === null ? null : JSON.stringify(args);
    if (key === this.#key) return;
    this.#key = key;
    this.#abort?.abort();
    this.#call += 1;
    if (args === null) {
      this.status = TaskStatus.INITIAL;
      this.value = undefined;
      return;
    }
    // Set synchronously so this very render shows "pending"; no requestUpdate during update.
    this.status = TaskStatus.PENDING;
    void this.#run(args, this.#call);
  }

  hostDisconnected(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#key = undefined; // run again if the host comes back
    this.#call += 1;
  }

  render<T>(renderers: TaskRenderers<R, T>): T | undefined {
    switch (this.status) {
      case TaskStatus.INITIAL:
        return renderers.initial?.();
      case TaskStatus.PENDING:
        return renderers.pending?.();
      case TaskStatus.COMPLETE:
        return renderers.complete?.(this.value as R);
      case TaskStatus.ERROR:
        return renderers.error?.(this.error);
    }
  }

  async #run(args: A, call: number): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const value = await this.#config.task(args, { signal: abort.signal });
      if (call !== this.#call) return;
      this.status = TaskStatus.COMPLETE;
      this.value = value;
    } catch (error) {
      if (call !== this.#call) return;
      this.status = TaskStatus.ERROR;
      this.error = error;
    }
    this.#host.requestUpdate();
  }
}

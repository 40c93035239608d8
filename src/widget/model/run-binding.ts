/**
 * Binds one `<ohr-run-view>` to the model while it is in the page: traits (validated) become
 * properties, previews become redraws (at most one per animation frame), and the view's events
 * become trait changes and commands. Everything it starts it stops on disconnect.
 */
import type { ReactiveController } from "lit";
import type { AnyModel } from "./anywidget-types.js";
import {
  CANCEL_IDLE,
  RERUN_IDLE,
  CommandAbortedError,
  CommandTimeoutError,
  WidgetMessageError,
  TRAIT_NAMES,
  parseTrait,
  type OhrRunState,
  type TraitName,
} from "../state/index.js";
import type {
  CancelRequestDetail,
  RerunRequestDetail,
  ViewChangeDetail,
  OhrRunView,
} from "../elements/index.js";
import { invoke } from "./invoke.js";
import { ModelController } from "./model-controller.js";
import type { ModelSession } from "./model-session.js";
import { isOhrError } from "../../protocol/index.js";

/** Trait name → property of `<ohr-run-view>` (snake_case on the wire, camelCase in TS). */
const PROPERTY: Readonly<Record<TraitName, keyof OhrRunView>> = {
  execution_id: "executionId",
  server: "server",
  status: "status",
  progress: "progress",
  wells: "wells",
  plate_layout: "plateLayout",
  channels: "channels",
  axes: "axes",
  images_received: "imagesReceived",
  gaps: "gaps",
  error: "error",
  relay_link: "relayLink",
  rerun: "rerun",
  selected_well: "selectedWell",
  view: "view",
};

export class RunBinding implements ReactiveController {
  readonly #view: OhrRunView;
  readonly #model: AnyModel<OhrRunState>;
  readonly #session: ModelSession;
  #connection: AbortController | null = null;
  #frame = 0;

  constructor(view: OhrRunView, model: AnyModel<OhrRunState>, session: ModelSession) {
    this.#view = view;
    this.#model = model;
    this.#session = session;
    new ModelController<OhrRunState>(view, model, {
      traits: TRAIT_NAMES,
      onChange: (key, value) => {
        this.#apply(key, value);
      },
    });
    view.addController(this);
  }

  hostConnected(): void {
    const connection = new AbortController();
    this.#connection = connection;
    const { signal } = connection;
    const view = this.#view;
    view.previews = this.#session.previews;
    view.previewsVersion = this.#session.previews.version;
    const unsubscribe = this.#session.previews.subscribe(() => {
      this.#frame ||= requestAnimationFrame(() => {
        this.#frame = 0;
        view.previewsVersion = this.#session.previews.version;
      });
    });
    signal.addEventListener("abort", () => {
      unsubscribe();
      cancelAnimationFrame(this.#frame);
      this.#frame = 0;
    });
    view.addEventListener(
      "ohr-well-select",
      (e) => {
        this.#save("selected_well", e.detail.well);
      },
      { signal },
    );
    view.addEventListener(
      "ohr-previews-request",
      (e) => void this.#replayWell(e.detail.well, signal),
      { signal },
    );
    view.addEventListener(
      "ohr-view-change",
      (e: CustomEvent<ViewChangeDetail>) => {
        this.#save("view", e.detail.view);
      },
      { signal },
    );
    view.addEventListener(
      "ohr-cancel-request",
      (e: CustomEvent<CancelRequestDetail>) => void this.#cancel(e, signal),
      {
        signal,
      },
    );
    view.addEventListener(
      "ohr-rerun-request",
      (e: CustomEvent<RerunRequestDetail>) => void this.#rerun(e, signal),
      { signal },
    );
    if (!this.#session.replayRequested) {
      this.#session.replayRequested = true;
      void this.#replay(signal);
    }
  }

  hostDisconnected(): void {
    this.#connection?.abort();
    this.#connection = null;
  }

  #apply(key: TraitName, value: unknown): void {
    const parsed = parseTrait(key, value);
    if (parsed.issues !== null) {
      const error = new WidgetMessageError(`trait ${key}`, parsed.issues);
      console.warn(`[openhcs-remote] ${error.code}: ${error.message}`);
      this.#view.notice = `The kernel sent an invalid '${key}'; showing it as empty.`;
    }
    (this.#view as unknown as Record<string, unknown>)[PROPERTY[key]] = parsed.value;
  }

  #save<K extends "selected_well" | "view">(key: K, value: OhrRunState[K]): void {
    this.#model.set(key, value);
    this.#model.save_changes();
  }

  async #cancel(_event: CustomEvent<CancelRequestDetail>, signal: AbortSignal): Promise<void> {
    const view = this.#view;
    view.cancelState = { kind: "pending" };
    try {
      const reply = await invoke(this.#model, "cancel", {}, { signal });
      const message = (reply.result as { message?: unknown } | null)?.message;
      view.cancelState = { kind: "requested", message: typeof message === "string" ? message : "" };
    } catch (error) {
      if (error instanceof CommandAbortedError) view.cancelState = CANCEL_IDLE;
      else if (error instanceof CommandTimeoutError) view.cancelState = { kind: "waiting" };
      else if (isOhrError(error))
        view.cancelState = { kind: "failed", code: error.code, message: error.message };
      else throw error;
    }
  }

  async #rerun(_event: CustomEvent<RerunRequestDetail>, signal: AbortSignal): Promise<void> {
    const view = this.#view;
    view.rerunState = { kind: "pending" };
    try {
      // Submitting waits for the server to accept the new run: give it the long timeout.
      const reply = await invoke(this.#model, "rerun_failed", {}, { signal, timeoutMs: 60_000 });
      const id = (reply.result as { execution_id?: unknown } | null)?.execution_id;
      view.rerunState = { kind: "started", executionId: typeof id === "string" ? id : null };
    } catch (error) {
      if (error instanceof CommandAbortedError) view.rerunState = RERUN_IDLE;
      else if (error instanceof CommandTimeoutError) view.rerunState = { kind: "waiting" };
      else if (isOhrError(error))
        view.rerunState = { kind: "failed", code: error.code, message: error.message };
      else throw error;
    }
  }

  /** Ask for one well's previews (the viewer shows a well the cache did not hold). */
  async #replayWell(well: string, signal: AbortSignal): Promise<void> {
    const previews = this.#session.previews;
    previews.setLoading(well, true);
    try {
      await invoke(this.#model, "replay_previews", { well }, { signal });
    } catch (error) {
      if (!isOhrError(error)) throw error;
      // Aborted: the view went away. Timed out: a busy kernel answers later, previews then.
      if (!(error instanceof CommandAbortedError || error instanceof CommandTimeoutError)) {
        console.warn(`[openhcs-remote] ${error.code}: ${error.message}`);
        this.#view.notice = `Earlier images of ${well} could not be replayed (${error.code}); new ones will still appear.`;
      }
    } finally {
      previews.setLoading(well, false);
    }
  }

  async #replay(signal: AbortSignal): Promise<void> {
    try {
      await invoke(this.#model, "replay_previews", {}, { signal });
    } catch (error) {
      if (error instanceof CommandAbortedError) {
        this.#session.replayRequested = false; // this view went away; the next one asks again
      } else if (error instanceof CommandTimeoutError) {
        // A busy kernel (a cell still running, e.g. run.wait()) answers later: the replayed
        // previews arrive through the usual preview listener then. Nothing failed.
        console.info("[openhcs-remote] replay_previews waits for the kernel to be free");
      } else if (isOhrError(error)) {
        console.warn(`[openhcs-remote] ${error.code}: ${error.message}`);
        this.#view.notice = `Earlier images could not be replayed (${error.code}); new ones will still appear.`;
      } else {
        throw error;
      }
    }
  }
}

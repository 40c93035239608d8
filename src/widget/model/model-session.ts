/**
 * What the browser keeps per model (not per view): the preview cache, fed by one `msg:custom`
 * listener from `initialize`, and whether earlier previews were already asked for. A second view
 * of the same model shares both; a reloaded page gets a new model and asks again.
 */
import type { AnyModel, CustomMessageHandler } from "./anywidget-types.js";
import { isOhrError } from "../../protocol/index.js";
import { PreviewCache } from "../imaging/index.js";
import { isPreviewMessage, parsePreview } from "../state/index.js";

export class ModelSession {
  readonly previews = new PreviewCache();
  /** Previews dropped because they did not match the protocol. */
  invalidPreviews = 0;
  /** Set once the first view has asked the shim to re-send its previews. */
  replayRequested = false;
  readonly #model: AnyModel<object>;
  readonly #onMessage: CustomMessageHandler;

  constructor(model: AnyModel<object>) {
    this.#model = model;
    this.#onMessage = (content, buffers) => {
      if (!isPreviewMessage(content)) return;
      try {
        this.previews.add(parsePreview(content, buffers));
      } catch (error) {
        if (!isOhrError(error)) throw error;
        this.invalidPreviews += 1;
        console.warn(`[openhcs-remote] ${error.code}: ${error.message}`);
      }
    };
    model.on("msg:custom", this.#onMessage);
  }

  /** Stop listening (the model was closed). */
  dispose(): void {
    this.#model.off("msg:custom", this.#onMessage);
  }
}

const sessions = new WeakMap<AnyModel<object>, ModelSession>();

/** The session of `model`, made on first use (`initialize`, or `render` if a host skipped it). */
export function sessionOf(model: AnyModel<object>): ModelSession {
  let session = sessions.get(model);
  if (session === undefined) sessions.set(model, (session = new ModelSession(model)));
  return session;
}

/** Forget the session of `model` and stop its listener. */
export function closeSession(model: AnyModel<object>): void {
  sessions.get(model)?.dispose();
  sessions.delete(model);
}

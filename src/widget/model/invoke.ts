/**
 * Request/response over custom messages (docs/widget-protocol.md §4), shaped like anywidget's
 * experimental `invoke`: send `{kind: "ohr-command", id, name, args}`, resolve on the `ohr-reply`
 * with the same id. The listener is removed on reply, abort and timeout, so a view that goes away
 * leaves nothing behind on the model.
 */
import * as z from "../state/index.js";
import type { AnyModel, CustomMessageHandler } from "./anywidget-types.js";
import {
  CommandAbortedError,
  CommandFailedError,
  CommandTimeoutError,
  WidgetMessageError,
} from "../state/index.js";

/** Default reply timeout for commands (the contract's 10 s). */
export const COMMAND_TIMEOUT_MS = 10_000;
/** Full-resolution fetches carry megabytes; the contract gives them 30 s. */
export const FETCH_TIMEOUT_MS = 30_000;

const ReplySchema = z.discriminatedUnion("ok", [
  z.looseObject({
    kind: z.literal("ohr-reply"),
    id: z.string().check(z.maxLength(128)),
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.looseObject({
    kind: z.literal("ohr-reply"),
    id: z.string().check(z.maxLength(128)),
    ok: z.literal(false),
    error: z.looseObject({
      code: z.string().check(z.maxLength(256)),
      message: z.string().check(z.maxLength(100_000)),
    }),
  }),
]);

/** What a command resolves to: the reply's `result` and its buffers. */
export interface CommandReply {
  readonly result: unknown;
  readonly buffers: readonly DataView[];
}

/** Options for {@link invoke}. */
export interface InvokeOptions {
  /** Give up early (the view closed, the arguments changed). */
  readonly signal?: AbortSignal | undefined;
  /** Reply timeout; defaults to {@link COMMAND_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
  readonly buffers?: readonly (ArrayBuffer | ArrayBufferView)[] | undefined;
}

/**
 * A command id. `crypto.randomUUID` exists only in secure contexts, and JupyterLab is often served
 * over plain http on a LAN, so fall back to a non-crypto id; ids only need to be unique per model.
 */
function commandId(): string {
  if (typeof crypto.randomUUID === "function" && globalThis.isSecureContext) {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Send command `name` to the shim and wait for its reply.
 *
 * @returns the reply's `result` and buffers.
 * @throws {@link CommandTimeoutError} when no reply comes within `timeoutMs`,
 *   {@link CommandAbortedError} when `signal` aborts, {@link CommandFailedError} on `ok: false`.
 */
export function invoke(
  model: AnyModel<object>,
  name: string,
  args: Record<string, unknown>,
  options: InvokeOptions = {},
): Promise<CommandReply> {
  const id = commandId();
  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  return new Promise<CommandReply>((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new CommandAbortedError(name, { cause: options.signal.reason }));
      return;
    }
    const finish = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      model.off("msg:custom", onMessage);
    };
    const onAbort = (): void => {
      finish();
      reject(new CommandAbortedError(name, { cause: options.signal?.reason }));
    };
    const onMessage: CustomMessageHandler = (content, buffers) => {
      if (!isReplyTo(content, id)) return;
      finish();
      const reply = ReplySchema.safeParse(content);
      if (!reply.success) {
        reject(new WidgetMessageError("ohr-reply", z.prettifyError(reply.error)));
      } else if (reply.data.ok) {
        resolve({ result: reply.data.result, buffers });
      } else {
        reject(new CommandFailedError(name, reply.data.error.code, reply.data.error.message));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new CommandTimeoutError(name, timeoutMs));
    }, timeoutMs);
    options.signal?.addEventListener("abort", onAbort);
    model.on("msg:custom", onMessage);
    model.send({ kind: "ohr-command", id, name, args }, undefined, options.buffers ?? []);
  });
}

function isReplyTo(content: unknown, id: string): boolean {
  return (
    typeof content === "object" &&
    content !== null &&
    (content as { kind?: unknown }).kind === "ohr-reply" &&
    (content as { id?: unknown }).id === id
  );
}

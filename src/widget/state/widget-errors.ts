/**
 * Errors the widget can show: commands to the shim that fail, time out or are aborted, and
 * messages from the shim that do not match docs/widget-protocol.md. Each names the command or
 * message kind and, when known, the execution id.
 */
import { OhrError } from "../../protocol/index.js";

/** A command got no `ohr-reply` in time (the kernel may be busy running a cell). */
export class CommandTimeoutError extends OhrError {
  override readonly code = "ERR_COMMAND_TIMEOUT";
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(
      `'${command}' got no reply from the kernel within ${timeoutMs} ms ` +
        `(the kernel handles widget messages only between cells)`,
    );
  }
}

/** The caller gave up on a command (view closed, arguments changed). */
export class CommandAbortedError extends OhrError {
  override readonly code = "ERR_COMMAND_ABORTED";
  constructor(
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(`'${command}' was abandoned before its reply`, options);
  }
}

/** The shim answered a command with `ok: false`; `remoteCode` is the shim's own error code. */
export class CommandFailedError extends OhrError {
  override readonly code = "ERR_COMMAND_FAILED";
  constructor(
    readonly command: string,
    readonly remoteCode: string,
    readonly remoteMessage: string,
  ) {
    super(`'${command}' failed in the kernel: ${remoteCode}: ${remoteMessage}`);
  }
}

/** A message from the shim did not match the widget protocol; it was dropped. */
export class WidgetMessageError extends OhrError {
  override readonly code = "ERR_WIDGET_MESSAGE";
  constructor(
    readonly kind: string,
    readonly detail: string,
  ) {
    super(`invalid '${kind}' message from the kernel: ${detail}`);
  }
}

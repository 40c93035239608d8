/**
 * Errors a user of RemoteOrchestrator can act on. Each names the server (host:port) and, where
 * known, the execution id; server-side failures keep the Python traceback.
 */
import { OhrError } from "../protocol/index.js";

/** Where a failure happened: the server address and, when known, the run. */
export interface ErrorPlace {
  /** `host:port` of the control socket. */
  readonly address: string;
  readonly executionId?: string | undefined;
}

function where(place: ErrorPlace): string {
  return place.executionId === undefined
    ? place.address
    : `${place.address}, run ${place.executionId}`;
}

/** No handshake: nothing answered at the address within the connect timeout. */
export class ServerUnreachableError extends OhrError {
  override readonly code = "ERR_SERVER_UNREACHABLE";
  constructor(
    readonly address: string,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `no OpenHCS server answered at ${address} within ${waitedMs} ms ` +
        `(is openhcs-remote-server running there, or the SSH tunnel up?)`,
      options,
    );
  }
}

/** The server took the request but did not reply in time. */
export class RequestTimeoutError extends OhrError {
  override readonly code = "ERR_TIMEOUT";
  constructor(
    readonly place: ErrorPlace,
    readonly requestType: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`'${requestType}' to ${where(place)} got no reply within ${timeoutMs} ms`, options);
  }
}

/** The connection dropped after the request left and before its reply came. */
export class ConnectionClosedError extends OhrError {
  override readonly code = "ERR_CONNECTION_CLOSED";
  constructor(
    readonly place: ErrorPlace,
    readonly requestType: string,
    options?: ErrorOptions,
  ) {
    super(`${where(place)} closed the connection before replying to '${requestType}'`, options);
  }
}

/** The server replied with an error to a request (bad field, unknown run, …). */
export class ServerError extends OhrError {
  override readonly code = "ERR_SERVER_ERROR";
  constructor(
    readonly place: ErrorPlace,
    readonly requestType: string,
    readonly serverMessage: string,
    readonly serverTraceback?: string,
  ) {
    super(`'${requestType}' refused by ${where(place)}: ${serverMessage}`);
  }
}

/** A reply or event did not have the shape the protocol promises. */
export class ProtocolError extends OhrError {
  override readonly code = "ERR_PROTOCOL";
  constructor(
    readonly place: ErrorPlace,
    readonly what: string,
    options?: ErrorOptions,
  ) {
    super(`malformed ${what} from ${where(place)}`, options);
  }
}

/** The endpoint answered but is not an OpenHCS execution server we can drive. */
export class IncompatibleServerError extends OhrError {
  override readonly code = "ERR_INCOMPATIBLE_SERVER";
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${address} is not a usable OpenHCS execution server: ${reason}`);
  }
}

/** The run ended `failed` on the server; `serverTraceback` is the Python traceback. */
export class RunFailedError extends OhrError {
  override readonly code = "ERR_RUN_FAILED";
  constructor(
    readonly place: ErrorPlace & { readonly executionId: string },
    readonly serverMessage: string,
    readonly serverTraceback?: string,
  ) {
    super(`run ${place.executionId} on ${place.address} failed: ${serverMessage}`);
  }
}

/** The run was cancelled (by us or by someone else) before it completed. */
export class RunCancelledError extends OhrError {
  override readonly code = "ERR_RUN_CANCELLED";
  constructor(readonly place: ErrorPlace & { readonly executionId: string }) {
    super(`run ${place.executionId} on ${place.address} was cancelled`);
  }
}

/** The server went away (or restarted and forgot the run) while it was going. */
export class RunLostError extends OhrError {
  override readonly code = "ERR_RUN_LOST";
  constructor(
    readonly place: ErrorPlace & { readonly executionId: string },
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`lost run ${place.executionId} on ${place.address}: ${reason}`, options);
  }
}

/** The operation was aborted through its AbortSignal. */
export class AbortedError extends OhrError {
  override readonly code = "ERR_ABORTED";
  constructor(what: string, options?: ErrorOptions) {
    super(`${what} was aborted`, options);
  }
}

/**
 * An `execute` got no reply and the server could not be asked whether it queued the run. We do
 * not send it again (that could start the run twice); `token` finds it later in `status`.
 */
export class SubmissionUncertainError extends OhrError {
  override readonly code = "ERR_SUBMISSION_UNCERTAIN";
  constructor(
    readonly address: string,
    readonly token: string,
    options?: ErrorOptions,
  ) {
    super(
      `no reply to 'execute' from ${address}, and the server could not be asked whether it ` +
        `queued the run; not resubmitting. Look for client_address '${token}' in its runs.`,
      options,
    );
  }
}

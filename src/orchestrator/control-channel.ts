/**
 * The request/reply half of the OpenHCS execution protocol: one pickled dict each way on a
 * ZeroMQ REQ socket (port + 1000).
 *
 * REQ sockets are strict about alternation, so after any timeout or error the socket is thrown
 * away and the next request gets a fresh one (as OpenHCS's own client does). While a socket works
 * it is kept: the connection is already up, which saves a TCP handshake per request.
 */
import { Request } from "zeromq";
import {
  decodePickle,
  encodePickle,
  PickleDecodeError,
  UnsafePickleError,
} from "../protocol/index.js";
import {
  AbortedError,
  ConnectionClosedError,
  ProtocolError,
  RequestTimeoutError,
  ServerUnreachableError,
} from "./orchestrator-errors.js";

/** Largest reply we accept; tracebacks and long run tables stay far below it. */
export const MAX_CONTROL_REPLY_BYTES = 64 * 1024 * 1024;

/** A request body: a plain dict with a `type`. */
export interface ControlRequest {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Options of {@link ControlChannel.request}. */
export interface RequestOptions {
  /** Budget for the whole exchange (connect, send, reply). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Execution id to name in errors. */
  readonly executionId?: string | undefined;
}

/** Mutual exclusion for the one outstanding request a REQ socket allows. */
class Turn {
  private tail: Promise<void> = Promise.resolve();

  async take<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/**
 * One control connection to an execution server.
 *
 * @example
 * const channel = new ControlChannel("tcp://127.0.0.1:8777", "127.0.0.1:8777");
 * const pong = await channel.request({ type: "ping" }, { timeoutMs: 2000 });
 */
export class ControlChannel {
  private socket: Request | null = null;
  private readonly turn = new Turn();
  private closed = false;

  /**
   * @param url ZeroMQ URL of the control socket.
   * @param address `host:port` as shown to users in errors.
   */
  constructor(
    readonly url: string,
    readonly address: string,
  ) {}

  /**
   * Send one request and return the decoded (but not yet schema-checked) reply.
   *
   * Rejects with {@link ServerUnreachableError} when no connection could be made in time,
   * {@link RequestTimeoutError} when the server took the request but did not answer,
   * {@link ProtocolError} when the reply is not a safe pickle of a dict, and
   * {@link AbortedError} on abort. The caller decides about retries.
   */
  async request(message: ControlRequest, options: RequestOptions): Promise<unknown> {
    return this.turn.take(() => this.exchange(message, options));
  }

  private async exchange(message: ControlRequest, options: RequestOptions): Promise<unknown> {
    if (this.closed)
      throw new AbortedError(`'${message.type}' to ${this.address} (channel closed)`);
    options.signal?.throwIfAborted();
    const place = { address: this.address, executionId: options.executionId };
    const deadline = Date.now() + options.timeoutMs;
    const socket = this.currentSocket(options.timeoutMs);
    const abort = (): void => {
      this.discardSocket();
    };
    options.signal?.addEventListener("abort", abort, { once: true });
    let sent = false;
    let disconnected = false as boolean; // set by the event listener below
    // ZeroMQ hides a dropped connection from REQ; watch for it so a dead server fails fast.
    const onDisconnect = (): void => {
      if (!sent) return;
      disconnected = true;
      this.discardSocket();
    };
    const events = socket.events; // read once: the getter throws after the socket is closed
    events.on("disconnect", onDisconnect);
    try {
      await socket.send(encodePickle(message));
      sent = true;
      socket.receiveTimeout = Math.max(1, deadline - Date.now());
      const [frame] = await socket.receive();
      if (frame === undefined) throw new ProtocolError(place, `empty reply to '${message.type}'`);
      return decodeReply(frame, place, message.type);
    } catch (error) {
      this.discardSocket();
      if (options.signal?.aborted === true) {
        throw new AbortedError(`'${message.type}' to ${this.address}`, { cause: error });
      }
      if (disconnected) throw new ConnectionClosedError(place, message.type, { cause: error });
      if (isAgain(error)) {
        if (!sent) {
          throw new ServerUnreachableError(this.address, options.timeoutMs, { cause: error });
        }
        throw new RequestTimeoutError(place, message.type, options.timeoutMs, { cause: error });
      }
      throw error;
    } finally {
      events.off("disconnect", onDisconnect);
      options.signal?.removeEventListener("abort", abort);
    }
  }

  private currentSocket(timeoutMs: number): Request {
    if (this.socket === null) {
      this.socket = new Request({
        linger: 0,
        // Queue only to a live connection, so a missing server shows as a send timeout.
        immediate: true,
        maxMessageSize: MAX_CONTROL_REPLY_BYTES,
      });
      this.socket.connect(this.url);
    }
    this.socket.sendTimeout = timeoutMs;
    return this.socket;
  }

  private discardSocket(): void {
    this.socket?.close();
    this.socket = null;
  }

  /** Close the socket; pending and later requests reject with {@link AbortedError}. */
  close(): void {
    this.closed = true;
    this.discardSocket();
  }
}

function isAgain(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === "EAGAIN";
}

function decodeReply(
  frame: Buffer,
  place: { address: string; executionId?: string | undefined },
  requestType: string,
): unknown {
  try {
    return decodePickle(frame);
  } catch (error) {
    if (error instanceof PickleDecodeError || error instanceof UnsafePickleError) {
      throw new ProtocolError(place, `reply to '${requestType}' (${error.message})`, {
        cause: error,
      });
    }
    throw error;
  }
}

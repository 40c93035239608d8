/**
 * The files a run wrote on the server (its tables, ROI zips, OpenHCS's own image files) and its
 * planes at full resolution, asked of the relay (docs/relay-stream-protocol.md §4, `list_files`
 * / `fetch_file` / `fetch_plane`) on a session of their own, so that bulk never queues ahead of
 * the result stream's previews. The relay serves
 * only files inside the run's output directory that the run wrote; a refusal comes back as a
 * {@link RunFileError} with the relay's code, naming the relay, the run and the path.
 */
import {
  OhrError,
  fetchFileMessage,
  listFilesMessage,
  decodePlane,
  fetchPlaneMessage,
  type DecodedRunFile,
  type DecodedPlane,
  type PlaneEncoding,
  type PlaneHeader,
  type RunFiles,
} from "../../protocol/index.js";
import { RelaySession, type RelayEndpoint, type RelayReply } from "./relay-session.js";

/**
 * A request for a run's files was refused or could not be answered. Its `code` is the relay's
 * (`ERR_FILE_PATH`, `ERR_FILE_NOT_FOUND`, `ERR_FILE_TOO_LARGE`, `ERR_FILE_NOT_THE_RUNS`,
 * `ERR_RUN_FILES_UNKNOWN`), or the session's when the relay could not be asked.
 */
export class RunFileError extends OhrError {
  override readonly code: string;
  constructor(
    readonly address: string,
    readonly executionId: string,
    readonly what: string,
    /** The relay's own code (`ERR_FILE_PATH`, `ERR_FILE_TOO_LARGE`, …), or the session's. */
    readonly relayCode: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`relay ${address}, run ${executionId}: ${what}: ${reason}`, options);
    this.code = relayCode;
  }
}

interface Pending {
  readonly frame: Uint8Array;
  readonly what: string;
  readonly executionId: string;
  readonly resolve: (reply: RunFiles | DecodedRunFile | DecodedPlane) => void;
  readonly reject: (error: Error) => void;
  sent: boolean;
}

export interface RunFileSessionOptions {
  /** How long the relay may take to answer `hello` (and stay away later); default 15 000 ms. */
  readonly timeoutMs?: number;
  /** Requests the relay works on at once (each `file` reply is held in memory); default 16. */
  readonly maxInFlight?: number;
}

/** One relay session for many file requests; {@link close} it when done. */
export class RunFileSession {
  private readonly session: RelaySession;
  private readonly pending = new Map<number, Pending>();
  private readonly maxInFlight: number;
  private nextId = 1;
  private failure: Error | null = null;

  constructor(endpoint: RelayEndpoint, options: RunFileSessionOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 16);
    this.session = new RelaySession(
      endpoint,
      { connectTimeoutMs: timeoutMs, lostAfterMs: timeoutMs, clientName: "openhcs-remote (files)" },
      {
        // A new session (also after a relay restart) has none of our requests: send them again.
        onWelcome: () => {
          for (const request of this.pending.values()) request.sent = false;
          this.pump();
        },
        onMessage: () => undefined,
        onReply: (reply) => {
          this.settle(reply);
        },
        onFailure: (error) => {
          this.failAll(error);
        },
        place: () => ({ address: this.session.address, executionId: "(files)", nextSeq: 1 }),
      },
    );
    this.session.start();
  }

  /** `host:port` of the relay. */
  get address(): string {
    return this.session.address;
  }

  /** The run's files (below `under`, a path relative to the run's directory). */
  list(executionId: string, under?: string): Promise<RunFiles> {
    const what = under === undefined ? "listing its files" : `listing its files under ${under}`;
    return this.request(executionId, what, (id) => listFilesMessage(executionId, id, under)).then(
      (reply) => reply as RunFiles,
    );
  }

  /** One file of the run, by the path `list` gave. */
  fetch(executionId: string, path: string): Promise<DecodedRunFile> {
    return this.request(executionId, `fetching ${path}`, (id) =>
      fetchFileMessage(executionId, id, path),
    ).then((reply) => reply as DecodedRunFile);
  }

  /**
   * One image of the run at full resolution, by its seq (docs/relay-stream-protocol.md §4.2):
   * from the relay's spool, or after eviction from the file OpenHCS wrote. `data` is the raw
   * little-endian C-order pixels, decoded and checked against the header (`ERR_PLANE_DECODE`).
   */
  async fetchPlane(
    executionId: string,
    seq: number,
    encoding: PlaneEncoding = "blosc",
  ): Promise<{ header: PlaneHeader; data: Uint8Array }> {
    const reply = (await this.request(executionId, `fetching plane ${seq}`, (id) =>
      fetchPlaneMessage(executionId, id, seq, encoding),
    )) as DecodedPlane;
    const { header } = reply;
    const data = await decodePlane(header.encoding, reply.data, {
      nbytes: header.nbytes,
      dtype: header.dtype,
    });
    return { header, data };
  }

  /** Close the session; requests still open are refused. */
  close(): void {
    this.session.close();
    this.failAll(new Error("the file session was closed"));
  }

  private request(
    executionId: string,
    what: string,
    build: (id: number) => Uint8Array,
  ): Promise<RunFiles | DecodedRunFile | DecodedPlane> {
    if (this.failure !== null) {
      return Promise.reject(this.wrap(executionId, what, this.failure));
    }
    const id = this.nextId++;
    const frame = build(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { frame, what, executionId, resolve, reject, sent: false });
      this.pump();
    });
  }

  private pump(): void {
    if (!this.session.open) return;
    let inFlight = 0;
    for (const request of this.pending.values()) if (request.sent) inFlight += 1;
    for (const request of this.pending.values()) {
      if (inFlight >= this.maxInFlight) return;
      if (request.sent) continue;
      request.sent = true;
      inFlight += 1;
      this.session.send(request.frame);
    }
  }

  private settle(reply: RelayReply): void {
    const id =
      reply.type === "file" || reply.type === "plane" ? reply.header.request_id : reply.request_id;
    const request = this.pending.get(id);
    if (request === undefined) return; // an answer to a request sent again after a restart
    this.pending.delete(id);
    if (reply.type === "error") {
      request.reject(
        new RunFileError(
          this.address,
          request.executionId,
          request.what,
          reply.code,
          reply.message,
        ),
      );
    } else {
      request.resolve(reply);
    }
    this.pump();
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.values()) {
      request.reject(this.wrap(request.executionId, request.what, error));
    }
    this.pending.clear();
  }

  private wrap(executionId: string, what: string, error: Error): RunFileError {
    const code = error instanceof OhrError ? error.code : "ERR_RELAY_SESSION";
    return new RunFileError(this.address, executionId, what, code, error.message, {
      cause: error,
    });
  }
}

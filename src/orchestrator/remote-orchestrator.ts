/**
 * `RemoteOrchestrator`: run OpenHCS pipelines on a remote execution server. It mirrors the
 * shape of OpenHCS's `PipelineOrchestrator` (connect, run a pipeline, watch it) but compiles
 * nothing: the pipeline and config travel as Python source and the server builds them.
 */
import {
  CancelReplySchema,
  PongSchema,
  RunStatusReplySchema,
  ServerStatusReplySchema,
  type ExecutionRecord,
  type Pong,
  type ServerStatus,
  type ProgressEvent,
  type PlaneEncoding,
  type PlaneHeader,
} from "../protocol/index.js";
import type { z } from "zod";
import { ControlChannel, type ControlRequest } from "./control-channel.js";
import type { ResultGap, ResultItem } from "./result-image.js";
import {
  NoRelayError,
  askRelayViewerPort,
  ResultStream,
  isRoutedToRelay,
  routeToRelay,
  RunFileSession,
  type RelayEndpoint,
  type ResultStreamOptions,
} from "./relay-client/index.js";
import {
  followStreamedRun,
  type StreamedRunOptions,
  type StreamedRunOutcome,
} from "./streamed-run.js";
import { callServer } from "./control-call.js";
import { RunOutputs } from "./measurements/index.js";
import { IncompatibleServerError } from "./orchestrator-errors.js";
import { ProgressFeed, type FeedWarning } from "./progress-feed.js";
import { withRetries } from "./retry.js";
import { waitForRun, type RunOutcome, type WaitOptions } from "./run-waiter.js";
import {
  serverEndpoint,
  type ServerEndpoint,
  type ServerEndpointOptions,
} from "./server-endpoint.js";
import { submitOnce, type ExecuteRequest } from "./submission.js";
import { describeServer, type ServerInfo } from "./server-info.js";

/** Options of {@link RemoteOrchestrator}; the writable ones can also be set later. */
export interface RemoteOrchestratorOptions extends Partial<ServerEndpointOptions> {
  readonly serverHost: string;
  /** Execution server data port (progress); control is port + 1000. Default 7777. */
  readonly serverPort?: number;
  /** Budget of each control request in ms; default 30 000. */
  timeoutMs?: number;
  /** Retries of a transient failure (no connection, no reply); default 3. */
  retries?: number;
  /** Where warnings go (malformed progress, retries); default `console.warn`. */
  onWarning?: (warning: OrchestratorWarning) => void;
  /** The relay that streams result images back; `null` (default): progress only. */
  relay?: RelayOptions | null;
}

/**
 * The relay next to the execution server: its client stream socket (`stream_host`/`stream_port`
 * and `curve_public_key` of the `ready` event's `relay` object) and the viewer port runs are
 * routed to.
 */
export interface RelayOptions extends RelayEndpoint {
  /**
   * The relay's OpenHCS viewer port (`relay.viewer_port`), written into each run's config so
   * that its workers stream to the relay. Default: the port the relay's `welcome` names (asked
   * before each submission; 5555 from a relay too old to say). `null`: leave the code as it is
   * (it streams to the relay already, or should not stream).
   */
  readonly viewerPort?: number | null | undefined;
  /** Where workers reach the relay; default `127.0.0.1` (they run on its host). */
  readonly viewerHost?: string | undefined;
}

/** A problem that did not stop anything but should not pass unnoticed. */
export interface OrchestratorWarning {
  readonly code:
    | FeedWarning["code"]
    | "retry"
    | "untested-server-version"
    | "results-incomplete"
    | "relay-viewer-port";
  readonly message: string;
}

/** The OpenHCS release the protocol was checked against (docs/control-protocol.md). */
export const TESTED_OPENHCS_VERSION = "0.8.6";

/**
 * A client of one OpenHCS execution server.
 *
 * @example
 * const orch = new RemoteOrchestrator({ serverHost: "gpu-server.lab", serverPort: 7777 });
 * await orch.connect();
 * const outcome = await orch.runRemotePipeline({ plateId, pipelineCode, configCode,
 *   onProgress: (p) => console.log(`${p.wellsDone}/${p.wellsTotal} wells`) });
 * orch.close();
 */
export class RemoteOrchestrator {
  readonly serverHost: string;
  readonly serverPort: number;
  readonly endpoint: ServerEndpoint;
  timeoutMs: number;
  retries: number;
  onWarning: (warning: OrchestratorWarning) => void;
  /** The relay results come from; runs submitted while it is set stream to it. */
  relay: RelayOptions | null;
  private readonly channel: ControlChannel;
  private readonly feed: ProgressFeed;
  private info: ServerInfo | null = null;
  /** The relay session `fetchPlane` shares, opened on first use. */
  private planes: RunFileSession | null = null;

  constructor(options: RemoteOrchestratorOptions) {
    this.serverHost = options.serverHost;
    this.serverPort = options.serverPort ?? 7777;
    this.endpoint = serverEndpoint({ ...options, serverPort: this.serverPort });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.relay = options.relay ?? null;
    this.onWarning =
      options.onWarning ??
      ((warning) => {
        console.warn(`[openhcs-remote] ${warning.message}`);
      });
    this.channel = new ControlChannel(this.endpoint.controlUrl, this.endpoint.controlAddress);
    this.feed = new ProgressFeed(this.endpoint.dataUrl, this.endpoint.dataAddress, (warning) => {
      this.onWarning(warning);
    });
  }

  /** What the server said of itself at the last {@link connect}, or null before it. */
  get server(): ServerInfo | null {
    return this.info;
  }

  /**
   * Handshake: ping, check that an OpenHCS execution server answered, and subscribe to its
   * progress feed. Rejects with `ServerUnreachableError` when nothing answers within the
   * timeout (after retries), `IncompatibleServerError` when something else does.
   */
  async connect(options: { signal?: AbortSignal } = {}): Promise<ServerInfo> {
    const pong = await this.ping(options);
    if (pong.server_role !== "execution") {
      throw new IncompatibleServerError(
        this.endpoint.controlAddress,
        `it is an OpenHCS '${pong.server_role}' endpoint (${pong.server}), not an execution server`,
      );
    }
    if (pong.application != null && pong.application.application_id !== "openhcs") {
      throw new IncompatibleServerError(
        this.endpoint.controlAddress,
        `it runs '${pong.application.application_id}', not OpenHCS`,
      );
    }
    this.info = describeServer(pong);
    if (this.info.version !== null && this.info.version !== TESTED_OPENHCS_VERSION) {
      this.onWarning({
        code: "untested-server-version",
        message: `server runs OpenHCS ${this.info.version}; openhcs-remote was checked against ${TESTED_OPENHCS_VERSION}`,
      });
    }
    await this.feed.start();
    return this.info;
  }

  /** One ping/pong round trip (with retries); the raw pong. */
  async ping(options: { signal?: AbortSignal } = {}): Promise<Pong> {
    return this.call({ type: "ping" }, PongSchema, options);
  }

  /** One control request, validated, with retries of transient failures. */
  private async call<S extends z.ZodType>(
    message: ControlRequest,
    schema: S,
    options: { signal?: AbortSignal | undefined; executionId?: string | undefined },
  ): Promise<z.infer<S>> {
    return withRetries(
      () =>
        callServer(this.channel, message, schema, {
          timeoutMs: this.timeoutMs,
          signal: options.signal,
          executionId: options.executionId,
        }),
      {
        retries: this.retries,
        signal: options.signal,
        onRetry: this.retryWarning(message.type),
      },
    );
  }

  /**
   * Submit a run; resolves with its execution id once the server queued it. Only code strings
   * cross the wire. A transient failure is retried, but never so that the run starts twice.
   */
  async executeRemote(request: ExecuteRequest & { signal?: AbortSignal }): Promise<string> {
    if (!this.feed.started) await this.connect({ signal: request.signal });
    return submitOnce(this.channel, await this.routed(request), {
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      signal: request.signal,
      onRetry: this.retryWarning("execute"),
    });
  }

  /** The server's record of one run. */
  async status(
    executionId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ExecutionRecord> {
    const message = { type: "status", execution_id: executionId };
    const reply = await this.call(message, RunStatusReplySchema, { ...options, executionId });
    return reply.execution;
  }

  /** The server's table of runs (ids, running, queued). */
  async serverStatus(options: { signal?: AbortSignal } = {}): Promise<ServerStatus> {
    return this.call({ type: "status" }, ServerStatusReplySchema, options);
  }

  /**
   * Ask the server to cancel a run. OpenHCS cancels cooperatively: the run's status turns
   * `cancelled` at once, and its workers stop at the next well or step boundary.
   */
  async cancel(
    executionId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ message: string }> {
    const message = { type: "cancel", execution_id: executionId };
    const reply = await this.call(message, CancelReplySchema, { ...options, executionId });
    return { message: reply.message ?? "cancelled" };
  }

  /** Validated progress events of one run, as they arrive (an async iterable). */
  progress(
    executionId: string,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ProgressEvent> {
    return this.feed.events(executionId, options.signal);
  }

  /**
   * The results of one run from the relay, as they arrive: an async iterable of items and gaps
   * (seqs the relay can no longer deliver; see `isResultGap`). Pass `onGap` to get gaps there
   * instead and iterate items only. It ends after the run's last item, or quietly on abort;
   * `summary` says what arrived and what is missing, `nextSeq` where to resume.
   *
   * @throws `RelayUnreachableError`, `RelayProtocolError`, `RelayRefusedError` from the iteration.
   */
  results(
    executionId: string,
    options: ResultStreamOptions & { readonly onGap: (gap: ResultGap) => void },
  ): ResultStream<ResultItem>;
  results(executionId: string, options?: ResultStreamOptions): ResultStream;
  results(executionId: string, options: ResultStreamOptions = {}): ResultStream {
    if (this.relay === null) throw new NoRelayError(executionId);
    return new ResultStream(this.relay, executionId, {
      ...options,
      yieldGaps: options.onGap === undefined,
    });
  }

  /**
   * What the run's steps wrote on the server besides images (tables, ROI zips), through the
   * relay: `list()`, `fetch(path)`, `measurements({ table, wells, steps })`. Close it when done.
   */
  runOutputs(executionId: string): RunOutputs {
    if (this.relay === null) throw new NoRelayError(executionId);
    return new RunOutputs(this.relay, executionId, { timeoutMs: this.timeoutMs });
  }

  /**
   * One image of a run at full resolution, by its seq — what a `preview` item (previews
   * delivery) leaves on the server. Served from the relay's spool, or after eviction from the
   * file OpenHCS wrote; `blosc` (default) compresses it on the wire, `raw` does not. Rejects with
   * the relay's code (`ERR_PLANE_UNKNOWN`, `ERR_PLANE_GONE`, …) naming relay, run and seq.
   */
  async fetchPlane(
    executionId: string,
    seq: number,
    options: { readonly encoding?: PlaneEncoding } = {},
  ): Promise<{ readonly header: PlaneHeader; readonly data: Uint8Array }> {
    if (this.relay === null) throw new NoRelayError(executionId);
    this.planes ??= new RunFileSession(this.relay, { timeoutMs: this.timeoutMs });
    return this.planes.fetchPlane(executionId, seq, options.encoding);
  }

  /** Wait for a run to end; see {@link waitForRun} for how it ends and fails. */
  async wait(executionId: string, options: WaitOptions = {}): Promise<RunOutcome> {
    if (!this.feed.started) await this.connect({ signal: options.signal });
    return waitForRun(
      { channel: this.channel, feed: this.feed, timeoutMs: this.timeoutMs },
      executionId,
      options,
    );
  }

  /**
   * Everything in one call: connect if needed, submit, and wait for the end.
   * `onSubmitted` gets the execution id as soon as the server accepted the run. With a relay,
   * the run streams its images to it and `onImage` gets each as it arrives; the call resolves
   * once the run completed and the relay delivered everything (`results` says what came and
   * what is missing).
   */
  async runRemotePipeline(
    request: ExecuteRequest &
      WaitOptions &
      StreamedRunOptions & { onSubmitted?: (executionId: string) => void },
  ): Promise<StreamedRunOutcome> {
    if (!this.feed.started) await this.connect({ signal: request.signal });
    const executionId = await this.executeRemote(request);
    request.onSubmitted?.(executionId);
    if (this.relay === null) return { ...(await this.wait(executionId, request)), results: null };
    const stream = this.results(executionId, {
      signal: request.signal,
      delivery: request.delivery,
      releaseFrames: request.releaseFrames,
      onRelayLink: request.onRelayLink,
      onGap: request.onGap ?? (() => undefined),
    });
    return followStreamedRun(
      stream,
      (signal) => this.wait(executionId, { ...request, signal }),
      request,
      (summary, idleMs) => {
        this.onWarning({
          code: "results-incomplete",
          message:
            `the relay sent nothing for run ${executionId} for ${Math.round(idleMs / 1000)} s after it ended; ` +
            `stopped at seq ${summary.nextSeq} (${summary.delivered} items received)`,
        });
      },
    );
  }

  /** Close both sockets. Pending calls reject; iterators end. */
  close(): void {
    this.channel.close();
    this.feed.close();
    this.planes?.close();
    this.planes = null;
  }

  /** The request with its code routed to the relay, when one is set and it is not routed yet. */
  private async routed<R extends ExecuteRequest>(request: R): Promise<R> {
    const relay = this.relay;
    if (relay === null || relay.viewerPort === null || isRoutedToRelay(request.configCode)) {
      return request;
    }
    const viewerPort =
      relay.viewerPort ??
      (await askRelayViewerPort(relay, {
        timeoutMs: this.timeoutMs,
        onUnstated: (message) => {
          this.onWarning({ code: "relay-viewer-port", message });
        },
      }));
    const code = routeToRelay(request.pipelineCode, request.configCode, {
      host: relay.viewerHost ?? "127.0.0.1",
      port: viewerPort,
    });
    return { ...request, pipelineCode: code.pipelineCode, configCode: code.configCode };
  }

  private retryWarning(requestType: string): (error: unknown, retry: number) => void {
    return (error, retry) => {
      this.onWarning({
        code: "retry",
        message: `retrying '${requestType}' (${retry}/${this.retries}) after: ${(error as Error).message}`,
      });
    };
  }
}

/**
 * What the sidecar does for each request of the shim (docs/sidecar-protocol.md §3): one
 * orchestrator per server, one {@link RunSession} per followed run, replies matched by id.
 */
import { cp, stat } from "node:fs/promises";
import {
  RemoteOrchestrator,
  askRelayViewerPort,
  chooseTable,
  routeToRelay,
  tableNames,
  type RunOutputs,
  type StoredImage,
} from "../orchestrator/index.js";
import { BadRequestError, UnknownRunError } from "./sidecar-errors.js";
import { LatestThrottle } from "./progress-throttle.js";
import { RunSession, type FetchProgress } from "./run-session.js";
import type { RelayDelivery } from "../protocol/index.js";
import type { Frame, ShimChannel } from "./shim-channel.js";
import { RequestSchema, type Endpoint, type Request, type RequestOf } from "./sidecar-requests.js";
import { errorWire, itemWire, serverWire } from "./wire.js";

/** At most this often a `request_progress` of a save (and always its last). */
const SAVE_PROGRESS_INTERVAL_MS = 200;

interface Outcome {
  readonly result: Record<string, unknown>;
  readonly payload?: Uint8Array;
}

/** The sidecar's state and request handlers. */
export class SidecarService {
  private readonly orchestrators = new Map<string, RemoteOrchestrator>();
  private readonly sessions = new Map<string, RunSession>();
  /** One relay file session per run whose outputs were asked for (closed with the sidecar). */
  private readonly outputs = new Map<string, RunOutputs>();

  constructor(
    private readonly channel: ShimChannel,
    private readonly storeRoot: string,
    private readonly onShutdown: () => void,
  ) {}

  /** Handle one frame from the shim; the reply goes back on the channel. */
  handle(frame: Frame): void {
    const id = typeof frame.header.id === "number" ? frame.header.id : -1;
    const parsed = RequestSchema.safeParse(frame.header);
    const work = parsed.success
      ? this.dispatch(parsed.data, id)
      : Promise.reject(
          new BadRequestError(
            parsed.error.issues[0]?.path.join(".") ?? "",
            parsed.error.issues[0]?.message ?? "invalid request",
          ),
        );
    work
      .then(
        (outcome) =>
          this.channel.send(
            { type: "reply", id, ok: true, result: outcome.result },
            outcome.payload,
          ),
        (error: unknown) =>
          this.channel.send({ type: "reply", id, ok: false, error: errorWire(error) }),
      )
      .catch((error: unknown) => {
        process.stderr.write(`[sidecar] could not reply to request ${id}: ${String(error)}\n`);
      });
  }

  /** End every session and close every socket. */
  async close(): Promise<void> {
    for (const session of this.sessions.values()) session.stop();
    await Promise.allSettled([...this.sessions.values()].map((session) => session.ended));
    for (const outputs of this.outputs.values()) outputs.close();
    for (const orchestrator of this.orchestrators.values()) orchestrator.close();
  }

  /** A warning for the shim, which logs it (docs/sidecar-protocol.md §4). */
  private readonly warn = (warning: { code: string; message: string }): void => {
    void this.channel.send({ type: "event", event: "warning", ...warning });
  };

  /** A long request's progress, before its reply: `request_progress` with the request's id. */
  private progressOf(id: number): (fields: Record<string, unknown>) => void {
    return (fields) => {
      void this.channel.send({
        type: "event",
        event: "request_progress",
        request_id: id,
        ...fields,
      });
    };
  }

  private async dispatch(request: Request, id: number): Promise<Outcome> {
    switch (request.op) {
      case "connect": {
        const info = await this.orchestrator(request.server).connect();
        return { result: { server: serverWire(info) } };
      }
      case "run":
        return this.run(request);
      case "attach":
        return this.attach(request);
      case "cancel":
        return { result: await this.orchestratorOf(request).cancel(request.execution_id) };
      case "status": {
        const record = await this.orchestratorOf(request).status(request.execution_id);
        return { result: { record } };
      }
      case "fetch_plane": {
        const plane = await this.sessionOf(request.execution_id).plane(request);
        return {
          result: { shape: plane.shape, dtype: plane.dtype, byte_order: "little" },
          payload: plane.data,
        };
      }
      case "list_images":
        return { result: { images: this.imagesOf(request.execution_id) } };
      case "save":
        return this.save(request, this.progressOf(id));
      case "run_outputs":
        return this.runOutputs(request);
      case "fetch_run_output": {
        const data = await this.outputsOf(request).fetch(request.path);
        return { result: { path: request.path, size: data.byteLength }, payload: data };
      }
      case "shutdown":
        setImmediate(this.onShutdown);
        return { result: {} };
    }
  }

  private async run(request: RequestOf<"run">): Promise<Outcome> {
    const orchestrator = this.orchestrator(request.server);
    const session = this.session(
      request.run_key,
      request.server,
      request.store_dir,
      request.delivery,
    );
    // The workers run next to the relay: they reach its viewer port on the server's loopback.
    const relay = request.server.relay;
    const code =
      request.viewer_port === null || relay === null
        ? { pipelineCode: request.pipeline_code, configCode: request.config_code }
        : routeToRelay(request.pipeline_code, request.config_code, {
            port:
              request.viewer_port === "relay"
                ? await askRelayViewerPort(
                    { host: relay.host, port: relay.port, curvePublicKey: relay.curve_public_key },
                    {
                      timeoutMs: request.server.timeout_s * 1000,
                      onUnstated: (message) => {
                        this.warn({ code: "relay-viewer-port", message });
                      },
                    },
                  )
                : request.viewer_port,
          });
    const executionId = await orchestrator.executeRemote({
      plateId: request.plate_id,
      ...code,
      configParams: request.config_params ?? undefined,
    });
    this.sessions.set(executionId, session);
    await session.begin(executionId, false);
    return { result: { execution_id: executionId } };
  }

  private async attach(request: RequestOf<"attach">): Promise<Outcome> {
    // Ask first: a run the server does not know is refused here, not reported lost later.
    const record = await this.orchestrator(request.server).status(request.execution_id);
    const session = this.session(
      request.run_key,
      request.server,
      request.store_dir,
      request.delivery,
    );
    this.sessions.set(request.execution_id, session);
    await session.begin(request.execution_id, true);
    return { result: { execution_id: request.execution_id, status: record.status } };
  }

  private async save(
    request: RequestOf<"save">,
    progress: (fields: Record<string, unknown>) => void,
  ): Promise<Outcome> {
    const session = this.sessionOf(request.execution_id);
    if (
      await stat(request.path).then(
        () => true,
        () => false,
      )
    ) {
      throw new BadRequestError("path", `${request.path} exists; save writes a new directory`);
    }
    // Previews delivery left the planes on the server: a save is a request for all of them.
    const paced = new LatestThrottle<FetchProgress>(SAVE_PROGRESS_INTERVAL_MS, (state) => {
      progress({
        stage: "fetch",
        planes_done: state.done,
        planes_total: state.total,
        bytes_done: state.bytesDone,
        bytes_total: state.bytesTotal,
      });
    });
    await session.fetchAll((state) => {
      paced.push(state);
    });
    paced.flush();
    const store = this.store(request.execution_id);
    await cp(store.dir, request.path, { recursive: true, errorOnExist: true, force: false });
    return { result: { path: request.path } };
  }

  private async runOutputs(request: RequestOf<"run_outputs">): Promise<Outcome> {
    const files = await this.outputsOf(request).list();
    const stepNames =
      this.sessions.get(request.execution_id)?.store?.stepNames() ?? new Map<number, string>();
    let defaultTable: string | null = null;
    try {
      defaultTable = chooseTable(request.execution_id, files, null);
    } catch {
      defaultTable = null; // none, or several: the shim asks the user to name one
    }
    return {
      result: {
        files: files.map((file) => ({
          path: file.path,
          size: file.size,
          mtime: file.mtime,
          kind: file.kind,
          table: file.table,
          well: file.well,
          step_index: file.stepIndex,
          step: file.stepIndex === null ? null : (stepNames.get(file.stepIndex) ?? null),
          site: file.plane.site,
          channel: file.plane.channel,
          z: file.plane.z,
          timepoint: file.plane.timepoint,
        })),
        tables: tableNames(files),
        default_table: defaultTable,
      },
    };
  }

  private outputsOf(request: { execution_id: string; server?: Endpoint | undefined }): RunOutputs {
    let outputs = this.outputs.get(request.execution_id);
    if (outputs === undefined) {
      outputs = this.orchestratorOf(request).runOutputs(request.execution_id);
      this.outputs.set(request.execution_id, outputs);
    }
    return outputs;
  }

  private session(
    runKey: string,
    server: Endpoint,
    storeDir: string | null | undefined,
    delivery: RelayDelivery | undefined,
  ): RunSession {
    const session: RunSession = new RunSession(runKey, {
      orchestrator: this.orchestrator(server),
      delivery: delivery ?? "full",
      withResults: server.relay !== null,
      storeRoot: storeDir ?? this.storeRoot,
      emit: (event, fields, payload) => {
        const header = { type: "event", event, run_key: runKey, execution_id: session.executionId };
        return this.channel.send({ ...header, ...fields }, payload);
      },
    });
    return session;
  }

  private orchestrator(server: Endpoint): RemoteOrchestrator {
    const key = JSON.stringify(server);
    let orchestrator = this.orchestrators.get(key);
    if (orchestrator === undefined) {
      orchestrator = new RemoteOrchestrator({
        serverHost: server.host,
        serverPort: server.port,
        timeoutMs: Math.round(server.timeout_s * 1000),
        retries: server.retries,
        // `run` routes the code as its request says (viewer_port); never route it again here.
        relay:
          server.relay === null
            ? null
            : {
                host: server.relay.host,
                port: server.relay.port,
                curvePublicKey: server.relay.curve_public_key,
                viewerPort: null,
              },
        onWarning: (warning) => {
          this.warn(warning);
        },
      });
      this.orchestrators.set(key, orchestrator);
    }
    return orchestrator;
  }

  private orchestratorOf(request: {
    execution_id: string;
    server?: Endpoint | undefined;
  }): RemoteOrchestrator {
    if (request.server !== undefined) return this.orchestrator(request.server);
    const session = this.sessions.get(request.execution_id);
    if (session === undefined) throw new UnknownRunError(request.execution_id);
    return session.orchestrator;
  }

  /** The run's images: those stored, and (previews delivery) those still on the server. */
  private imagesOf(executionId: string): Record<string, unknown>[] {
    const stored = this.store(executionId).listImages();
    const seqs = new Set(stored.map((image) => image.seq));
    const remote = this.sessionOf(executionId)
      .remote.all()
      .filter((item) => !seqs.has(item.seq))
      .map((item) => ({
        ...itemWire(item),
        shape: item.shape,
        dtype: item.dtype,
        channel_name: item.componentNames.channel ?? null,
        on_server: true,
      }));
    return [...stored.map(imageWire), ...remote];
  }

  private sessionOf(executionId: string): RunSession {
    const session = this.sessions.get(executionId);
    if (session?.store == null) throw new UnknownRunError(executionId);
    return session;
  }

  private store(executionId: string): NonNullable<RunSession["store"]> {
    const store = this.sessions.get(executionId)?.store;
    if (store == null) throw new UnknownRunError(executionId);
    return store;
  }
}

function imageWire(image: StoredImage): Record<string, unknown> {
  return {
    ...itemWire(image),
    shape: image.shape,
    dtype: image.dtype,
    channel_name: image.channelName,
  };
}

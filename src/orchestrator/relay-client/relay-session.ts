/**
 * One client session with the relay over a DEALER socket (docs/relay-stream-protocol.md §6):
 * `hello` with a fresh nonce, act only on the `welcome` that answers the latest one, watch
 * heartbeats, and say `hello` again after silence, a new incarnation or `ERR_NO_SESSION`. The
 * DEALER reconnects by itself underneath; what the session restarts is the relay's state.
 *
 * The stream on top ({@link ResultStream}) decides what to subscribe and how much credit to give.
 */
import { Dealer, curveKeyPair } from "zeromq";
import {
  byeMessage,
  helloMessage,
  pingMessage,
  DEFAULT_RELAY_FRAME_LIMITS,
  RelayFrameError,
  decodeRelayMessage,
  type DecodedImage,
  type DecodedRunFile,
  type DecodedPlane,
  type DecodedPreviewImage,
  type DecodedShapes,
  type RelayErrorMessage,
  type RunFiles,
  type RelayFrameLimits,
  type RelayMessage,
  MAX_RELAY_HEADER_BYTES,
  MAX_RELAY_PAYLOAD_BYTES,
  RELAY_PROTOCOL_VERSION,
  type End,
  type Gap,
  type RunStarted,
  type Welcome,
} from "../../protocol/index.js";
import {
  RelayProtocolError,
  RelayRefusedError,
  RelaySpoolReplacedError,
  RelayUnreachableError,
  type StreamPlace,
} from "./result-stream-errors.js";
import { RelayLinkWatch, type RelayLinkChange, type RelayLinkReason } from "./relay-link.js";

/** The relay's stream socket, as the `ready` event's `relay` object gives it. */
export interface RelayEndpoint {
  readonly host: string;
  /** `stream_port`. */
  readonly port: number;
  /** The relay's Z85 CURVE public key (`curve_public_key`), when it runs CURVE. */
  readonly curvePublicKey?: string | null | undefined;
}

/** The messages a session hands up: the run's content and news of runs. */
export type StreamMessage =
  DecodedImage | DecodedPreviewImage | DecodedShapes | Gap | End | RunStarted;

/** Answers to requests (`list_files`, `fetch_file`, `fetch_plane`), matched by `request_id`. */
export type RelayReply =
  RunFiles | DecodedRunFile | DecodedPlane | (RelayErrorMessage & { request_id: number });

/** Timing of a session. */
export interface RelaySessionTiming {
  /** How long the first `welcome` may take; default 10 000 ms. */
  readonly connectTimeoutMs: number;
  /** How long the relay may stay away after a session was lost; default 60 000 ms. */
  readonly lostAfterMs: number;
  readonly clientName: string;
}

/** What the session hands up. */
export interface RelaySessionHandler {
  /** A new session opened: subscribe and grant credit now. */
  onWelcome(welcome: Welcome): void;
  /** Anything but the session's own control messages; `size` is what it cost in credit. */
  onMessage(message: StreamMessage, size: number): void;
  /** The session cannot go on; it is closed already. */
  onFailure(error: Error): void;
  /** An answer to a request; sessions that send none need not listen. */
  onReply?(reply: RelayReply): void;
  /** The link to the relay changed (lost, back, given up); sessions need not listen. */
  onLink?(change: RelayLinkChange): void;
  /** Where the stream stands, for error messages. */
  place(): StreamPlace;
}

const TICK_MS = 250;
const SILENT_HEARTBEATS = 3;

/** A DEALER session with hello/welcome, heartbeat watch and keepalive. */
export class RelaySession {
  readonly address: string;
  /** Every incarnation seen, in order (a new one means the relay restarted). */
  readonly incarnations: string[] = [];
  /** Sessions opened (welcomes accepted). */
  sessions = 0;
  /** The last `welcome` accepted. */
  welcome: Welcome | null = null;
  private socket: Dealer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private nonce = 0;
  private helloSentAt = 0;
  private isOpen = false;
  private spoolId: string | null = null;
  private waitingSince = 0;
  private lastHeard = 0;
  private lastSent = 0;
  private lastTick = 0;
  private heartbeatMs = 1000;
  private sessionTimeoutMs = 30_000;
  private limits: RelayFrameLimits = DEFAULT_RELAY_FRAME_LIMITS;
  private readonly link: RelayLinkWatch;

  constructor(
    readonly endpoint: RelayEndpoint,
    private readonly timing: RelaySessionTiming,
    private readonly handler: RelaySessionHandler,
  ) {
    const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
    this.address = `${host}:${endpoint.port}`;
    this.link = new RelayLinkWatch(this.address, (change) => handler.onLink?.(change));
  }

  /** Whether a session is open (its `welcome` arrived and nothing since says it is gone). */
  get open(): boolean {
    return this.isOpen;
  }

  /** Open the socket and say hello. */
  start(): void {
    if (this.socket !== null) return;
    const key = this.endpoint.curvePublicKey;
    const curve =
      key == null
        ? {}
        : (() => {
            // An ephemeral key pair per socket: the relay's key authenticates the relay; ours
            // only encrypts (the relay may still restrict clients with --curve-client-keys).
            const pair = curveKeyPair();
            return {
              curveServerKey: key,
              curvePublicKey: pair.publicKey,
              curveSecretKey: pair.secretKey,
            };
          })();
    this.socket = new Dealer({
      linger: 200,
      // Headers and pixel frames are bounded by the protocol; anything larger is refused by
      // libzmq (the connection drops) before it costs memory here.
      maxMessageSize: Math.max(MAX_RELAY_HEADER_BYTES, MAX_RELAY_PAYLOAD_BYTES),
      ...curve,
    });
    this.socket.connect(`tcp://${this.address}`);
    this.waitingSince = Date.now();
    this.lastHeard = this.waitingSince;
    this.lastTick = this.waitingSince;
    void this.pump(this.socket);
    this.hello();
    this.timer = setInterval(() => {
      this.tick();
    }, TICK_MS);
    this.timer.unref();
  }

  /** Queue one client message (sends are serialised: a DEALER takes one pending send). */
  send(frame: Uint8Array): void {
    const socket = this.socket;
    if (socket === null) return;
    this.lastSent = Date.now();
    this.sending = this.sending.then(
      () => socket.send(frame),
      () => socket.send(frame),
    );
    this.sending.catch(() => undefined); // a closed socket: the session is over anyway
  }

  /** Say `bye` and close; idempotent. */
  close(): void {
    const socket = this.socket;
    if (socket === null) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.isOpen = false;
    this.socket = null;
    const bye = byeMessage();
    void this.sending
      .then(() => socket.send(bye))
      .catch(() => undefined)
      .finally(() => {
        socket.close();
      });
  }

  /** Say hello (again); `lost` says why an open session is given up. */
  private hello(lost?: RelayLinkReason): void {
    this.nonce += 1;
    // The relay's patience budget (lostAfterMs) runs from when the session was lost.
    if (this.isOpen) {
      this.waitingSince = Date.now();
      if (lost !== undefined) this.link.lost(lost, this.lastHeard);
    }
    this.isOpen = false;
    this.helloSentAt = Date.now();
    this.send(helloMessage(this.nonce, this.timing.clientName));
  }

  private async pump(socket: Dealer): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        // Closing the socket ends the loop quietly; anything else ends the session.
        if (this.socket === socket) {
          this.fail(new RelayUnreachableError(this.handler.place(), 0, { cause: error }));
        }
        return;
      }
      this.lastHeard = Date.now();
      try {
        if (!this.dispatch(frames)) return;
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }

  /** Handle one message; false once the session is closed. */
  private dispatch(frames: Buffer[]): boolean {
    let message: RelayMessage;
    try {
      message = decodeRelayMessage(frames, this.limits);
    } catch (error) {
      if (!(error instanceof RelayFrameError)) throw error;
      this.fail(
        new RelayProtocolError(this.handler.place(), error.field, error.reason, { cause: error }),
      );
      return false;
    }
    switch (message.type) {
      case "welcome":
        this.onWelcome(message);
        break;
      case "heartbeat":
        // Only a relay never welcomed us means a restart: heartbeats of the old one can still
        // be queued behind the new welcome (ZeroMQ fair-queues the old and new connections).
        if (this.isOpen && !this.incarnations.includes(message.incarnation)) {
          this.hello("restarted");
        }
        break;
      case "pong":
        break;
      case "files":
      case "file":
      case "plane":
        this.handler.onReply?.(message);
        break;
      case "error":
        if (message.request_id !== undefined && message.code !== "ERR_NO_SESSION") {
          this.handler.onReply?.({ ...message, request_id: message.request_id });
        } else if (message.code === "ERR_NO_SESSION") {
          // The relay lost our session (it restarted, or timed us out). While a hello is on its
          // way, more of these are expected: answer them at most once per heartbeat interval.
          if (this.isOpen || Date.now() - this.helloSentAt >= this.heartbeatMs) {
            this.hello("no_session");
          }
        } else {
          this.fail(
            new RelayRefusedError(
              this.handler.place(),
              message.code,
              message.field ?? null,
              message.message,
            ),
          );
        }
        break;
      default: {
        const size = frames.reduce((total, frame) => total + frame.byteLength, 0);
        this.handler.onMessage(message, size);
      }
    }
    return this.socket !== null;
  }

  private onWelcome(welcome: Welcome): void {
    // Answers to hellos sent while the relay was away arrive late: only the latest one counts.
    if (welcome.nonce !== this.nonce) return;
    if (welcome.protocol !== RELAY_PROTOCOL_VERSION) {
      this.fail(
        new RelayProtocolError(
          this.handler.place(),
          "protocol",
          `the relay speaks version ${welcome.protocol}, this client ${RELAY_PROTOCOL_VERSION}`,
        ),
      );
      return;
    }
    if (this.spoolId !== null && welcome.spool_id !== this.spoolId) {
      this.fail(new RelaySpoolReplacedError(this.handler.place(), this.spoolId, welcome.spool_id));
      return;
    }
    this.spoolId = welcome.spool_id;
    this.welcome = welcome;
    this.heartbeatMs = welcome.limits.heartbeat_interval_ms;
    this.sessionTimeoutMs = welcome.limits.session_timeout_ms;
    this.limits = {
      maxHeaderBytes: Math.min(MAX_RELAY_HEADER_BYTES, welcome.limits.max_header_bytes),
      maxPayloadBytes: Math.min(MAX_RELAY_PAYLOAD_BYTES, welcome.limits.max_payload_bytes),
    };
    if (this.incarnations.at(-1) !== welcome.incarnation) {
      this.incarnations.push(welcome.incarnation);
    }
    this.isOpen = true;
    this.sessions += 1;
    this.link.welcomed();
    this.handler.onWelcome(welcome);
  }

  private tick(): void {
    const now = Date.now();
    // A late tick means the event loop was busy: received heartbeats may still be queued.
    const late = now - this.lastTick > 4 * TICK_MS;
    this.lastTick = now;
    if (late || this.socket === null) return;
    const silence = SILENT_HEARTBEATS * this.heartbeatMs;
    if (this.isOpen && now - this.lastHeard > silence) {
      this.hello("silent");
    } else if (!this.isOpen) {
      const budget = this.sessions === 0 ? this.timing.connectTimeoutMs : this.timing.lostAfterMs;
      if (now - this.waitingSince > budget) {
        this.fail(
          new RelayUnreachableError(this.handler.place(), now - this.waitingSince, {
            cause: new Error(`last heard from the relay ${now - this.lastHeard} ms ago`),
          }),
        );
        return;
      }
      if (now - this.helloSentAt > silence) this.hello();
    }
    // Keep an idle session alive: the relay drops one it has not heard from in a while.
    if (now - this.lastSent > this.sessionTimeoutMs / 3) this.send(pingMessage(this.nonce));
  }

  private fail(error: Error): void {
    if (this.socket === null) return;
    this.close();
    this.link.failed(this.lastHeard);
    this.handler.onFailure(error);
  }
}

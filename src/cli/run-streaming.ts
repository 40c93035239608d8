/**
 * `run --relay HOST:PORT [--relay-key KEY] [--relay-viewer-port N]`: make the run stream its
 * images to the relay next to the server, receive them here, and count them in the progress line.
 */
import {
  type RelayDelivery,
  type RelayLinkChange,
  type RelayOptions,
  type ResultGap,
  type ResultItem,
  type ResultSummary,
  type RunProgressSnapshot,
} from "../orchestrator/index.js";
import { formatDuration } from "../protocol/index.js";
import type { ParseArgsConfig } from "node:util";
import { emitJson, UsageError } from "./cli-support.js";
import { renderProgressLine } from "./progress-bar.js";

/** The relay's default stream port (`openhcs-remote-server --relay-stream-port`). */
export const DEFAULT_RELAY_STREAM_PORT = 5600;

export const RELAY_OPTIONS = {
  relay: { type: "string" },
  delivery: { type: "string" },
  "relay-key": { type: "string" },
  "relay-viewer-port": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export const RELAY_OPTIONS_HELP = `  --relay HOST:PORT      receive the result images from the relay's stream port
                         (openhcs-remote-server prints it: relay.stream_port; default 5600)
  --relay-key KEY        the relay's CURVE public key (relay.curve_public_key), if it has one
  --relay-viewer-port N  the relay's OpenHCS viewer port the run is pointed at
                         (default: the port the relay names when asked)
  --delivery previews|full
                         previews (default): each image crosses as its 8-bit preview and its
                         pixels stay on the server (--out fetches each one, compressed);
                         full: every image's pixels as it arrives, uncompressed`;

/** `--delivery`: what crosses the link for each image; previews unless asked. */
export function deliveryFrom(values: {
  relay?: string | undefined;
  delivery?: string | undefined;
}): RelayDelivery {
  const text = values.delivery;
  if (text === undefined) return "previews";
  if (values.relay === undefined) throw new UsageError("--delivery needs --relay HOST:PORT");
  if (text !== "previews" && text !== "full") {
    throw new UsageError(`--delivery must be previews or full, not '${text}'`);
  }
  return text;
}

/** The orchestrator's `relay` option from the command line; `null` without `--relay`. */
export function relayFrom(values: {
  relay?: string | undefined;
  "relay-key"?: string | undefined;
  "relay-viewer-port"?: string | undefined;
}): RelayOptions | null {
  if (values.relay === undefined) {
    if (values["relay-key"] !== undefined || values["relay-viewer-port"] !== undefined) {
      throw new UsageError("--relay-key and --relay-viewer-port need --relay HOST:PORT");
    }
    return null;
  }
  const match = /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:]+))(?::(?<port>\d+))?$/.exec(
    values.relay.trim(),
  );
  if (match?.groups === undefined)
    throw new UsageError(`not a HOST:PORT address: '${values.relay}'`);
  const port = Number(match.groups.port ?? DEFAULT_RELAY_STREAM_PORT);
  const viewerText = values["relay-viewer-port"];
  const viewerPort = viewerText === undefined ? undefined : Number(viewerText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`relay port ${port} out of range (1..65535)`);
  }
  if (
    viewerPort !== undefined &&
    (!Number.isInteger(viewerPort) || viewerPort < 1 || viewerPort > 64535)
  ) {
    throw new UsageError(`--relay-viewer-port ${viewerPort} out of range (1..64535)`);
  }
  const key = values["relay-key"];
  if (key !== undefined && !/^[0-9A-Za-z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/.test(key)) {
    throw new UsageError("--relay-key must be the relay's 40-character Z85 CURVE public key");
  }
  return {
    host: match.groups.v6 ?? match.groups.host ?? "",
    port,
    viewerPort,
    curvePublicKey: key ?? null,
  };
}

/** `bytes` in MiB, one decimal. */
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** Bytes per second since `since` (`performance.now()`); `null` in the first half second. */
function rateSince(bytes: number, since: number | null): number | null {
  if (since === null || bytes === 0) return null;
  const seconds = (performance.now() - since) / 1000;
  return seconds < 0.5 ? null : bytes / seconds;
}

/**
 * Counts what arrives, passes each item on (e.g. to `--out`), and draws the progress line with
 * the count and the bytes: `[#####-----]  40%  2/5 wells  ETA 1 min 03 s  · 24 images, 96.0 MiB
 * at 11.4 MiB/s` (the rate tells a slow link from a slow run). When `--out` fetches the planes
 * behind their previews: `· 24 images, fetched 96.0 of 240.0 MiB at 11.4 MiB/s`, and once the
 * server has finished every well, the fetch's own `ETA 13 s`.
 */
export class StreamedResults {
  images = 0;
  shapes = 0;
  /** Pixel bytes received, and when the first arrived. */
  bytes = 0;
  private firstAt: number | null = null;
  /** Full-resolution bytes to fetch (the previews' planes so far), fetched, since when. */
  private fetch = { total: 0, done: 0, startedAt: null as number | null, tenths: 0 };
  private snapshot: RunProgressSnapshot | null = null;
  private lastLine = "";
  private lastDone = -1;

  constructor(
    private readonly json: boolean,
    private readonly next?: (item: ResultItem) => Promise<void>,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** The `onImage` hook. */
  readonly onImage = async (item: ResultItem): Promise<void> => {
    if (item.kind === "shapes") this.shapes += 1;
    else {
      this.images += 1;
      this.received(item.kind === "image" ? item.data : (item.preview?.pixels ?? null));
    }
    if (this.json) {
      emitJson({
        event: "image",
        execution_id: item.executionId,
        seq: item.seq,
        kind: item.kind,
        well: item.well,
        site: item.site,
        channel: item.channel,
        z: item.z,
        step: item.step,
        ...(item.kind === "shapes" ? {} : { shape: item.shape, dtype: item.dtype }),
      });
    } else {
      this.draw();
    }
    await this.next?.(item);
  };

  /** The `onGap` hook: a gap is news worth a line of its own. */
  readonly onGap = (gap: ResultGap): void => {
    if (this.json) {
      emitJson({ event: "gap", from_seq: gap.fromSeq, to_seq: gap.toSeq, reason: gap.reason });
    } else {
      this.finish();
      this.stream.write(
        `openhcs-remote: results ${gap.fromSeq}..${gap.toSeq} of run ${gap.executionId} ` +
          `will not arrive (${gap.reason} by the relay)\n`,
      );
    }
  };

  /** The `onRelayLink` hook: a relay gone quiet, back, or given up on is news worth a line. */
  readonly onRelayLink = (change: RelayLinkChange): void => {
    if (this.json) {
      emitJson({
        event: "relay_link",
        state: change.state,
        address: change.address,
        silent_ms: change.silentMs,
        reason: change.reason,
      });
      return;
    }
    this.finish();
    const silent = formatDuration(change.silentMs);
    const line = {
      reconnecting: `reconnecting to relay ${change.address}… (silent ${silent}; nothing is lost meanwhile)`,
      connected: `relay ${change.address} answers again`,
      lost: `lost the relay ${change.address}; no more images will arrive`,
    }[change.state];
    this.stream.write(`openhcs-remote: ${line}\n`);
  };

  /** Draw a progress snapshot (instead of `ProgressBar.update`). */
  update(snapshot: RunProgressSnapshot): void {
    this.snapshot = snapshot;
    this.draw();
  }

  /** End the line so later output starts clean. */
  finish(): void {
    if (this.stream.isTTY && this.lastLine !== "") this.stream.write("\n");
    this.lastLine = "";
  }

  /** `, 24 images and 4 ROI sets received (3 missing)` for the closing line. */
  describe(summary: ResultSummary | null): string {
    if (summary === null) return "";
    const shapes = this.shapes > 0 ? ` and ${this.shapes} ROI sets` : "";
    const missing =
      summary.missing > 0 ? ` (${summary.missing} reported missing by the relay)` : "";
    const open = summary.ended ? "" : `, stream stopped at seq ${summary.nextSeq}`;
    return `, ${this.images} images${shapes} received${missing}${open}`;
  }

  /** Count pixels that crossed: an image's, a preview's, or a plane fetched after its preview. */
  received(pixels: Uint8Array | null): void {
    if (pixels === null) return;
    this.bytes += pixels.byteLength;
    this.firstAt ??= performance.now();
  }

  /** A plane of `nbytes` is about to be fetched behind its preview (`--out`). */
  willFetch(nbytes: number): void {
    this.fetch.total += nbytes;
    this.fetch.startedAt ??= performance.now();
  }

  /** A plane arrived at full resolution. */
  fetched(data: Uint8Array): void {
    this.received(data);
    this.fetch.done += data.byteLength;
    if (!this.json) this.draw();
  }

  /** `, fetched 96.0 of 240.0 MiB at 11.4 MiB/s, ETA 13 s` (the ETA once the server is done). */
  private fetchText(): string {
    const { total, done, startedAt } = this.fetch;
    const text = `, fetched ${mib(done)} of ${mib(total)} MiB`;
    const rate = rateSince(done, startedAt);
    if (rate === null) return text;
    // While the server still runs, more planes will come: an ETA of the known ones would lie.
    const serverDone = this.snapshot !== null && this.snapshot.fraction >= 1;
    const eta =
      serverDone && done < total ? `, ETA ${formatDuration(((total - done) / rate) * 1000)}` : "";
    return `${text} at ${mib(rate)} MiB/s${eta}`;
  }

  /** `, 96.0 MiB at 11.4 MiB/s` once pixels arrived. */
  private receivedText(): string {
    if (this.firstAt === null || this.bytes === 0) return "";
    const rate = rateSince(this.bytes, this.firstAt);
    return `, ${mib(this.bytes)} MiB${rate === null ? "" : ` at ${mib(rate)} MiB/s`}`;
  }

  private draw(): void {
    if (this.snapshot === null) return;
    const bytes = this.fetch.total > 0 ? this.fetchText() : this.receivedText();
    const line = `${renderProgressLine(this.snapshot)}  · ${this.images} images${bytes}`;
    // On a pipe: a line per finished well, and per tenth of the fetch (it can outlast the run).
    const tenths = this.fetch.total > 0 ? Math.floor((this.fetch.done / this.fetch.total) * 10) : 0;
    if (this.stream.isTTY) {
      if (line !== this.lastLine) this.stream.write(`\r${line}\u001b[K`);
    } else if (this.snapshot.wellsDone !== this.lastDone || tenths > this.fetch.tenths) {
      this.stream.write(`${line}\n`);
      this.lastDone = this.snapshot.wellsDone;
      this.fetch.tenths = tenths;
    }
    this.lastLine = line;
  }
}

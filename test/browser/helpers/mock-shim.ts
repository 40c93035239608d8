/**
 * The kernel side of the widget protocol, as docs/widget-protocol.md describes it, for driving
 * the browser widget without a kernel: it publishes `ohr-preview` messages made from source
 * planes (downsampled, mapped from the 0.1–99.9 percentiles to 8 bits), and answers `cancel`,
 * `replay_previews` (all, or one `well`'s) and `fetch_plane`. It can play a busy kernel (commands wait until `idle()`)
 * and a failing one. The real shim is tested against the same page by its own suite.
 */
import type { PlaneCoordinates } from "../../../src/widget/state/preview-message.js";
import type { MockModel, SentMessage } from "./mock-model.js";

/** A full-resolution plane the fake kernel holds. */
export interface SourcePlane extends PlaneCoordinates {
  readonly width: number;
  readonly height: number;
  readonly values: Uint16Array;
}

function percentile(sorted: Uint16Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

/** The preview message of a plane, per the contract. */
export function previewOf(
  plane: SourcePlane,
  seq: number,
): { content: Record<string, unknown>; pixels: Uint8Array } {
  const factor = Math.ceil(Math.max(plane.width, plane.height) / 256);
  const width = Math.ceil(plane.width / factor);
  const height = Math.ceil(plane.height / factor);
  const sorted = plane.values.slice().sort();
  const lo = percentile(sorted, 0.001);
  const hi = percentile(sorted, 0.999);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = 0; dy < factor && y * factor + dy < plane.height; dy++) {
        for (let dx = 0; dx < factor && x * factor + dx < plane.width; dx++) {
          sum += plane.values[(y * factor + dy) * plane.width + x * factor + dx] ?? 0;
          n += 1;
        }
      }
      const v = sum / n;
      pixels[y * width + x] =
        hi > lo ? Math.round((Math.min(hi, Math.max(lo, v)) - lo) * (255 / (hi - lo))) : 0;
    }
  }
  const { well, site, channel, z, timepoint, step } = plane;
  return {
    content: {
      kind: "ohr-preview",
      seq,
      well,
      site,
      channel,
      z,
      timepoint,
      step,
      width,
      height,
      source_shape: [plane.height, plane.width],
      dtype: "uint16",
      value_min: lo,
      value_max: hi,
    },
    pixels,
  };
}

export class MockShim {
  readonly planes: SourcePlane[] = [];
  /** While true, commands wait (a cell is executing) and are answered by `idle()`. */
  busy = false;
  /** The `well` of every `replay_previews` answered (`null`: all). */
  readonly replays: (string | null)[] = [];
  /** Answer the next command with this error instead. */
  failNext: { code: string; message: string } | null = null;
  readonly #model: MockModel;
  readonly #waiting: SentMessage[] = [];
  /** The `seq` each plane was published with: a replay re-sends it, as the shim does. */
  readonly #seqs = new Map<SourcePlane, number>();
  readonly #ready: { content: Record<string, unknown> & { well: string }; pixels: Uint8Array }[] =
    [];
  #seq = 0;

  constructor(model: MockModel) {
    this.#model = model;
    model.onSend = (message) => {
      if (message.content.kind !== "ohr-command") return;
      if (this.busy) this.#waiting.push(message);
      else this.#answer(message);
    };
  }

  /** Send a ready-made `ohr-preview` (and keep it for replays): cheap enough for whole plates. */
  send(content: Record<string, unknown> & { well: string }, pixels: Uint8Array): void {
    this.#ready.push({ content, pixels });
    this.#model.kernelSend(content, [pixels]);
  }

  /** Keep a plane and send its preview, as the shim does when the sidecar hands it an image. */
  publish(plane: SourcePlane): void {
    this.planes.push(plane);
    this.#sendPreview(plane);
  }

  /** The kernel finished its cell: answer what waited. */
  idle(): void {
    this.busy = false;
    for (const message of this.#waiting.splice(0)) this.#answer(message);
  }

  #sendPreview(plane: SourcePlane): void {
    let seq = this.#seqs.get(plane);
    if (seq === undefined) this.#seqs.set(plane, (seq = this.#seq += 1));
    const { content, pixels } = previewOf(plane, seq);
    this.#model.kernelSend(content, [pixels]);
  }

  #answer(message: SentMessage): void {
    const { id, name, args } = message.content as {
      id: string;
      name: string;
      args: Record<string, unknown>;
    };
    const reply = (result: unknown, buffers: Uint8Array[] = []): void => {
      this.#model.kernelSend({ kind: "ohr-reply", id, ok: true, result }, buffers);
    };
    if (this.failNext !== null) {
      this.#model.kernelSend({ kind: "ohr-reply", id, ok: false, error: this.failNext });
      this.failNext = null;
      return;
    }
    if (name === "cancel") {
      reply({ message: "Cancel sent to the server." });
    } else if (name === "replay_previews") {
      // `well`: only that well's (the browser shows a well whose previews it did not keep).
      const well = typeof args.well === "string" ? args.well : null;
      const replayed = this.planes.filter((p) => well === null || p.well === well);
      const ready = this.#ready.filter((p) => well === null || p.content.well === well);
      this.replays.push(well);
      reply({ count: replayed.length + ready.length });
      for (const plane of replayed) this.#sendPreview(plane);
      for (const { content, pixels } of ready) this.#model.kernelSend(content, [pixels]);
    } else if (name === "fetch_plane") {
      const plane = this.planes.find((p) =>
        (["well", "site", "channel", "z", "timepoint", "step"] as const).every(
          (k) => p[k] === args[k],
        ),
      );
      if (plane === undefined) {
        this.#model.kernelSend({
          kind: "ohr-reply",
          id,
          ok: false,
          error: { code: "ERR_PLANE_NOT_FOUND", message: `no plane ${JSON.stringify(args)}` },
        });
        return;
      }
      const bytes = new Uint8Array(
        plane.values.buffer,
        plane.values.byteOffset,
        plane.values.byteLength,
      );
      reply({ shape: [plane.height, plane.width], dtype: "uint16", byte_order: "little" }, [bytes]);
    } else {
      this.#model.kernelSend({
        kind: "ohr-reply",
        id,
        ok: false,
        error: { code: "ERR_UNKNOWN_COMMAND", message: name },
      });
    }
  }
}

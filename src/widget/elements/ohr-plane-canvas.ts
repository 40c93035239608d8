/**
 * `<ohr-plane-canvas>`: one blended image on a canvas, with zoom (wheel, + / − keys, buttons) and
 * pan (drag, arrow keys). Pixels are drawn unsmoothed when zoomed, so what you see are the data's
 * own pixels.
 */
import { LitElement, css, html, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import { defineElement } from "./define-element.js";
import { themeStyles } from "./theme-styles.js";
import { emit } from "./events.js";
import { FIT, ZOOM_STEP, panBy, visibleRegion, zoomBy, type Viewport } from "../imaging/index.js";
import type { RoiOutline } from "../state/index.js";

/** Arrow keys move this fraction of the visible region. */
const PAN_STEP = 0.1;
/** The properties whose change changes the pixels on the canvas. */
const DRAWN = ["image", "size", "outlines", "sourceSize", "_viewport"] as const;

export class OhrPlaneCanvas extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: inline-block;
      }
      .frame {
        display: block;
        background: #000;
        cursor: grab;
        touch-action: none;
      }
      .frame.dragging {
        cursor: grabbing;
      }
      canvas {
        display: block;
      }
      .zoom {
        display: flex;
        gap: 4px;
        align-items: center;
        margin-top: 4px;
      }
      .zoom output {
        min-width: 4em;
        text-align: center;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** The blended image; `null` draws an empty frame. */
  @property({ attribute: false }) image: ImageData | null = null;
  /** Longest canvas edge in CSS px. */
  @property({ type: Number }) size = 384;
  /** Accessible description of what is shown. */
  @property() label = "Image";
  /** ROI outlines to draw over the image, in pixels of the full-resolution plane. */
  @property({ attribute: false }) outlines: readonly RoiOutline[] = [];
  /** `[width, height]` of the full-resolution plane the outlines are in (the image may be a preview). */
  @property({
    attribute: false,
    // Compared by value: the viewer makes a new pair on every render.
    hasChanged: (a: readonly number[] | null, b: readonly number[] | null) =>
      a?.[0] !== b?.[0] || a?.[1] !== b?.[1],
  })
  sourceSize: readonly [number, number] | null = null;

  @state() private _viewport: Viewport = FIT;
  @query("canvas") private _canvas!: HTMLCanvasElement;
  #drag: { x: number; y: number; start: Viewport } | null = null;
  #source: HTMLCanvasElement | null = null;
  #sourceOf: ImageData | null = null;

  /** Current zoom (1 = whole image). */
  get zoom(): number {
    return this._viewport.zoom;
  }

  /** Back to the whole image. */
  resetView(): void {
    this.#setViewport(FIT);
  }

  override render(): unknown {
    const [w, h] = this.#canvasSize();
    return html`
      <div
        class="frame ${this.#drag === null ? "" : "dragging"}"
        tabindex="0"
        role="img"
        aria-label="${this.label}; zoom ${Math.round(this.zoom * 100)}%. Arrow keys pan, + and − zoom, 0 fits."
        @keydown=${this.#onKey}
        @wheel=${this.#onWheel}
        @pointerdown=${this.#onPointerDown}
        @pointermove=${this.#onPointerMove}
        @pointerup=${this.#onPointerUp}
        @pointercancel=${this.#onPointerUp}
      >
        <canvas width=${w} height=${h}></canvas>
      </div>
      <div class="zoom">
        <button
          aria-label="Zoom out"
          @click=${() => {
            this.#zoom(1 / ZOOM_STEP);
          }}
        >
          −
        </button>
        <output aria-live="polite">${Math.round(this.zoom * 100)}%</output>
        <button
          aria-label="Zoom in"
          @click=${() => {
            this.#zoom(ZOOM_STEP);
          }}
        >
          +
        </button>
        <button
          @click=${() => {
            this.resetView();
          }}
        >
          Fit
        </button>
      </div>
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    // Only the label or the drag cursor changed: the pixels shown are the same.
    if (!DRAWN.some((key) => changed.has(key as keyof OhrPlaneCanvas))) return;
    const ctx = this._canvas.getContext("2d");
    if (ctx === null) return;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, this._canvas.width, this._canvas.height);
    const image = this.image;
    if (image === null) return;
    if (this.#sourceOf !== image) {
      this.#source ??= document.createElement("canvas");
      this.#source.width = image.width;
      this.#source.height = image.height;
      this.#source.getContext("2d")?.putImageData(image, 0, 0);
      this.#sourceOf = image;
    }
    const { sx, sy, sw, sh } = visibleRegion(this._viewport, image.width, image.height);
    ctx.imageSmoothingEnabled = false;
    if (this.#source !== null)
      ctx.drawImage(this.#source, sx, sy, sw, sh, 0, 0, this._canvas.width, this._canvas.height);
    this.#drawOutlines(ctx);
  }

  /** Canvas position of a full-resolution pixel coordinate `[y, x]`, as drawn now. */
  toCanvas(point: readonly [number, number]): { x: number; y: number } | null {
    const image = this.image;
    if (image === null) return null;
    const { sx, sy, sw, sh } = visibleRegion(this._viewport, image.width, image.height);
    const [fullWidth, fullHeight] = this.sourceSize ?? [image.width, image.height];
    const ix = (point[1] * image.width) / fullWidth;
    const iy = (point[0] * image.height) / fullHeight;
    return {
      x: ((ix - sx) * this._canvas.width) / sw,
      y: ((iy - sy) * this._canvas.height) / sh,
    };
  }

  // A dark halo under a light line: the outline reads on any channel colour and on black.
  #drawOutlines(ctx: CanvasRenderingContext2D): void {
    if (this.outlines.length === 0) return;
    const paths = this.outlines.map((outline) => {
      const path = new Path2D();
      outline.polygon.forEach((point, index) => {
        const at = this.toCanvas(point);
        if (at === null) return;
        if (index === 0) path.moveTo(at.x, at.y);
        else path.lineTo(at.x, at.y);
      });
      path.closePath();
      return path;
    });
    ctx.save();
    ctx.lineJoin = "round";
    for (const [width, colour] of [
      [3, "rgba(0, 0, 0, 0.85)"],
      [1.25, "rgb(255, 255, 255)"],
    ] as const) {
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      for (const path of paths) ctx.stroke(path);
    }
    ctx.restore();
  }

  /** Canvas size: the image's aspect ratio within `size × size`. */
  #canvasSize(): [number, number] {
    const image = this.image;
    if (image === null) return [this.size, Math.round(this.size * 0.75)];
    const scale = this.size / Math.max(image.width, image.height);
    return [
      Math.max(1, Math.round(image.width * scale)),
      Math.max(1, Math.round(image.height * scale)),
    ];
  }

  #zoom(factor: number, at?: { x: number; y: number }): void {
    this.#setViewport(zoomBy(this._viewport, factor, at));
  }

  /** Tell the viewer when the zoom changed: zooming in is a request for the full plane. */
  #setViewport(viewport: Viewport): void {
    const zoomed = viewport.zoom !== this._viewport.zoom;
    this._viewport = viewport;
    if (zoomed) emit(this, "ohr-zoom-change", { zoom: viewport.zoom });
  }

  #onKey(event: KeyboardEvent): void {
    const pans: Record<string, [number, number]> = {
      ArrowLeft: [-PAN_STEP, 0],
      ArrowRight: [PAN_STEP, 0],
      ArrowUp: [0, -PAN_STEP],
      ArrowDown: [0, PAN_STEP],
    };
    const pan = pans[event.key];
    if (pan !== undefined) this._viewport = panBy(this._viewport, pan[0], pan[1]);
    else if (event.key === "+" || event.key === "=") this.#zoom(ZOOM_STEP);
    else if (event.key === "-" || event.key === "_") this.#zoom(1 / ZOOM_STEP);
    else if (event.key === "0") this.resetView();
    else return;
    event.preventDefault();
  }

  #onWheel(event: WheelEvent): void {
    event.preventDefault();
    const rect = this._canvas.getBoundingClientRect();
    const at = {
      x: (event.clientX - rect.left) / rect.width,
      y: (event.clientY - rect.top) / rect.height,
    };
    this.#zoom(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, at);
  }

  #onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    this.#drag = { x: event.clientX, y: event.clientY, start: this._viewport };
    this.requestUpdate();
  }

  #onPointerMove(event: PointerEvent): void {
    const drag = this.#drag;
    if (drag === null) return;
    const rect = this._canvas.getBoundingClientRect();
    // Dragging right moves the image right: the centre moves left in image coordinates.
    const dx = -(event.clientX - drag.x) / rect.width;
    const dy = -(event.clientY - drag.y) / rect.height;
    this._viewport = panBy(drag.start, dx, dy);
  }

  #onPointerUp(): void {
    this.#drag = null;
    this.requestUpdate();
  }
}

defineElement("ohr-plane-canvas", OhrPlaneCanvas);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-plane-canvas": OhrPlaneCanvas;
  }
}

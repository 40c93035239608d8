/**
 * `<ohr-stack-viewer>`: the selected well's images. Channels blended additively in their colours,
 * each with a toggle and contrast limits in source units; sliders for site, z, timepoint and
 * step; zoom and pan. "Full resolution" fetches the exact planes from the kernel (a task: aborted
 * and rerun when the plane changes) and shows them with the same contrast limits; zooming in on a
 * plane larger than its preview turns it on by itself (a preview has nothing more to show), unless
 * the user switched it off. "ROIs" draws
 * the outlines OpenHCS segmented on this site, for the channels shown, over the plane.
 */
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import {
  CompositeMemo,
  type ColorLayer,
  type FullPlane,
  type PlaneFetcher,
  type PlaneSet,
  type PreviewCache,
  autoLimits,
  fullPlaneLayer,
  previewLayer,
  viewerChannels,
  axesAtStep,
  fitViewToPlanes,
  resolveView,
} from "../imaging/index.js";
import { defineElement } from "./define-element.js";
import { emit } from "./events.js";
import type { ChannelToggleDetail, ContrastChangeDetail, ZoomChangeDetail } from "./events.js";
import { formatPercent } from "./format.js";
import type { ChannelControl } from "./ohr-channel-controls.js";
import "./ohr-axis-sliders.js";
import "./ohr-channel-controls.js";
import "./ohr-plane-canvas.js";
import { stackViewerStyles } from "./ohr-stack-viewer-styles.js";
import {
  TRAITS,
  type ChannelInfo,
  type MeasurementSource,
  type PlaneView,
  type RoiOutline,
  type WellProgress,
} from "../state/index.js";
import { TaskController, TaskStatus } from "./task-controller.js";
import { themeStyles } from "./theme-styles.js";

const NO_OUTLINES: readonly RoiOutline[] = [];

type FullArgs = readonly [well: string, view: PlaneView, channels: readonly (number | null)[]];
type RoiArgs = readonly [well: string, site: number | null, channels: readonly (number | null)[]];

export class OhrStackViewer extends LitElement {
  static override styles = [themeStyles, stackViewerStyles];

  @property() well = "";
  @property({ attribute: false }) wellProgress: WellProgress | null = null;
  @property({ attribute: false }) channels: readonly ChannelInfo[] = [];
  @property({ attribute: false }) axes = TRAITS.axes.empty;
  /** The view asked for; values that do not exist resolve to ones that do. */
  @property({ attribute: false }) view = TRAITS.view.empty;
  @property({ attribute: false }) previews: PreviewCache | null = null;
  /** The cache's version; the viewer re-renders only when its own well got a preview. */
  @property({ type: Number, attribute: false }) previewsVersion = 0;
  /** How to get full-resolution planes; `null` (a plain page) hides the option. */
  @property({ attribute: false }) fetchPlane: PlaneFetcher | null = null;

  @state() private _hidden: ReadonlySet<number | null> = new Set();
  @state() private _limits: ReadonlyMap<number | null, readonly [number, number]> = new Map();
  /** The user's choice of full resolution; `null`: automatic (on while zoomed in). */
  @state() private _fullChoice: boolean | null = null;
  @state() private _zoom = 1;
  @state() private _showRois = false;
  /** Where ROIs come from; null: no ROI toggle. */
  @property({ attribute: false }) measurements: MeasurementSource | null = null;

  readonly #blend = new CompositeMemo();
  readonly #full = new TaskController<FullArgs, Map<number | null, FullPlane>>(this, {
    args: () => this.#fullArgs(),
    task: async ([well, view, channels], { signal }) => {
      const fetch = this.fetchPlane;
      if (fetch === null) throw new Error("no full-resolution source");
      const planes = await Promise.all(
        channels.map((channel) => fetch({ well, channel, ...view }, signal)),
      );
      return new Map(channels.map((channel, i) => [channel, planes[i] as FullPlane]));
    },
  });

  readonly #rois = new TaskController<RoiArgs, RoiOutline[]>(this, {
    args: () => this.#roiArgs(),
    task: async ([well, site, channels], { signal }) => {
      const source = this.measurements;
      if (source === null) throw new Error("no ROI source");
      return source.rois(well, site, channels, signal);
    },
  });

  /** Whether ROI outlines are shown. */
  get showRois(): boolean {
    return this._showRois;
  }
  set showRois(show: boolean) {
    this._showRois = show;
  }

  /** Whether full-resolution planes are being shown (or fetched). */
  get fullResolution(): boolean {
    return this._fullChoice ?? (this._zoom > 1 && this.#previewsReduced());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener("ohr-zoom-change", this.#onZoom);
  }

  override disconnectedCallback(): void {
    this.removeEventListener("ohr-zoom-change", this.#onZoom);
    super.disconnectedCallback();
  }

  /** The shown well's preview version at the last render. */
  #wellVersion = 0;

  override willUpdate(changed: PropertyValues<this>): void {
    // The cache keeps full previews only of wells on screen: this one from now on, and the
    // ones that came before it are asked for.
    if ((changed.has("well") || changed.has("previews")) && this.well !== "") {
      if (this.previews?.hold(this.well) === true)
        emit(this, "ohr-previews-request", { well: this.well });
    }
  }

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    // A 384-well plate gets previews for other wells many times a second: nothing to redraw.
    const version = this.previews?.wellVersion(this.well) ?? 0;
    if (changed.size === 1 && changed.has("previewsVersion") && version === this.#wellVersion) {
      return false;
    }
    this.#wellVersion = version;
    return true;
  }

  override render(): unknown {
    if (this.well === "")
      return html`<p class="empty muted">Select a well in the plate to see its images.</p>`;
    const view = this.#shownView();
    const set: PlaneSet = this.previews?.planeSet(this.well, view) ?? new Map();
    const channels = viewerChannels(this.channels, set.keys());
    const full = this.#full.status === TaskStatus.COMPLETE ? this.#full.value : undefined;
    const layers: ColorLayer[] = [];
    const controls: ChannelControl[] = channels.map((channel) => {
      const preview = set.get(channel.index);
      const manual = this._limits.get(channel.index);
      const limits = manual ?? (preview === undefined ? null : autoLimits(preview));
      const visible = !this._hidden.has(channel.index);
      const plane = full?.get(channel.index);
      if (visible && limits !== null && preview !== undefined) {
        layers.push(
          plane === undefined
            ? previewLayer(preview, channel.color, limits)
            : fullPlaneLayer(plane, channel.color, limits),
        );
      }
      return {
        channel,
        visible,
        limits,
        auto: manual === undefined,
        dtype: preview?.dtype ?? "uint16",
      };
    });
    const any = set.values().next().value;
    const width = Math.max(0, ...layers.map((l) => l.width));
    const height = Math.max(0, ...layers.map((l) => l.height));
    const image = this.#blend.composite(layers, width, height);
    const w = this.wellProgress;
    return html`
      <div class="head">
        <b>${this.well}</b>
        ${w === null ? nothing : html`<span class="state-${w.state}">${w.state} ${formatPercent(w.fraction)}</span>`}
        ${w === null || w.step === "" ? nothing : html`<span class="muted">${w.step}</span>`}
        <span class="info muted">
          ${
            any === undefined
              ? this.previews?.isLoading(this.well) === true
                ? html`<span role="status">loading previews…</span>`
                : "no image for this plane yet"
              : full === undefined
                ? `${any.width}×${any.height} preview of ${[...any.sourceShape].reverse().join("×")} ${any.dtype}`
                : `${width}×${height} full resolution, ${any.dtype}`
          }
        </span>
        ${this.fetchPlane === null ? nothing : this.#renderFullToggle()}
        ${this.measurements === null ? nothing : this.#renderRoiToggle()}
      </div>
      <div class="body">
        <ohr-plane-canvas
          .image=${image}
          .outlines=${
            this._showRois && this.#rois.status === TaskStatus.COMPLETE
              ? (this.#rois.value ?? NO_OUTLINES)
              : NO_OUTLINES
          }
          .sourceSize=${
            any === undefined
              ? null
              : ([
                  any.sourceShape.at(-1) ?? any.width,
                  any.sourceShape.at(-2) ?? any.height,
                ] as const)
          }
          label="${this.well} ${view.step ?? ""}"
        ></ohr-plane-canvas>
        <div class="side">
          <ohr-channel-controls
            .controls=${controls}
            @ohr-channel-toggle=${this.#onToggle}
            @ohr-contrast-change=${this.#onContrast}
          ></ohr-channel-controls>
          <ohr-axis-sliders
            .axes=${axesAtStep(this.axes, this.previews?.forWell(this.well) ?? [], view.step)}
            .view=${view}
          ></ohr-axis-sliders>
        </div>
      </div>
      ${w?.error == null ? nothing : html`<pre class="well-error" role="alert">${w.error}</pre>`}
    `;
  }

  #renderFullToggle(): unknown {
    return html`<label class="full">
        <input
          type="checkbox"
          .checked=${this.fullResolution}
          @change=${(e: Event) => (this._fullChoice = (e.target as HTMLInputElement).checked)}
        />
        Full resolution${this._fullChoice === null && this.fullResolution ? " (zoomed in)" : ""}
      </label>
      ${this.#full.render({
        pending: () => html`<span class="muted" role="status">loading full resolution…</span>`,
        error: (e) =>
          html`<span class="fetch-error" role="alert">
            full resolution unavailable: ${(e as { code?: string }).code ?? ""}
            ${(e as Error).message}
          </span>`,
      })}`;
  }

  #renderRoiToggle(): unknown {
    return html`<label class="full">
        <input
          type="checkbox"
          aria-label="Show ROI outlines"
          .checked=${this._showRois}
          @change=${(e: Event) => (this._showRois = (e.target as HTMLInputElement).checked)}
        />
        ROIs
      </label>
      ${this.#rois.render({
        complete: (rois) =>
          this._showRois ? html`<span class="muted">${rois.length} outlines</span>` : nothing,
        error: (e) =>
          html`<span class="fetch-error" role="alert"
            >ROIs unavailable: ${(e as Error).message}</span
          >`,
      })}`;
  }

  #roiArgs(): RoiArgs | null {
    if (!this._showRois || this.measurements === null || this.well === "") return null;
    const view = this.#shownView();
    const present: PlaneSet = this.previews?.planeSet(this.well, view) ?? new Map();
    const channels = [...present.keys()].filter((c) => !this._hidden.has(c));
    return [this.well, view.site, channels];
  }

  #fullArgs(): FullArgs | null {
    if (!this.fullResolution || this.fetchPlane === null || this.well === "") return null;
    const view = this.#shownView();
    const present: PlaneSet = this.previews?.planeSet(this.well, view) ?? new Map();
    const channels = [...present.keys()].filter((c) => !this._hidden.has(c));
    return channels.length === 0 ? null : [this.well, view, channels];
  }

  /** Whether the shown plane's previews are smaller than the plane (zooming reveals more). */
  #previewsReduced(): boolean {
    if (this.well === "") return false;
    const set: PlaneSet = this.previews?.planeSet(this.well, this.#shownView()) ?? new Map();
    return [...set.values()].some((p) => (p.sourceShape.at(-1) ?? p.width) > p.width);
  }

  readonly #onZoom = (event: CustomEvent<ZoomChangeDetail>): void => {
    this._zoom = event.detail.zoom;
  };

  /** The view asked for, resolved to values that exist and then to a plane the well has. */
  #shownView(): PlaneView {
    const view = resolveView(this.view, this.axes);
    return this.previews === null ? view : fitViewToPlanes(view, this.previews.forWell(this.well));
  }

  #onToggle(event: CustomEvent<ChannelToggleDetail>): void {
    const hidden = new Set(this._hidden);
    if (event.detail.visible) hidden.delete(event.detail.channel);
    else hidden.add(event.detail.channel);
    this._hidden = hidden;
  }

  #onContrast(event: CustomEvent<ContrastChangeDetail>): void {
    const limits = new Map(this._limits);
    if (event.detail.limits === null) limits.delete(event.detail.channel);
    else limits.set(event.detail.channel, event.detail.limits);
    this._limits = limits;
  }
}

defineElement("ohr-stack-viewer", OhrStackViewer);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-stack-viewer": OhrStackViewer;
  }
}

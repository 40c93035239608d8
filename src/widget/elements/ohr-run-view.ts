/**
 * `<ohr-run-view>`: the whole run widget — header, plate grid and stack viewer. It knows nothing
 * of the model: the adapter sets its properties and listens to its events. It also answers its
 * own `ohr-well-select` and `ohr-view-change`, so it works on a plain page too.
 */
import { LitElement, css, html, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import {
  CANCEL_IDLE,
  type CancelState,
  RERUN_IDLE,
  type RerunInfo,
  type RerunState,
  TRAITS,
  type Axes,
  type ChannelInfo,
  type PlaneView,
  type PlateLayout,
  type RelayGap,
  type RelayLink,
  type RunError,
  type RunProgress,
  type RunStatus,
  type MeasurementSource,
  type MeasurementSummary,
  type WellProgress,
  type WellRows,
} from "../state/index.js";
import { defineElement } from "./define-element.js";
import type { ChannelToggleDetail, ViewChangeDetail, WellSelectDetail } from "./events.js";
import { type PlaneFetcher, type PreviewCache, parseWellName } from "../imaging/index.js";
import "./ohr-plate-grid.js";
import "./ohr-plate-heatmap.js";
import "./ohr-well-table.js";
import "./ohr-run-header.js";
import "./ohr-stack-viewer.js";
import { themeStyles } from "./theme-styles.js";

export class OhrRunView extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
        background: var(--jp-layout-color1, #ffffff);
        border: 1px solid var(--jp-border-color2, #e0e0e0);
        border-radius: var(--jp-border-radius, 2px);
      }
      .main {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-start;
      }
      ohr-stack-viewer {
        flex: 1;
        min-width: 20em;
      }
      .measurements {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: flex-start;
        border-top: 1px solid var(--jp-border-color2, #e0e0e0);
      }
      ohr-well-table {
        flex: 1;
        min-width: 20em;
      }
    `,
  ];

  @property() server = "";
  @property({ attribute: "execution-id" }) executionId = "";
  @property() status: RunStatus = "connecting";
  @property({ attribute: false }) progress: RunProgress = TRAITS.progress.empty;
  @property({ attribute: false }) wells: Readonly<Record<string, WellProgress>> = {};
  @property({ attribute: false }) plateLayout: PlateLayout | null = null;
  @property({ attribute: false }) channels: readonly ChannelInfo[] = [];
  @property({ attribute: false }) axes: Axes = TRAITS.axes.empty;
  @property({ type: Number, attribute: false }) imagesReceived = 0;
  @property({ attribute: false }) gaps: readonly RelayGap[] = [];
  @property({ attribute: false }) error: RunError | null = null;
  @property({ attribute: false }) relayLink: RelayLink | null = null;
  @property({ attribute: "selected-well" }) selectedWell = "";
  @property({ attribute: false }) view: PlaneView = TRAITS.view.empty;
  @property({ attribute: false }) previews: PreviewCache | null = null;
  @property({ type: Number, attribute: false }) previewsVersion = 0;
  @property({ attribute: false }) fetchPlane: PlaneFetcher | null = null;
  @property({ attribute: false }) cancelState: CancelState = CANCEL_IDLE;
  @property({ attribute: false }) rerun: RerunInfo | null = null;
  @property({ attribute: false }) rerunState: RerunState = RERUN_IDLE;
  @property() notice = "";
  /** Where the run's measurement tables come from; null: no heatmap. */
  @property({ attribute: false }) measurements: MeasurementSource | null = null;
  @state() private _summary: MeasurementSummary | null = null;
  @state() private _wellRows: WellRows | null = null;
  /** Channels the viewer hides; the grid's thumbnails leave them out too. */
  @state() private _hiddenChannels: ReadonlySet<number | null> = new Set();
  #summaryFor = "";
  #rowsFor = "";

  constructor() {
    super();
    this.addEventListener("ohr-well-select", (e: CustomEvent<WellSelectDetail>) => {
      this.selectedWell = e.detail.well;
    });
    this.addEventListener("ohr-view-change", (e: CustomEvent<ViewChangeDetail>) => {
      this.view = e.detail.view;
    });
    this.addEventListener("ohr-channel-toggle", (e: CustomEvent<ChannelToggleDetail>) => {
      const hidden = new Set(this._hiddenChannels);
      if (e.detail.visible) hidden.delete(e.detail.channel);
      else hidden.add(e.detail.channel);
      this._hiddenChannels = hidden;
    });
  }

  /** The well the viewer shows: the selected one, else the first (in plate order) with images. */
  get shownWell(): string {
    if (this.selectedWell !== "") return this.selectedWell;
    const cache = this.previews;
    if (cache === null) return "";
    const withImages = Object.keys(this.wells).filter((w) => cache.wellVersion(w) > 0);
    const order = (w: string): number => {
      const p = parseWellName(w);
      return p === null ? Number.MAX_SAFE_INTEGER : p.row * 1000 + p.column;
    };
    return withImages.sort((a, b) => order(a) - order(b))[0] ?? "";
  }

  /** The measurement summary shown (null until the run wrote a table). */
  get measurementSummary(): MeasurementSummary | null {
    return this._summary;
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Refresh the heatmap as wells finish and when the run ends; one request per change.
    const key = `${this.executionId}|${this.progress.wells_done}|${this.status}`;
    if (this.measurements !== null && this.executionId !== "" && key !== this.#summaryFor) {
      this.#summaryFor = key;
      void this.#loadSummary(this.measurements);
    }
    const table = this._summary?.table ?? null;
    const well = this.selectedWell;
    const rowsKey = `${table ?? ""}|${well}|${this._summary?.rows[well] ?? 0}`;
    if (this.measurements !== null && table !== null && well !== "" && rowsKey !== this.#rowsFor) {
      this.#rowsFor = rowsKey;
      void this.#loadRows(this.measurements, table, well);
    }
  }

  async #loadSummary(source: MeasurementSource): Promise<void> {
    try {
      this._summary = await source.summary(this._summary?.table ?? null);
    } catch (error) {
      // No table yet (or several and none chosen) is normal while a run starts: say nothing.
      console.info("[openhcs-remote] measurements:", (error as Error).message);
    }
  }

  async #loadRows(source: MeasurementSource, table: string, well: string): Promise<void> {
    try {
      this._wellRows = await source.wellRows(table, well);
    } catch (error) {
      this._wellRows = null;
      console.info("[openhcs-remote] well rows:", (error as Error).message);
    }
  }

  override render(): unknown {
    const well = this.shownWell;
    const summary = this._summary;
    return html`
      <ohr-run-header
        .server=${this.server}
        .executionId=${this.executionId}
        .status=${this.status}
        .progress=${this.progress}
        .wells=${this.wells}
        .error=${this.error}
        .gaps=${this.gaps}
        .relayLink=${this.relayLink}
        .imagesReceived=${this.imagesReceived}
        .cancelState=${this.cancelState}
        .rerun=${this.rerun}
        .rerunState=${this.rerunState}
        .notice=${this.notice}
      ></ohr-run-header>
      <div class="main">
        <ohr-plate-grid
          .layout=${this.plateLayout}
          .wells=${this.wells}
          .selectedWell=${well}
          .previews=${this.previews}
          .previewsVersion=${this.previewsVersion}
          .channels=${this.channels}
          .hiddenChannels=${this._hiddenChannels}
        ></ohr-plate-grid>
        <ohr-stack-viewer
          .well=${well}
          .wellProgress=${this.wells[well] ?? null}
          .channels=${this.channels}
          .axes=${this.axes}
          .view=${this.view}
          .previews=${this.previews}
          .previewsVersion=${this.previewsVersion}
          .fetchPlane=${this.fetchPlane}
          .measurements=${this.measurements}
        ></ohr-stack-viewer>
      </div>
      ${
        summary === null || summary.columns.length === 0
          ? ""
          : html`<div class="measurements">
              <ohr-plate-heatmap
                .layout=${this.plateLayout}
                .wellNames=${Object.keys(this.wells)}
                .summary=${summary}
                .selectedWell=${this.selectedWell}
              ></ohr-plate-heatmap>
              <ohr-well-table .rows=${this._wellRows}></ohr-well-table>
            </div>`
      }
    `;
  }
}

defineElement("ohr-run-view", OhrRunView);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-run-view": OhrRunView;
  }
}

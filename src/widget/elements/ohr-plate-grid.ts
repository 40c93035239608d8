/**
 * `<ohr-plate-grid>`: the plate at a glance. One cell per well (96, 384 or 1536 layouts), its
 * border coloured by state, a progress fill along the bottom, and a thumbnail once previews
 * arrive. A roving tabindex keeps the grid one Tab stop: arrows move, Home/End jump in the row,
 * Enter or Space (or a click) selects and fires `ohr-well-select`. The cells are DOM; every
 * thumbnail is painted into one canvas under them (a preview repaints its well's rectangle
 * only): hundreds of per-cell canvases cost the browser most of a frame to composite.
 */
import { LitElement, html, type PropertyValues } from "lit";
import { property, state } from "lit/decorators.js";
import { guard } from "lit/directives/guard.js";
import { styleMap } from "lit/directives/style-map.js";
import { defineElement } from "./define-element.js";
import { emit } from "./events.js";
import { formatPercent } from "./format.js";
import { plateGridStyles } from "./ohr-plate-grid-styles.js";
import {
  type PixelRect,
  type PreviewCache,
  drawThumbnail,
  parseWellName,
  plateLayoutFor,
  rowLabel,
  wellName,
  type WellPosition,
} from "../imaging/index.js";
import type { ChannelInfo, PlateLayout, WellProgress } from "../state/index.js";
import { themeStyles, wellStateStyles } from "./theme-styles.js";

/** Cell edge in CSS px by plate width: small plates get room for a readable thumbnail. */
function cellSize(columns: number): number {
  return columns <= 12 ? 30 : columns <= 24 ? 18 : 10;
}

/** Canvas pixels per CSS px: thumbnails as sharp as on a 2× screen, whatever this one is. */
const THUMBNAIL_SCALE = 2;

/** Where the cells sit over the thumbnail canvas, in CSS px (measured after layout). */
interface CellGeometry {
  readonly left: number;
  readonly top: number;
  readonly pitchX: number;
  readonly pitchY: number;
  /** Border width: the thumbnail fills the cell inside it. */
  readonly inset: number;
  readonly inner: number;
  readonly width: number;
  readonly height: number;
}

export class OhrPlateGrid extends LitElement {
  static override styles = [themeStyles, wellStateStyles, plateGridStyles];

  /** Rows × columns; `null` infers the smallest standard plate holding the wells. */
  @property({ attribute: false }) layout: PlateLayout | null = null;
  @property({ attribute: false }) wells: Readonly<Record<string, WellProgress>> = {};
  @property({ attribute: "selected-well" }) selectedWell = "";
  @property({ attribute: false }) previews: PreviewCache | null = null;
  /**
   * The cache's version; a change redraws the thumbnails of wells that got new previews. Not a
   * reactive property on purpose: a preview must not re-render 384 cells, only paint one canvas.
   */
  get previewsVersion(): number {
    return this.#previewsVersion;
  }
  set previewsVersion(version: number) {
    if (version === this.#previewsVersion) return;
    this.#previewsVersion = version;
    void this.updateComplete.then(() => {
      this.#drawThumbnails();
    });
  }
  @property({ attribute: false }) channels: readonly ChannelInfo[] = [];
  /** Channels left out of the thumbnails (hidden in the viewer). */
  @property({ attribute: false }) hiddenChannels: ReadonlySet<number | null> = new Set();

  /** The cell that holds the tab stop. */
  @state() private _focus: WellPosition = { row: 0, column: 0 };

  #previewsVersion = 0;
  /** Well name → cache version its thumbnail was drawn at. */
  readonly #drawn = new Map<string, number>();
  #drawnFor = "";
  #layoutFor = "";
  #geometry: CellGeometry | null = null;
  #cells: HTMLElement[] = [];
  readonly #resize = new ResizeObserver(() => {
    // Fonts or styles can move the cells after a render: repaint at the new places.
    if (this.#measure()) this.#repaintAll();
  });

  /** The canvas holding every thumbnail. */
  get thumbnailCanvas(): HTMLCanvasElement | null {
    return this.shadowRoot?.querySelector<HTMLCanvasElement>("canvas.thumbs") ?? null;
  }

  /** The rectangle of a well's thumbnail in {@link thumbnailCanvas}'s pixels. */
  thumbnailRect(well: string): PixelRect | null {
    const g = this.#geometry;
    const cell = this.#cells.find((c) => c.dataset.well === well);
    if (g === null || cell === undefined) return null;
    const s = THUMBNAIL_SCALE;
    const x = g.left + Number(cell.dataset.column) * g.pitchX + g.inset;
    const y = g.top + Number(cell.dataset.row) * g.pitchY + g.inset;
    const edge = Math.round(g.inner * s);
    return { x: Math.round(x * s), y: Math.round(y * s), width: edge, height: edge };
  }

  override disconnectedCallback(): void {
    this.#resize.disconnect();
    super.disconnectedCallback();
  }

  /** The layout drawn. */
  get plate(): PlateLayout {
    return plateLayoutFor(this.layout, Object.keys(this.wells));
  }

  /** The run's own spelling of the well at a position (`B3` stays `B3`), else `B03`. */
  nameAt(position: WellPosition): string {
    for (const name of Object.keys(this.wells)) {
      const p = parseWellName(name);
      if (p?.row === position.row && p.column === position.column) return name;
    }
    return wellName(position);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("selectedWell")) {
      const selected = parseWellName(this.selectedWell);
      if (selected !== null) this._focus = selected;
    }
  }

  override render(): unknown {
    const { rows, columns } = this.plate;
    const cell = cellSize(columns);
    const byPosition = new Map<string, [string, WellProgress]>();
    for (const [name, well] of Object.entries(this.wells)) {
      const p = parseWellName(name);
      if (p !== null) byPosition.set(`${p.row},${p.column}`, [name, well]);
    }
    const selected = parseWellName(this.selectedWell);
    const columnIndexes = [...Array(columns).keys()];
    return html`
      <div
        class="grid"
        role="grid"
        aria-label="Plate, ${rows} × ${columns} wells"
        style=${styleMap({ "--ohr-columns": String(columns), "--ohr-cell": `${cell}px` })}
        @keydown=${this.#onKeyDown}
        @click=${this.#onClick}
      >
        <canvas class="thumbs" aria-hidden="true"></canvas>
        <div role="row" class="row">
          <span class="corner"></span>
          ${columnIndexes.map((c) => html`<span role="columnheader" class="label">${c + 1}</span>`)}
        </div>
        ${[...Array(rows).keys()].map(
          (r) =>
            html`<div role="row" class="row">
              <span role="rowheader" class="label">${rowLabel(r)}</span>
              ${columnIndexes.map((c) => {
                const entry = byPosition.get(`${r},${c}`);
                const name = entry?.[0] ?? wellName({ row: r, column: c });
                const well = entry?.[1];
                const isSelected = selected?.row === r && selected.column === c;
                const focused = this._focus.row === r && this._focus.column === c;
                // A progress update re-renders the grid ten times a second; only the cells
                // whose well changed need their template evaluated again.
                return guard(
                  [
                    name,
                    well?.state,
                    well?.fraction,
                    well?.step,
                    well?.error,
                    isSelected,
                    focused,
                    cell,
                  ],
                  () => this.#cell(name, r, c, well, isSelected, focused),
                );
              })}
            </div>`,
        )}
      </div>
    `;
  }

  #cell(
    name: string,
    r: number,
    c: number,
    well: WellProgress | undefined,
    isSelected: boolean,
    focused: boolean,
  ): unknown {
    const label =
      well === undefined
        ? `${name}, not in this run`
        : `${name}, ${well.state} ${formatPercent(well.fraction)}${well.step === "" ? "" : `, ${well.step}`}`;
    return html`<div
      role="gridcell"
      class="well ${well === undefined ? "absent" : `state-${well.state}`} ${isSelected ? "selected" : ""}"
      data-well=${name}
      data-row=${r}
      data-column=${c}
      tabindex=${focused ? 0 : -1}
      aria-selected=${isSelected}
      aria-label=${label}
      title=${well?.error == null ? label : `${label}\n${well.error}`}
    >
      <span class="fill" style=${styleMap({ width: `${(well?.fraction ?? 0) * 100}%` })}></span>
    </div>`;
  }

  override firstUpdated(): void {
    const grid = this.shadowRoot?.querySelector(".grid");
    if (grid != null) this.#resize.observe(grid);
  }

  override updated(changed: PropertyValues<this>): void {
    const { rows, columns } = this.plate;
    this.#cells = [...(this.shadowRoot?.querySelectorAll<HTMLElement>(".well") ?? [])];
    const layoutFor = `${rows}x${columns}`;
    const drawnFor = `${JSON.stringify(this.channels)}|${JSON.stringify([...this.hiddenChannels])}`;
    const moved = layoutFor !== this.#layoutFor && this.#measure();
    this.#layoutFor = layoutFor;
    if (moved || drawnFor !== this.#drawnFor || changed.has("previews")) {
      this.#drawnFor = drawnFor;
      this.#repaintAll();
    } else {
      this.#drawThumbnails();
    }
  }

  /** Measure where the cells are and size the canvas; returns whether anything moved. */
  #measure(): boolean {
    const grid = this.shadowRoot?.querySelector<HTMLElement>(".grid");
    const canvas = this.thumbnailCanvas;
    const { rows, columns } = this.plate;
    const at = (r: number, c: number): HTMLElement | null =>
      this.shadowRoot?.querySelector<HTMLElement>(`[data-row="${r}"][data-column="${c}"]`) ?? null;
    const first = at(0, 0);
    const last = at(rows - 1, columns - 1);
    if (grid == null || canvas === null || first === null || last === null) return false;
    const box = grid.getBoundingClientRect();
    const a = first.getBoundingClientRect();
    const b = last.getBoundingClientRect();
    const geometry: CellGeometry = {
      left: a.left - box.left,
      top: a.top - box.top,
      pitchX: columns > 1 ? (b.left - a.left) / (columns - 1) : 0,
      pitchY: rows > 1 ? (b.top - a.top) / (rows - 1) : 0,
      // Present wells' border; an absent well's thinner one leaves a sliver of background.
      inset: Math.max(first.clientLeft, last.clientLeft),
      inner: Math.min(first.clientWidth, last.clientWidth),
      width: box.width,
      height: box.height,
    };
    if (JSON.stringify(geometry) === JSON.stringify(this.#geometry)) return false;
    this.#geometry = geometry;
    canvas.style.width = `${geometry.width}px`;
    canvas.style.height = `${geometry.height}px`;
    canvas.width = Math.round(geometry.width * THUMBNAIL_SCALE);
    canvas.height = Math.round(geometry.height * THUMBNAIL_SCALE);
    if (this.previews !== null) this.previews.thumbnails.edge = geometry.inner * THUMBNAIL_SCALE;
    return true;
  }

  #repaintAll(): void {
    const canvas = this.thumbnailCanvas;
    canvas?.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
    this.#drawn.clear();
    this.#drawThumbnails();
  }

  #drawThumbnails(): void {
    const cache = this.previews;
    // Painted often, read back never: a plain 2d context.
    const ctx = this.thumbnailCanvas?.getContext("2d") ?? null;
    if (cache === null || ctx === null || this.#geometry === null) return;
    for (const cell of this.#cells) {
      const name = cell.dataset.well ?? "";
      const version = cache.wellVersion(name);
      if (this.#drawn.get(name) === version) continue;
      this.#drawn.set(name, version);
      const rect = this.thumbnailRect(name);
      if (rect === null) continue;
      const set = cache.thumbnailSet(name);
      const drew = drawThumbnail(ctx, rect, set, this.channels, this.hiddenChannels);
      // The cell's own background would hide the canvas under it.
      cell.toggleAttribute("data-thumb", drew);
      if (drew) {
        emit(this, "ohr-preview-drawn", {
          well: name,
          seq: Math.max(...[...set.values()].map((p) => p.seq)),
          newest: cache.newest(name),
        });
      }
    }
  }

  // One listener for the grid, not one per cell: each render would rebind 384 of them.
  #onClick(event: MouseEvent): void {
    const cell = (event.target as Element).closest<HTMLElement>('[role="gridcell"]');
    if (cell === null) return;
    void this.#select({ row: Number(cell.dataset.row), column: Number(cell.dataset.column) });
  }

  #onKeyDown(event: KeyboardEvent): void {
    const { rows, columns } = this.plate;
    const { row, column } = this._focus;
    const moves: Record<string, WellPosition> = {
      ArrowUp: { row: Math.max(0, row - 1), column },
      ArrowDown: { row: Math.min(rows - 1, row + 1), column },
      ArrowLeft: { row, column: Math.max(0, column - 1) },
      ArrowRight: { row, column: Math.min(columns - 1, column + 1) },
      Home: { row, column: 0 },
      End: { row, column: columns - 1 },
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      void this.#moveFocus(target);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      void this.#select(this._focus);
    }
  }

  async #moveFocus(position: WellPosition): Promise<void> {
    this._focus = position;
    await this.updateComplete;
    this.shadowRoot
      ?.querySelector<HTMLElement>(`[data-row="${position.row}"][data-column="${position.column}"]`)
      ?.focus();
  }

  async #select(position: WellPosition): Promise<void> {
    await this.#moveFocus(position);
    const name = this.nameAt(position);
    this.selectedWell = name;
    await this.updateComplete;
    emit(this, "ohr-well-select", {
      well: name,
      row: rowLabel(position.row),
      column: position.column + 1,
    });
  }
}

defineElement("ohr-plate-grid", OhrPlateGrid);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-plate-grid": OhrPlateGrid;
  }
}

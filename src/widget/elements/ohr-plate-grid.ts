/**
 * `<ohr-plate-grid>`: the plate at a glance. One cell per well (96, 384 or 1536 layouts), its
 * border coloured by state, a progress fill along the bottom, and a thumbnail once previews
 * arrive. A roving tabindex keeps the grid one Tab stop: arrows move, Home/End jump in the row,
 * Enter or Space (or a click) selects and fires `ohr-well-select`.
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

  /** The cell that holds the tab stop. */
  @state() private _focus: WellPosition = { row: 0, column: 0 };

  #previewsVersion = 0;
  /** Well name → cache version its thumbnail was drawn at. */
  readonly #drawn = new Map<string, number>();
  #drawnFor = "";

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
                  () => this.#cell(name, r, c, well, isSelected, focused, cell),
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
    cell: number,
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
      <canvas class="thumb" width=${cell * 2} height=${cell * 2}></canvas>
      <span class="fill" style=${styleMap({ width: `${(well?.fraction ?? 0) * 100}%` })}></span>
    </div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    const plate = this.plate;
    const drawnFor = `${plate.rows}x${plate.columns}|${JSON.stringify(this.channels)}`;
    if (drawnFor !== this.#drawnFor || changed.has("previews")) {
      this.#drawnFor = drawnFor;
      this.#drawn.clear();
    }
    this.#drawThumbnails();
  }

  #drawThumbnails(): void {
    const cache = this.previews;
    if (cache === null || this.shadowRoot === null) return;
    for (const canvas of this.shadowRoot.querySelectorAll<HTMLCanvasElement>(".well canvas")) {
      const name = (canvas.parentElement as HTMLElement).dataset.well ?? "";
      const version = cache.wellVersion(name);
      if (version === 0 || this.#drawn.get(name) === version) continue;
      const set = cache.thumbnailSet(name);
      if (drawThumbnail(canvas, set, this.channels)) {
        emit(this, "ohr-preview-drawn", {
          well: name,
          seq: Math.max(...[...set.values()].map((p) => p.seq)),
          newest: Math.max(...[...cache.forWell(name)].map((p) => p.seq)),
        });
      }
      this.#drawn.set(name, version);
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

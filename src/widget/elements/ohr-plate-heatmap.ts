/**
 * `<ohr-plate-heatmap>`: the plate coloured by one measurement — a menu of the table's numeric
 * columns, each well's mean in viridis, a legend with the range, wells without a value left
 * empty (a dashed outline). Hovering names the well and its value; a click fires
 * `ohr-well-select`. One canvas: a 384-well plate redraws in well under a frame.
 */
import { LitElement, css, html, type PropertyValues } from "lit";
import { property, query, state } from "lit/decorators.js";
import { defineElement } from "./define-element.js";
import { emit } from "./events.js";
import { normalise, viridis } from "../../protocol/index.js";
import { parseWellName, plateLayoutFor, rowLabel, wellName } from "../imaging/index.js";
import type { MeasurementSummary, PlateLayout } from "../state/index.js";
import { themeStyles } from "./theme-styles.js";

const LABEL_LEFT = 16;
const LABEL_TOP = 12;

function cellSize(columns: number): number {
  return columns <= 12 ? 24 : columns <= 24 ? 14 : 8;
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.01
    ? value.toExponential(2)
    : value.toFixed(2);
}

export class OhrPlateHeatmap extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
        padding: 4px 8px;
        font: var(--ohr-font, 12px sans-serif);
        color: var(--jp-ui-font-color1, #222);
      }
      .bar {
        display: flex;
        gap: 12px;
        align-items: center;
        flex-wrap: wrap;
        margin-bottom: 4px;
      }
      .legend {
        display: inline-flex;
        gap: 4px;
        align-items: center;
      }
      canvas.plate {
        cursor: pointer;
        display: block;
      }
      .hover {
        min-height: 1.3em;
      }
    `,
  ];

  @property({ attribute: false }) layout: PlateLayout | null = null;
  /** Every well of the run, with or without a value (empty ones are drawn empty). */
  @property({ attribute: false }) wellNames: readonly string[] = [];
  @property({ attribute: false }) summary: MeasurementSummary | null = null;
  @property({ attribute: "selected-well" }) selectedWell = "";
  /** The column shown; defaults to the table's first numeric column. */
  @property() column = "";
  @state() private _hover = "";
  @query("canvas.plate") private _canvas!: HTMLCanvasElement | null;
  @query("canvas.legend-ramp") private _ramp!: HTMLCanvasElement | null;

  /** The layout drawn. */
  get plate(): PlateLayout {
    const names = new Set([...this.wellNames, ...Object.keys(this.summary?.wells ?? {})]);
    return plateLayoutFor(this.layout, names);
  }

  /** The column drawn. */
  get shownColumn(): string {
    const columns = this.summary?.columns ?? [];
    return columns.includes(this.column) ? this.column : (columns[0] ?? "");
  }

  /** Each well's value of the shown column (wells without one are absent). */
  values(): Map<string, number> {
    const column = this.shownColumn;
    const result = new Map<string, number>();
    for (const [well, values] of Object.entries(this.summary?.wells ?? {})) {
      const value = values[column];
      if (typeof value === "number" && Number.isFinite(value)) result.set(well, value);
    }
    return result;
  }

  /** `[low, high]` of the shown column, or null when no well has a value. */
  range(): readonly [number, number] | null {
    const values = [...this.values().values()];
    return values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
  }

  /** Centre of a well's cell in canvas pixels (for tests and hit testing). */
  cellCentre(well: string): { x: number; y: number } | null {
    const position = parseWellName(well);
    if (position === null) return null;
    const size = cellSize(this.plate.columns);
    return {
      x: LABEL_LEFT + position.column * size + size / 2,
      y: LABEL_TOP + position.row * size + size / 2,
    };
  }

  override render(): unknown {
    const summary = this.summary;
    if (summary === null || summary.columns.length === 0) return html``;
    const range = this.range();
    const { rows, columns } = this.plate;
    const size = cellSize(columns);
    return html`
      <div class="bar">
        <label
          >Colour by
          <select
            aria-label="measurement shown on the plate"
            @change=${(e: Event) => {
              this.column = (e.target as HTMLSelectElement).value;
            }}
          >
            ${summary.columns.map(
              (c) =>
                html`<option value=${c} ?selected=${c === this.shownColumn}>
                  ${summary.table ?? ""}.${c} (mean per well)
                </option>`,
            )}
          </select></label
        >
        <span class="legend" aria-label="colour scale">
          <span class="low">${range === null ? "" : formatValue(range[0])}</span>
          <canvas class="legend-ramp" width="120" height="10"></canvas>
          <span class="high">${range === null ? "no values yet" : formatValue(range[1])}</span>
        </span>
      </div>
      <canvas
        class="plate"
        role="img"
        aria-label=${`plate heatmap of ${this.shownColumn}`}
        width=${LABEL_LEFT + columns * size + 1}
        height=${LABEL_TOP + rows * size + 1}
        @mousemove=${(e: MouseEvent) => {
          this._hover = this.#describe(this.#wellAt(e));
        }}
        @mouseleave=${() => {
          this._hover = "";
        }}
        @click=${(e: MouseEvent) => {
          const well = this.#wellAt(e);
          if (well !== null) this.#select(well);
        }}
      ></canvas>
      <div class="hover" aria-live="polite">${this._hover}</div>
    `;
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.#draw();
  }

  #describe(well: string | null): string {
    if (well === null) return "";
    const value = this.values().get(well);
    const rows = this.summary?.rows[well];
    return value === undefined
      ? `${well}: no value`
      : `${well}: ${formatValue(value)}${rows === undefined ? "" : ` (${rows} rows)`}`;
  }

  #wellAt(event: MouseEvent): string | null {
    const canvas = this._canvas;
    if (canvas === null) return null;
    const box = canvas.getBoundingClientRect();
    const scale = box.width > 0 ? canvas.width / box.width : 1;
    const size = cellSize(this.plate.columns);
    const column = Math.floor(((event.clientX - box.left) * scale - LABEL_LEFT) / size);
    const row = Math.floor(((event.clientY - box.top) * scale - LABEL_TOP) / size);
    const { rows, columns } = this.plate;
    if (row < 0 || column < 0 || row >= rows || column >= columns) return null;
    return this.#nameAt(row, column);
  }

  #nameAt(row: number, column: number): string {
    for (const name of [...this.wellNames, ...Object.keys(this.summary?.wells ?? {})]) {
      const p = parseWellName(name);
      if (p?.row === row && p.column === column) return name;
    }
    return wellName({ row, column });
  }

  #select(well: string): void {
    const position = parseWellName(well);
    this.selectedWell = well;
    emit(this, "ohr-well-select", {
      well,
      row: position === null ? "" : rowLabel(position.row),
      column: position === null ? 0 : position.column + 1,
    });
  }

  #draw(): void {
    const ramp = this._ramp?.getContext("2d");
    if (ramp != null) {
      for (let x = 0; x < 120; x += 1) {
        const [r, g, b] = viridis(x / 119);
        ramp.fillStyle = `rgb(${r},${g},${b})`;
        ramp.fillRect(x, 0, 1, 10);
      }
    }
    const canvas = this._canvas;
    const context = canvas?.getContext("2d");
    if (canvas == null || context == null) return;
    const { rows, columns } = this.plate;
    const size = cellSize(columns);
    const style = getComputedStyle(this);
    const ink = style.getPropertyValue("--jp-ui-font-color2").trim() || "#666";
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.font = `${Math.min(10, size - 2)}px sans-serif`;
    context.fillStyle = ink;
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (let c = 0; c < columns; c += 1) {
      if (columns <= 24 || c % 4 === 0) {
        context.fillText(String(c + 1), LABEL_LEFT + c * size + size / 2, LABEL_TOP / 2);
      }
    }
    for (let r = 0; r < rows; r += 1) {
      context.fillText(rowLabel(r), LABEL_LEFT / 2, LABEL_TOP + r * size + size / 2);
    }
    const values = this.values();
    const range = this.range();
    for (let r = 0; r < rows; r += 1) {
      for (let c = 0; c < columns; c += 1) {
        const well = this.#nameAt(r, c);
        const x = LABEL_LEFT + c * size;
        const y = LABEL_TOP + r * size;
        const value = values.get(well);
        if (value === undefined || range === null) {
          context.setLineDash([2, 2]);
          context.strokeStyle = ink;
          context.strokeRect(x + 1.5, y + 1.5, size - 3, size - 3);
          context.setLineDash([]);
          continue;
        }
        const [red, green, blue] = viridis(normalise(value, range[0], range[1]));
        context.fillStyle = `rgb(${red},${green},${blue})`;
        context.fillRect(x + 1, y + 1, size - 2, size - 2);
        if (well === this.selectedWell) {
          context.strokeStyle = style.getPropertyValue("--jp-brand-color1").trim() || "#1976d2";
          context.lineWidth = 2;
          context.strokeRect(x, y, size, size);
          context.lineWidth = 1;
        }
      }
    }
  }
}

defineElement("ohr-plate-heatmap", OhrPlateHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-plate-heatmap": OhrPlateHeatmap;
  }
}

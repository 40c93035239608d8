/**
 * `<ohr-well-table>`: one well's rows of a measurement table, sortable by any column (click a
 * header; again to reverse). Long cells (OpenHCS keeps per-object lists in one cell) are cut
 * short, the whole value in their title.
 */
import { LitElement, css, html } from "lit";
import { property, state } from "lit/decorators.js";
import { defineElement } from "./define-element.js";
import type { WellRows } from "../state/index.js";
import { themeStyles } from "./theme-styles.js";

type Cell = WellRows["rows"][number][number];
const SHOWN_CHARS = 40;
/** Text cells with numbers in them by value (w2 before w10); one collator for the whole sort. */
const TEXT_ORDER = new Intl.Collator(undefined, { numeric: true });

function compare(a: Cell, b: Cell): number {
  if (a === null) return b === null ? 0 : 1; // empty cells last
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return TEXT_ORDER.compare(String(a), String(b));
}

export class OhrWellTable extends LitElement {
  static override styles = [
    themeStyles,
    css`
      :host {
        display: block;
        max-height: 18em;
        overflow: auto;
        font: var(--ohr-font, 12px sans-serif);
        color: var(--jp-ui-font-color1, #222);
      }
      table {
        border-collapse: collapse;
      }
      th,
      td {
        padding: 1px 6px;
        border-bottom: 1px solid var(--jp-border-color2, #e0e0e0);
        text-align: right;
        white-space: nowrap;
      }
      th {
        position: sticky;
        top: 0;
        background: var(--jp-layout-color2, #eee);
        cursor: pointer;
      }
      td.text {
        text-align: left;
      }
    `,
  ];

  @property({ attribute: false }) rows: WellRows | null = null;
  @state() private _sortBy = -1;
  @state() private _descending = false;

  /** The rows in the order shown. */
  get sortedRows(): WellRows["rows"] {
    const rows = this.rows?.rows ?? [];
    const column = this._sortBy;
    if (column < 0) return rows;
    const sorted = [...rows].sort((a, b) => compare(a[column] ?? null, b[column] ?? null));
    return this._descending ? sorted.reverse() : sorted;
  }

  /** Sort by a column (by index); the same column again reverses. */
  sortBy(column: number): void {
    this._descending = this._sortBy === column ? !this._descending : false;
    this._sortBy = column;
  }

  override render(): unknown {
    const table = this.rows;
    if (table === null) return html``;
    const more = table.total > table.rows.length ? ` (first ${table.rows.length} shown)` : "";
    return html`
      <div class="caption">${table.well}: ${table.total} rows${more}</div>
      <table>
        <thead>
          <tr>
            ${table.columns.map(
              (column, index) =>
                html`<th
                  aria-sort=${
                    this._sortBy === index
                      ? this._descending
                        ? "descending"
                        : "ascending"
                      : "none"
                  }
                  @click=${() => {
                    this.sortBy(index);
                  }}
                >
                  ${column}
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${this.sortedRows.map(
            (row) =>
              html`<tr>
                ${row.map((cell) => {
                  const text = cell === null ? "" : String(cell);
                  return html`<td
                    class=${typeof cell === "number" ? "" : "text"}
                    title=${text.length > SHOWN_CHARS ? text : ""}
                  >
                    ${text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text}
                  </td>`;
                })}
              </tr>`,
          )}
        </tbody>
      </table>
    `;
  }
}

defineElement("ohr-well-table", OhrWellTable);

declare global {
  interface HTMLElementTagNameMap {
    "ohr-well-table": OhrWellTable;
  }
}

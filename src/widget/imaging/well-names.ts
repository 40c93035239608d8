/**
 * Well names (`A01`, `P24`, `AF48`) and plate layouts. Rows are letters, columns 1-based numbers;
 * names are matched by position, so `B3` and `B03` are the same well.
 */
import type { PlateLayout } from "../state/index.js";

/** A well's place in the plate, 0-based. */
export interface WellPosition {
  readonly row: number;
  readonly column: number;
}

/** Standard SBS layouts, smallest first; a plate is drawn as the smallest that holds its wells. */
export const STANDARD_LAYOUTS: readonly PlateLayout[] = [
  { rows: 8, columns: 12 },
  { rows: 16, columns: 24 },
  { rows: 32, columns: 48 },
];

/** `0` → `A`, `25` → `Z`, `26` → `AA` (1536-well plates go to `AF`). */
export function rowLabel(row: number): string {
  return row < 26
    ? String.fromCharCode(65 + row)
    : rowLabel(Math.floor(row / 26) - 1) + rowLabel(row % 26);
}

/** `(1, 2)` → `B03`. */
export function wellName(position: WellPosition): string {
  return `${rowLabel(position.row)}${String(position.column + 1).padStart(2, "0")}`;
}

/** `B03` → `{row: 1, column: 2}`; `null` for names that are not row-letter + column-number. */
export function parseWellName(name: string): WellPosition | null {
  const match = /^([A-Za-z]{1,2})0*(\d{1,3})$/.exec(name.trim());
  if (match === null) return null;
  const letters = (match[1] ?? "").toUpperCase();
  let row = 0;
  for (const letter of letters) row = row * 26 + (letter.charCodeAt(0) - 64);
  const column = Number(match[2]);
  return column >= 1 ? { row: row - 1, column: column - 1 } : null;
}

/** The layout to draw: the one given, else the smallest standard plate holding every well. */
export function plateLayoutFor(given: PlateLayout | null, wells: Iterable<string>): PlateLayout {
  if (given !== null && given.rows > 0 && given.columns > 0) return given;
  let rows = 0;
  let columns = 0;
  for (const name of wells) {
    const position = parseWellName(name);
    if (position === null) continue;
    rows = Math.max(rows, position.row + 1);
    columns = Math.max(columns, position.column + 1);
  }
  const standard = STANDARD_LAYOUTS.find((l) => l.rows >= rows && l.columns >= columns);
  return standard ?? { rows, columns };
}

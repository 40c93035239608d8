/**
 * Wells as plate positions: `"A01"` → row A (index 0), column 1 (index 0); and the rows and
 * columns an NGFF plate lists, either a fixed plate format or the range of wells seen so far.
 */

/** A well's place in the plate grid (0-based) and its NGFF names. */
export interface WellPosition {
  readonly rowIndex: number;
  readonly columnIndex: number;
  /** `"A"`, …, `"Z"`, `"AA"`, … */
  readonly rowName: string;
  /** `"1"`, `"2"`, … (no zero padding, as in the NGFF examples). */
  readonly columnName: string;
  /** `"A/1"`: the well group's path inside the plate. */
  readonly path: string;
  /** `"A01"`: the canonical well id (two-digit columns). */
  readonly id: string;
}

/** Plate formats by well count (SBS footprints), and any explicit grid. */
export type PlateLayout =
  6 | 12 | 24 | 48 | 96 | 384 | 1536 | { readonly rows: number; readonly columns: number };

const FORMATS: Readonly<Record<number, readonly [number, number]>> = {
  6: [2, 3],
  12: [3, 4],
  24: [4, 6],
  48: [6, 8],
  96: [8, 12],
  384: [16, 24],
  1536: [32, 48],
};

/** Rows and columns of a layout. */
export function layoutGrid(layout: PlateLayout): { rows: number; columns: number } {
  if (typeof layout === "object") return { rows: layout.rows, columns: layout.columns };
  const grid = FORMATS[layout];
  if (grid === undefined) throw new RangeError(`unknown plate format ${String(layout)}`);
  return { rows: grid[0], columns: grid[1] };
}

/** Row letters from a 0-based index: 0 → A, 25 → Z, 26 → AA (bijective base 26). */
export function rowName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function rowIndexOf(letters: string): number {
  let n = 0;
  for (const char of letters) n = n * 26 + (char.charCodeAt(0) - 64);
  return n - 1;
}

const WELL_PATTERN = /^([A-Za-z]{1,2})0*(\d{1,4})$/;

/**
 * Parse an OpenHCS well id (`A01`, `b3`, `AF48`). Returns `null` for anything else (an empty
 * id, `R01C01`-style ids, names).
 */
export function parseWell(well: string): WellPosition | null {
  const match = WELL_PATTERN.exec(well.trim());
  if (match === null) return null;
  const letters = (match[1] ?? "").toUpperCase();
  const column = Number(match[2]);
  if (column < 1) return null;
  const rowIndex = rowIndexOf(letters);
  return wellAt(rowIndex, column - 1);
}

/** The well at 0-based grid indices. */
export function wellAt(rowIndex: number, columnIndex: number): WellPosition {
  const row = rowName(rowIndex);
  const column = String(columnIndex + 1);
  return {
    rowIndex,
    columnIndex,
    rowName: row,
    columnName: column,
    path: `${row}/${column}`,
    id: `${row}${column.padStart(2, "0")}`,
  };
}

/**
 * The rows and columns an NGFF plate lists: the fixed layout when one is given, else A…last
 * row seen and 1…last column seen, so that viewers draw the wells where they sit on the plate.
 */
export function plateGrid(
  wells: Iterable<WellPosition>,
  layout: PlateLayout | undefined,
): { rows: string[]; columns: string[] } {
  let rows = 0;
  let columns = 0;
  if (layout !== undefined) ({ rows, columns } = layoutGrid(layout));
  for (const well of wells) {
    rows = Math.max(rows, well.rowIndex + 1);
    columns = Math.max(columns, well.columnIndex + 1);
  }
  return {
    rows: Array.from({ length: rows }, (_, i) => rowName(i)),
    columns: Array.from({ length: columns }, (_, i) => String(i + 1)),
  };
}

/** Whether a well lies inside a fixed layout. */
export function wellFits(well: WellPosition, layout: PlateLayout | undefined): boolean {
  if (layout === undefined) return true;
  const { rows, columns } = layoutGrid(layout);
  return well.rowIndex < rows && well.columnIndex < columns;
}

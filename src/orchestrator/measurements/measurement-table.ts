/**
 * One measurement table of a run: every well's CSV of that table, parsed (`csv-parse`), numbers
 * as numbers, one row per row of OpenHCS's files, led by where each row comes from (`well`,
 * `site`, `step`, `step_index`). Rows keep the table's own columns and order.
 */
import { parse } from "csv-parse/sync";
import { OhrError } from "../../protocol/index.js";
import type { RunOutputFile } from "./run-outputs.js";

export type MeasurementValue = string | number | null;
export type MeasurementRow = Record<string, MeasurementValue>;

export interface MeasurementTable {
  readonly name: string;
  /** `well`, `site`, `step`, `step_index`, then the table's own columns. */
  readonly columns: readonly string[];
  readonly rows: readonly MeasurementRow[];
}

/** A run file that is not a readable table (bad CSV, or not UTF-8). */
export class MeasurementTableError extends OhrError {
  override readonly code = "ERR_MEASUREMENT_TABLE";
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`measurement table ${path}: ${reason}`, options);
  }
}

export const PLACE_COLUMNS = ["well", "site", "step", "step_index"] as const;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function typed(text: string): MeasurementValue {
  if (text === "") return null;
  if (!NUMBER.test(text)) return text;
  const lower = text.toLowerCase();
  if (lower.endsWith("nan")) return Number.NaN;
  if (lower.endsWith("inf")) return lower.startsWith("-") ? -Infinity : Infinity;
  return Number(text);
}

/** Parse one file's bytes into its header and rows (values typed). */
export function parseMeasurementCsv(
  path: string,
  data: Uint8Array,
): { columns: string[]; rows: MeasurementRow[] } {
  let records: string[][];
  try {
    records = parse(utf8.decode(data), { relax_column_count: false, skip_empty_lines: true });
  } catch (error) {
    throw new MeasurementTableError(path, (error as Error).message, { cause: error });
  }
  const [header, ...body] = records;
  if (header === undefined) return { columns: [], rows: [] };
  const rows = body.map((record) => {
    const row: MeasurementRow = {};
    header.forEach((column, index) => {
      row[column] = typed(record[index] ?? "");
    });
    return row;
  });
  return { columns: header, rows };
}

/** Combine the files of one table (any order) into rows led by their place. */
export function combineMeasurementFiles(
  name: string,
  files: readonly { file: RunOutputFile; data: Uint8Array }[],
  stepNames: ReadonlyMap<number, string>,
): MeasurementTable {
  const own: string[] = [];
  const rows: MeasurementRow[] = [];
  const ordered = [...files].sort((a, b) => a.file.path.localeCompare(b.file.path));
  for (const { file, data } of ordered) {
    const parsed = parseMeasurementCsv(file.path, data);
    for (const column of parsed.columns) {
      if (!own.includes(column) && !(PLACE_COLUMNS as readonly string[]).includes(column)) {
        own.push(column);
      }
    }
    const step = file.stepIndex === null ? null : (stepNames.get(file.stepIndex) ?? null);
    for (const row of parsed.rows) {
      rows.push({
        ...row,
        well: typeof row.well === "string" ? row.well : file.well,
        site: row.site ?? file.plane.site,
        step,
        step_index: file.stepIndex,
      });
    }
  }
  return { name, columns: [...PLACE_COLUMNS, ...own], rows };
}

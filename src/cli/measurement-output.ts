/**
 * Writing a run's measurements here: one CSV per table (every well's rows, led by `well`, `site`,
 * `step`), and OpenHCS's ROI zips as they are (ImageJ ROI sets: Fiji's ROI Manager opens them),
 * under `DIR/measurements/` and `DIR/rois/`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  combineMeasurementFiles,
  tableNames,
  type MeasurementTable,
  type MeasurementValue,
  type RunOutputFile,
  type RunOutputs,
} from "../orchestrator/index.js";

function csvField(value: MeasurementValue): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV text (RFC 4180 quoting; empty for missing values). */
export function tableCsv(table: MeasurementTable): string {
  const lines = [table.columns.map(csvField).join(",")];
  for (const row of table.rows) {
    lines.push(table.columns.map((column) => csvField(row[column] ?? null)).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** What was written. */
export interface WrittenMeasurements {
  readonly tables: readonly {
    readonly name: string;
    readonly rows: number;
    readonly path: string;
  }[];
  readonly rois: number;
  readonly bytes: number;
}

/** Fetch every table and ROI zip of the run and write them under `dir`. */
export async function writeRunMeasurements(
  outputs: RunOutputs,
  dir: string,
  stepNames: ReadonlyMap<number, string> = new Map(),
  onFile: (file: RunOutputFile) => void = () => undefined,
): Promise<WrittenMeasurements> {
  const files = await outputs.list();
  const tables: { name: string; rows: number; path: string }[] = [];
  let bytes = 0;
  const fetchAll = (wanted: RunOutputFile[]) =>
    Promise.all(
      wanted.map(async (file) => {
        const data = await outputs.fetch(file.path);
        bytes += data.byteLength;
        onFile(file);
        return { file, data };
      }),
    );
  if (files.some((file) => file.kind === "table")) {
    await mkdir(join(dir, "measurements"), { recursive: true });
  }
  for (const name of tableNames(files)) {
    const fetched = await fetchAll(files.filter((f) => f.kind === "table" && f.table === name));
    const table = combineMeasurementFiles(name, fetched, stepNames);
    const path = join(dir, "measurements", `${name}.csv`);
    await writeFile(path, tableCsv(table));
    tables.push({ name, rows: table.rows.length, path });
  }
  const rois = files.filter((file) => file.kind === "rois");
  if (rois.length > 0) await mkdir(join(dir, "rois"), { recursive: true });
  for (const { file, data } of await fetchAll(rois)) {
    await writeFile(join(dir, "rois", basename(file.path)), data);
  }
  return { tables, rois: rois.length, bytes };
}

/**
 * A run's outputs through the relay: list them (named by {@link classifyRunFile}), fetch them,
 * and read a measurement table. One relay session for all of it; {@link close} when done.
 */
import { OhrError } from "../../protocol/index.js";
import { RunFileSession, type RelayEndpoint } from "../relay-client/index.js";
import { combineMeasurementFiles, type MeasurementTable } from "./measurement-table.js";
import { readRoiZip, type RunRoi } from "./roi-zip.js";
import { classifyRunFile, type RunOutputFile } from "./run-outputs.js";

/** The run has no table of that name (or several, and none was named). */
export class NoSuchTableError extends OhrError {
  override readonly code = "ERR_NO_SUCH_TABLE";
  constructor(
    readonly executionId: string,
    readonly wanted: string | null,
    readonly tables: readonly string[],
  ) {
    const have = tables.length === 0 ? "none yet" : tables.join(", ");
    super(
      wanted === null
        ? `run ${executionId} has ${tables.length} tables (${have}): name one`
        : `run ${executionId} has no table ${wanted} (its tables: ${have})`,
    );
  }
}

export interface MeasurementQuery {
  /** The table (`cell_counts`, …); default: the run's only per-well table. */
  readonly table?: string | null | undefined;
  readonly wells?: readonly string[] | null | undefined;
  /** Step names or 0-based positions. */
  readonly steps?: readonly (string | number)[] | null | undefined;
  /** Step names by position (from the streamed images), for the `step` column. */
  readonly stepNames?: ReadonlyMap<number, string> | undefined;
}

/** The table names of a run's listed outputs, per-well tables first. */
export function tableNames(files: readonly RunOutputFile[]): string[] {
  const tables = files.filter((file) => file.kind === "table");
  const perWell = [...new Set(tables.filter((f) => f.well !== null).map((f) => f.table))];
  const plate = [...new Set(tables.filter((f) => f.well === null).map((f) => f.table))];
  return [...perWell.sort(), ...plate.filter((name) => !perWell.includes(name)).sort()];
}

/** The table a query means: the named one, or the run's only per-well table. */
export function chooseTable(
  executionId: string,
  files: readonly RunOutputFile[],
  wanted: string | null | undefined,
): string {
  const names = tableNames(files);
  if (wanted != null) {
    if (!names.includes(wanted)) throw new NoSuchTableError(executionId, wanted, names);
    return wanted;
  }
  const distinct = [
    ...new Set(files.filter((f) => f.kind === "table" && f.well !== null).map((f) => f.table)),
  ];
  if (distinct.length === 1 && distinct[0] !== undefined) return distinct[0];
  if (distinct.length === 0 && names.length === 1 && names[0] !== undefined) return names[0];
  throw new NoSuchTableError(executionId, null, names);
}

/** Whether a file belongs to the wells and steps asked for. */
export function fileMatches(
  file: RunOutputFile,
  query: MeasurementQuery,
  stepNames: ReadonlyMap<number, string>,
): boolean {
  if (query.wells != null && (file.well === null || !query.wells.includes(file.well))) {
    return false;
  }
  if (query.steps != null) {
    const name = file.stepIndex === null ? undefined : stepNames.get(file.stepIndex);
    return query.steps.some((step) =>
      typeof step === "number" ? step === file.stepIndex : step === name,
    );
  }
  return true;
}

/** Which ROIs: the wells and steps of a {@link MeasurementQuery}, and plane coordinates. */
export interface RoiQuery {
  readonly wells?: readonly string[] | null | undefined;
  readonly steps?: readonly (string | number)[] | null | undefined;
  readonly sites?: readonly number[] | null | undefined;
  readonly channels?: readonly number[] | null | undefined;
  readonly stepNames?: ReadonlyMap<number, string> | undefined;
}

export class RunOutputs {
  private readonly session: RunFileSession;

  constructor(
    relay: RelayEndpoint,
    readonly executionId: string,
    options: { timeoutMs?: number } = {},
  ) {
    this.session = new RunFileSession(relay, options);
  }

  /** Every output file the run wrote so far (tables, ROI zips, JSON, text). */
  async list(): Promise<RunOutputFile[]> {
    const listing = await this.session.list(this.executionId);
    return listing.files.flatMap((entry) => {
      const file = classifyRunFile(entry);
      return file === null ? [] : [file];
    });
  }

  /** One file's bytes, by the path {@link list} gave. */
  async fetch(path: string): Promise<Uint8Array> {
    return (await this.session.fetch(this.executionId, path)).data;
  }

  /** One table, rows of every matching well so far. */
  async measurements(query: MeasurementQuery = {}): Promise<MeasurementTable> {
    const files = await this.list();
    const name = chooseTable(this.executionId, files, query.table);
    const stepNames = query.stepNames ?? new Map<number, string>();
    const wanted = files.filter(
      (file) => file.kind === "table" && file.table === name && fileMatches(file, query, stepNames),
    );
    const fetched = await Promise.all(
      wanted.map(async (file) => ({ file, data: await this.fetch(file.path) })),
    );
    return combineMeasurementFiles(name, fetched, stepNames);
  }

  /**
   * The ROIs of every matching ROI zip so far, outlines as `[y, x]` pixel rows (what the shim's
   * `run.rois()` gives), in file-name order.
   */
  async rois(query: RoiQuery = {}): Promise<RunRoi[]> {
    const stepNames = query.stepNames ?? new Map<number, string>();
    const wanted = (await this.list())
      .filter(
        (file) =>
          file.kind === "rois" &&
          fileMatches(file, query, stepNames) &&
          (query.sites == null || query.sites.includes(file.plane.site ?? -1)) &&
          (query.channels == null || query.channels.includes(file.plane.channel ?? -1)),
      )
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    const fetched = await Promise.all(wanted.map(async (file) => this.fetch(file.path)));
    return wanted.flatMap((file, index) =>
      readRoiZip(file, fetched[index] ?? new Uint8Array(), stepNames),
    );
  }

  close(): void {
    this.session.close();
  }
}

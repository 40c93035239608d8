/**
 * `src/orchestrator/measurements/`: what a run's steps wrote besides images — tables, ROI zips —
 * fetched from the relay (`list_files` / `fetch_file`), named from their file names, and read as
 * measurement tables.
 */
export {
  RUN_OUTPUT_SUFFIXES,
  classifyRunFile,
  type RunOutputFile,
  type RunOutputKind,
  type RunOutputPlane,
} from "./run-outputs.js";
export {
  MeasurementTableError,
  PLACE_COLUMNS,
  combineMeasurementFiles,
  parseMeasurementCsv,
  type MeasurementRow,
  type MeasurementTable,
  type MeasurementValue,
} from "./measurement-table.js";
export {
  NoSuchTableError,
  RunOutputs,
  chooseTable,
  fileMatches,
  tableNames,
  type MeasurementQuery,
  type RoiQuery,
} from "./run-outputs-client.js";
export {
  decodeImagejRoi,
  ImagejRoiError,
  type ImagejRoi,
  type ImagejRoiType,
} from "./imagej-roi.js";
export {
  MAX_ROI_ZIP_INFLATED_BYTES,
  POLYSTORE_ROI_METADATA,
  readRoiZip,
  type RunRoi,
} from "./roi-zip.js";

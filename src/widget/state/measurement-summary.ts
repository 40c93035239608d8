/**
 * What the `measurements` and `well_rows` commands answer (docs/widget-protocol.md §4): a run's
 * table aggregated per well for the plate heatmap, and one well's rows for its table. Validated
 * here like every message from the kernel.
 */
import * as z from "./schema.js";

const MAX_WELLS = 1536;
const MAX_COLUMNS = 1000;
const name = z.string().check(z.maxLength(4096));
const cell = z.union([z.number(), z.string().check(z.maxLength(100_000)), z.null()]);

/** One table, aggregated per well: `wells[well][column]` is the mean of that column's rows. */
export const MeasurementSummarySchema = z.looseObject({
  table: z.nullable(name),
  tables: z.array(name).check(z.maxLength(1000)),
  /** The table's numeric columns, which the heatmap can show. */
  columns: z.array(name).check(z.maxLength(MAX_COLUMNS)),
  wells: z
    .record(name, z.record(name, z.nullable(z.number())))
    .check(z.refine((w) => Object.keys(w).length <= MAX_WELLS, `more than ${MAX_WELLS} wells`)),
  /** Rows per well. */
  rows: z.record(name, z.number()),
});
export type MeasurementSummary = z.infer<typeof MeasurementSummarySchema>;

/** Rows of one well (at most `limit`; `total` says how many there are). */
export const WellRowsSchema = z.looseObject({
  well: name,
  columns: z.array(name).check(z.maxLength(MAX_COLUMNS)),
  rows: z.array(z.array(cell)).check(z.maxLength(10_000)),
  total: z.number(),
});
export type WellRows = z.infer<typeof WellRowsSchema>;

/** One ROI outline over a plane: `[y, x]` vertices in pixels of the full-resolution plane. */
export const RoiOutlineSchema = z.looseObject({
  channel: z.nullable(z.number()),
  site: z.nullable(z.number()),
  polygon: z.array(z.tuple([z.number(), z.number()])).check(z.maxLength(1_000_000)),
});
export type RoiOutline = z.infer<typeof RoiOutlineSchema>;

export const RoiRepliesSchema = z.looseObject({
  rois: z.array(RoiOutlineSchema).check(z.maxLength(1_000_000)),
});

/** Where the elements get measurements from (the model in a notebook, a stub in a test). */
export interface MeasurementSource {
  summary(table: string | null, signal?: AbortSignal): Promise<MeasurementSummary>;
  wellRows(table: string, well: string, signal?: AbortSignal): Promise<WellRows>;
  /** The ROIs of one well's site, for the given channels. */
  rois(
    well: string,
    site: number | null,
    channels: readonly (number | null)[],
    signal?: AbortSignal,
  ): Promise<RoiOutline[]>;
}

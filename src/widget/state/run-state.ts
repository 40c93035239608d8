/**
 * The synced state of the run widget (docs/widget-protocol.md §2), as types and as schemas.
 * Traits come from the kernel over the comm, so each is validated before an element sees it;
 * names stay snake_case because they cross the comm.
 */
import { WELL_STATES, type WellState } from "../../protocol/index.js";
import * as z from "./schema.js";

export { WELL_STATES, type WellState };

/** Longest name (well, step, channel, server) and longest free text we accept from the shim. */
const MAX_NAME_CHARS = 1024;
const MAX_TEXT_CHARS = 1_000_000;
/** A 1536-well plate is the largest layout we know; leave room for odd plates. */
const MAX_WELLS = 10_000;
const MAX_AXIS_VALUES = 10_000;

const name = z.string().check(z.maxLength(MAX_NAME_CHARS));
const text = z.string().check(z.maxLength(MAX_TEXT_CHARS));
const count = z.int().check(z.minimum(0));
const fraction = z.number().check(z.minimum(0), z.maximum(1));
const intList = z.array(z.int()).check(z.maxLength(MAX_AXIS_VALUES));
const nameList = z.array(name).check(z.maxLength(MAX_AXIS_VALUES));

export const RUN_STATUSES = [
  "connecting",
  "queued",
  "compiling",
  "running",
  "complete",
  "failed",
  "cancelled",
  "lost",
  "error",
] as const;
/** Where the whole run is. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses after which nothing more will happen (cancel makes no sense). */
export const RUN_OVER_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  "complete",
  "failed",
  "cancelled",
  "lost",
  "error",
]);

export const RunProgressSchema = z.looseObject({
  fraction: z.catch(fraction, 0),
  wells_done: z.catch(count, 0),
  wells_total: z.catch(count, 0),
  wells_failed: z.catch(count, 0),
  eta_ms: z.catch(z.nullable(z.number().check(z.minimum(0))), null),
  elapsed_ms: z.catch(z.number().check(z.minimum(0)), 0),
  step_names: z.catch(nameList, []),
});
export type RunProgress = z.infer<typeof RunProgressSchema>;

export const WellProgressSchema = z.looseObject({
  state: z.enum(WELL_STATES),
  fraction: z.catch(fraction, 0),
  step: z.catch(name, ""),
  error: z.nullish(text),
});
export type WellProgress = z.infer<typeof WellProgressSchema>;

export const PlateLayoutSchema = z.looseObject({
  rows: z.int().check(z.minimum(0), z.maximum(64)),
  columns: z.int().check(z.minimum(0), z.maximum(96)),
});
export type PlateLayout = z.infer<typeof PlateLayoutSchema>;

export const ChannelSchema = z.looseObject({
  index: z.int(),
  name: name,
  color: z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/)),
});
export type ChannelInfo = z.infer<typeof ChannelSchema>;

export const AxesSchema = z.looseObject({
  sites: z.catch(intList, []),
  z: z.catch(intList, []),
  timepoints: z.catch(intList, []),
  steps: z.catch(nameList, []),
});
export type Axes = z.infer<typeof AxesSchema>;

export const GapSchema = z.looseObject({
  from_seq: count,
  to_seq: count,
  reason: name,
});
export type RelayGap = z.infer<typeof GapSchema>;

export const RunErrorSchema = z.looseObject({
  code: name,
  message: text,
  traceback: z.nullish(text),
});
export type RunError = z.infer<typeof RunErrorSchema>;

/** The link to the relay while it is not well: away (`reconnecting`) or given up (`lost`). */
export const RelayLinkSchema = z.looseObject({
  state: z.enum(["reconnecting", "lost"]),
  address: name,
  silent_ms: z.catch(z.number().check(z.minimum(0)), 0),
});
export type RelayLink = z.infer<typeof RelayLinkSchema>;

/** The run that re-runs this one's unfinished wells, shown in this run's grid. */
export const RerunSchema = z.looseObject({
  execution_id: name,
  wells: z.array(name).check(z.maxLength(MAX_WELLS)),
});
export type RerunInfo = z.infer<typeof RerunSchema>;

/** Which plane the viewer shows; `null` means "the first value there is". */
export const ViewSchema = z.looseObject({
  site: z.catch(z.nullable(z.int()), null),
  z: z.catch(z.nullable(z.int()), null),
  timepoint: z.catch(z.nullable(z.int()), null),
  step: z.catch(z.nullable(name), null),
});
export type PlaneView = z.infer<typeof ViewSchema>;

/** Every synced trait, with its schema and the value used while it is missing or invalid. */
export const TRAITS = {
  execution_id: { schema: name, empty: "" },
  server: { schema: name, empty: "" },
  status: { schema: z.enum(RUN_STATUSES), empty: "connecting" as RunStatus },
  progress: {
    schema: RunProgressSchema,
    empty: {
      fraction: 0,
      wells_done: 0,
      wells_total: 0,
      wells_failed: 0,
      eta_ms: null,
      elapsed_ms: 0,
      step_names: [],
    } as RunProgress,
  },
  wells: {
    schema: z
      .record(name, WellProgressSchema)
      .check(
        z.refine((wells) => Object.keys(wells).length <= MAX_WELLS, `more than ${MAX_WELLS} wells`),
      ),
    empty: {} as Record<string, WellProgress>,
  },
  plate_layout: {
    // `{}` (the shim's "not known yet") means the same as null: infer from the well names.
    schema: z.nullable(
      z.union([
        PlateLayoutSchema,
        z.pipe(
          z.strictObject({}),
          z.transform(() => null),
        ),
      ]),
    ),
    empty: null as PlateLayout | null,
  },
  channels: { schema: z.array(ChannelSchema).check(z.maxLength(256)), empty: [] as ChannelInfo[] },
  axes: {
    schema: AxesSchema,
    empty: { sites: [], z: [], timepoints: [], steps: [] } as Axes,
  },
  images_received: { schema: count, empty: 0 },
  gaps: { schema: z.array(GapSchema).check(z.maxLength(MAX_AXIS_VALUES)), empty: [] as RelayGap[] },
  error: { schema: z.nullable(RunErrorSchema), empty: null as RunError | null },
  relay_link: { schema: z.nullable(RelayLinkSchema), empty: null as RelayLink | null },
  rerun: { schema: z.nullable(RerunSchema), empty: null as RerunInfo | null },
  selected_well: { schema: name, empty: "" },
  view: {
    schema: ViewSchema,
    empty: { site: null, z: null, timepoint: null, step: null } as PlaneView,
  },
} as const;

/** The synced state of an `OhrRunModel`, as the browser sees it after validation. */
export interface OhrRunState {
  execution_id: string;
  server: string;
  status: RunStatus;
  progress: RunProgress;
  wells: Record<string, WellProgress>;
  plate_layout: PlateLayout | null;
  channels: ChannelInfo[];
  axes: Axes;
  images_received: number;
  gaps: RelayGap[];
  error: RunError | null;
  relay_link: RelayLink | null;
  rerun: RerunInfo | null;
  selected_well: string;
  view: PlaneView;
}

export type TraitName = keyof OhrRunState & keyof typeof TRAITS;
export const TRAIT_NAMES = Object.keys(TRAITS) as TraitName[];

/**
 * Validate one trait value from the kernel. An invalid value becomes the trait's empty value and
 * the zod issues are returned, so the caller can say which trait was wrong without losing the rest.
 */
export function parseTrait<K extends TraitName>(
  key: K,
  value: unknown,
): { value: OhrRunState[K]; issues: string | null } {
  const trait = TRAITS[key];
  const parsed = trait.schema.safeParse(value);
  if (parsed.success) return { value: parsed.data as OhrRunState[K], issues: null };
  return { value: trait.empty as OhrRunState[K], issues: z.prettifyError(parsed.error) };
}

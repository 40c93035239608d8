/**
 * The store's plates, one per pipeline step: which directory each step's plate lives in,
 * channel names from the options, finding a plane from OpenHCS's 1-based values, and rebuilding
 * everything from the index when a store is reopened.
 */
import { parseWell, type WellPosition } from "./plate-layout.js";
import { PlateState, type ImageState } from "./plate-state.js";
import { entryKey, type StoredEntry } from "./result-journal.js";
import type { StoreSettings } from "./store-manifest.js";

/** Step name of items that do not say which step made them. */
export const DEFAULT_STEP = "result";

/** OpenHCS's 1-based component values (`null`/absent: 1), as a query or an item gives them. */
export interface ComponentValues {
  readonly site?: number | null;
  readonly channel?: number | null;
  readonly z?: number | null;
  readonly timepoint?: number | null;
}

/** 0-based field and array indices of 1-based component values. */
export function indicesOf(values: ComponentValues): {
  field: number;
  t: number;
  c: number;
  z: number;
} {
  return {
    field: (values.site ?? 1) - 1,
    t: (values.timepoint ?? 1) - 1,
    c: (values.channel ?? 1) - 1,
    z: (values.z ?? 1) - 1,
  };
}

/** A plane's place in the store, as found from a query. */
export interface PlaneLocation {
  readonly plate: PlateState | undefined;
  readonly image: ImageState | undefined;
  readonly well: WellPosition | null;
  readonly field: number;
  readonly t: number;
  readonly c: number;
  readonly z: number;
  /** Human-readable coordinates, for error messages. */
  readonly what: string;
}

/** Plates by step name. */
export class PlateRegistry {
  private readonly plates = new Map<string, PlateState>();

  constructor(private readonly settings: StoreSettings) {}

  /** Every plate, by directory name. */
  all(): PlateState[] {
    return [...this.plates.values()].sort((a, b) => a.dir.localeCompare(b.dir));
  }

  /** The plate of a step, created on first use. */
  plateFor(step: string | null, stepIndex: number | null): PlateState {
    const name = step ?? DEFAULT_STEP;
    return this.plates.get(name) ?? this.add(name, stepIndex, null);
  }

  /** Learn a channel name from the stream, unless the options named that channel. */
  learnChannelName(plate: PlateState, c: number, name: string): void {
    if (!Object.hasOwn(this.settings.channelNames, String(c + 1))) plate.nameChannel(c, name);
  }

  /** Find a plane by step name and 1-based values; a missing step is the only step there is. */
  locate(query: ComponentValues & { step?: string | null; well: string }): PlaneLocation {
    const steps = [...this.plates.keys()];
    const step = query.step ?? (steps.length === 1 ? steps[0] : undefined) ?? DEFAULT_STEP;
    const plate = this.plates.get(step);
    const well = parseWell(query.well);
    const { field, t, c, z } = indicesOf(query);
    const what =
      `step '${step}' well '${query.well}' site ${String(query.site ?? 1)} ` +
      `channel ${String(query.channel ?? 1)} z ${String(query.z ?? 1)} ` +
      `timepoint ${String(query.timepoint ?? 1)}`;
    const image = well === null ? undefined : plate?.image(well, field);
    return { plate, image, well, field, t, c, z, what };
  }

  /** Rebuild state from one index entry (reopening a store). */
  replay(entry: StoredEntry): void {
    const well = parseWell(entry.well);
    if (well === null) return;
    const plate = this.plates.get(entry.step) ?? this.add(entry.step, entry.stepIndex, entry.plate);
    if (entry.kind === "shapes") {
      plate.shapes.set(entryKey(entry), entry);
      return;
    }
    const field = Number(entry.image.split("/")[2]);
    const image =
      plate.image(well, field) ?? plate.addImage(well, field, entry.site, entry.dtype, entry.shape);
    plate.cover(entry.t, entry.c, entry.zIndex);
    if (entry.channelName !== null) this.learnChannelName(plate, entry.c, entry.channelName);
    plate.recordPlane(image, entry);
  }

  private add(step: string, stepIndex: number | null, dir: string | null): PlateState {
    const plate = new PlateState(
      dir ?? this.freeDir(step),
      step,
      stepIndex,
      `${this.settings.plateName} · ${step}`,
      this.settings.plateLayout ?? undefined,
    );
    for (const [value, label] of Object.entries(this.settings.channelNames)) {
      plate.nameChannel(Number(value) - 1, label);
    }
    this.plates.set(step, plate);
    return plate;
  }

  /** `<step>.ome.zarr`, made safe as a file name and distinct from the other plates'. */
  private freeDir(step: string): string {
    const taken = new Set([...this.plates.values()].map((p) => p.dir));
    const stem =
      step
        .replace(/[^A-Za-z0-9._-]+/g, "_")
        .replace(/^[._]+/, "")
        .slice(0, 100) || "step";
    let dir = `${stem}.ome.zarr`;
    for (let n = 2; taken.has(dir); n++) dir = `${stem}-${String(n)}.ome.zarr`;
    return dir;
  }
}

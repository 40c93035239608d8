/**
 * Folds a run's progress events into what a user watches: the state of each well, how far each
 * is through the pipeline, the overall fraction and an ETA. OpenHCS sends no aggregate; this is it.
 */
import { isRunTerminalEvent, type ProgressEvent, type WellState } from "../protocol/index.js";
import { EtaEstimator } from "./eta.js";

/**
 * A02 before A10. One collator for every snapshot: `localeCompare` with options builds one per
 * comparison, 11 ms to sort 384 wells against 0.3 ms, on every progress event of the run.
 */
const WELL_NAME_ORDER = new Intl.Collator("en", { numeric: true });

/** One well's progress. */
export interface WellProgress {
  readonly well: string;
  readonly state: WellState;
  /** 0–1 through the pipeline's steps. */
  readonly fraction: number;
  /** The step it is in or last finished. */
  readonly step: string;
  readonly error?: string | undefined;
}

/** The whole run, as of the last event. */
export interface RunProgressSnapshot {
  readonly executionId: string;
  /** `compiling` until the first well starts, then `running`, then the run's end state. */
  readonly phase: "waiting" | "compiling" | "running" | "success" | "failed" | "cancelled";
  readonly wellsTotal: number;
  readonly wellsDone: number;
  readonly wellsFailed: number;
  readonly stepNames: readonly string[];
  /** 0–1 over all wells and steps. */
  readonly fraction: number;
  /** Estimated time left in ms, or null while unknown. */
  readonly etaMs: number | null;
  /** Since the first event, in ms. */
  readonly elapsedMs: number;
  readonly wells: readonly WellProgress[];
}

interface MutableWell {
  state: WellState;
  stepsDone: number;
  stepFraction: number;
  step: string;
  error?: string;
}

/** Event-by-event tracker of one run. */
export class RunProgress {
  private readonly wells = new Map<string, MutableWell>();
  private stepNames: string[] = [];
  private phase: RunProgressSnapshot["phase"] = "waiting";
  private firstEventAt: number | null = null;
  private readonly eta = new EtaEstimator();
  private lastEtaMs: number | null = null;

  constructor(
    readonly executionId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Apply one event of this run; returns the new snapshot. */
  apply(event: ProgressEvent): RunProgressSnapshot {
    const now = this.now();
    this.firstEventAt ??= now;
    if (event.total_wells !== undefined) {
      for (const well of event.total_wells) this.well(well);
    }
    if (event.step_names !== undefined && event.step_names.length > 0) {
      this.stepNames = [...event.step_names];
    }
    if (isRunTerminalEvent(event)) {
      this.phase = event.phase as "success" | "failed" | "cancelled";
      if (this.phase === "cancelled") {
        for (const well of this.wells.values()) {
          if (well.state !== "done" && well.state !== "failed") well.state = "cancelled";
        }
      } else if (this.phase === "failed") {
        // OpenHCS 0.8.6 sends no per-well failure: the wells in flight are the ones that failed.
        for (const well of this.wells.values()) {
          if (well.state === "running" || well.state === "compiling") this.failWell(well, event);
        }
      }
    } else if (event.axis_id !== "") {
      this.applyWellEvent(this.well(event.axis_id), event, now);
    } else if (event.phase === "compile" && this.phase === "waiting") {
      this.phase = "compiling";
    }
    const fraction = this.fraction();
    this.lastEtaMs = this.phase === "success" ? 0 : this.eta.update(fraction, now);
    return this.snapshot();
  }

  private applyWellEvent(well: MutableWell, event: ProgressEvent, now: number): void {
    switch (event.phase) {
      case "compile":
        if (well.state === "pending") well.state = "compiling";
        if (event.status === "failed") this.failWell(well, event);
        break;
      case "axis_started":
        well.state = "running";
        if (this.phase === "waiting" || this.phase === "compiling") this.phase = "running";
        this.eta.markStarted(now);
        break;
      case "step_started":
        well.state = "running";
        well.step = event.step_name;
        well.stepFraction = 0;
        break;
      case "pattern_group":
        well.stepFraction = event.total > 0 ? event.completed / event.total : 0;
        break;
      case "step_completed":
        well.step = event.step_name;
        well.stepsDone = Math.max(well.stepsDone + 1, event.completed);
        well.stepFraction = 0;
        break;
      case "axis_completed":
        if (event.status === "success") {
          well.state = "done";
          well.stepsDone = Math.max(well.stepsDone, this.stepNames.length);
        } else {
          this.failWell(well, event);
        }
        break;
      case "axis_error":
      case "failed":
        this.failWell(well, event);
        break;
      default:
        break;
    }
  }

  private failWell(well: MutableWell, event: ProgressEvent): void {
    well.state = "failed";
    const reason = event.error ?? event.message;
    if (reason !== undefined && reason !== null) well.error = reason;
  }

  private well(name: string): MutableWell {
    let well = this.wells.get(name);
    if (well === undefined) {
      well = { state: "pending", stepsDone: 0, stepFraction: 0, step: "" };
      this.wells.set(name, well);
    }
    return well;
  }

  private wellFraction(well: MutableWell): number {
    if (well.state === "done") return 1;
    const steps = Math.max(1, this.stepNames.length, well.stepsDone);
    return Math.min(1, (well.stepsDone + well.stepFraction) / steps);
  }

  private fraction(): number {
    if (this.phase === "success") return 1;
    if (this.wells.size === 0) return 0;
    let sum = 0;
    for (const well of this.wells.values()) sum += this.wellFraction(well);
    return sum / this.wells.size;
  }

  /** The current state, with the ETA counted down to now. */
  snapshot(): RunProgressSnapshot {
    const now = this.now();
    const wells = [...this.wells.entries()]
      .sort(([a], [b]) => WELL_NAME_ORDER.compare(a, b))
      .map(([name, well]) => ({
        well: name,
        state: well.state,
        fraction: this.wellFraction(well),
        step: well.step,
        error: well.error,
      }));
    return {
      executionId: this.executionId,
      phase: this.phase,
      wellsTotal: this.wells.size,
      wellsDone: wells.filter((w) => w.state === "done").length,
      wellsFailed: wells.filter((w) => w.state === "failed").length,
      stepNames: this.stepNames,
      fraction: this.fraction(),
      etaMs: this.phase === "success" ? 0 : (this.eta.remainingAt(now) ?? this.lastEtaMs),
      elapsedMs: this.firstEventAt === null ? 0 : now - this.firstEventAt,
      wells,
    };
  }
}

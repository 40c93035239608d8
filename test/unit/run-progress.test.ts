import { describe, expect, it } from "vitest";
import { RunProgress } from "../../src/orchestrator/run-progress.js";
import { EtaEstimator } from "../../src/orchestrator/eta.js";
import { ProgressEventSchema, type ProgressEvent } from "../../src/protocol/progress-event.js";

/** An event shaped as OpenHCS 0.8.6 sends it (see docs/control-protocol.md). */
function event(
  fields: Partial<ProgressEvent> & Pick<ProgressEvent, "phase" | "status">,
): ProgressEvent {
  return ProgressEventSchema.parse({
    execution_id: "run-1",
    plate_id: "/plate",
    axis_id: "",
    step_name: "",
    percent: 0,
    completed: 0,
    total: 1,
    timestamp: 0,
    ...fields,
  });
}

/** The sequence the real server emits for one well of a two-step pipeline. */
function wellEvents(well: string): ProgressEvent[] {
  return [
    event({ axis_id: well, step_name: "pipeline", phase: "axis_started", status: "started" }),
    event({ axis_id: well, step_name: "normalize", phase: "step_started", status: "started" }),
    event({
      axis_id: well,
      step_name: "normalize",
      phase: "pattern_group",
      status: "running",
      completed: 1,
      total: 2,
    }),
    event({
      axis_id: well,
      step_name: "normalize",
      phase: "pattern_group",
      status: "running",
      completed: 2,
      total: 2,
    }),
    event({
      axis_id: well,
      step_name: "normalize",
      phase: "step_completed",
      status: "success",
      completed: 1,
      total: 2,
    }),
    event({ axis_id: well, step_name: "count", phase: "step_started", status: "started" }),
    event({
      axis_id: well,
      step_name: "count",
      phase: "step_completed",
      status: "success",
      completed: 2,
      total: 2,
    }),
    event({
      axis_id: well,
      step_name: "pipeline",
      phase: "axis_completed",
      status: "success",
      completed: 1,
      total: 1,
    }),
  ];
}

describe("RunProgress over a real event sequence", () => {
  it("tracks each well's state and the overall fraction, which only grows", () => {
    let now = 0;
    const progress = new RunProgress("run-1", () => now);
    const sequence = [
      event({ step_name: "pipeline", phase: "compile", status: "started" }),
      event({
        phase: "init",
        status: "started",
        total_wells: ["B01", "A01"],
        step_names: ["normalize", "count"],
      }),
      ...wellEvents("A01"),
      ...wellEvents("B01"),
      event({
        step_name: "pipeline",
        phase: "success",
        status: "success",
        percent: 100,
        completed: 1,
      }),
    ];
    const fractions = sequence.map((e) => {
      now += 1000;
      return progress.apply(e).fraction;
    });
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const final = progress.snapshot();
    expect(final.phase).toBe("success");
    expect(final.wells.map((w) => [w.well, w.state])).toEqual([
      ["A01", "done"],
      ["B01", "done"],
    ]);
    expect(final.fraction).toBe(1);
    expect(final.etaMs).toBe(0);
  });

  it("lists wells in plate order, numbers by value (A2 before A10), even unpadded", () => {
    const progress = new RunProgress("run-1", () => 0);
    progress.apply(
      event({
        phase: "init",
        status: "started",
        total_wells: ["B1", "A10", "A2", "A1", "B10", "B2"],
        step_names: ["normalize"],
      }),
    );
    expect(progress.snapshot().wells.map((w) => w.well)).toEqual([
      "A1",
      "A2",
      "A10",
      "B1",
      "B2",
      "B10",
    ]);
  });

  it("is halfway when one of two wells is done, and quotes an ETA near the time spent", () => {
    let now = 0;
    const progress = new RunProgress("run-1", () => now);
    progress.apply(
      event({
        phase: "init",
        status: "started",
        total_wells: ["A01", "B01"],
        step_names: ["normalize", "count"],
      }),
    );
    for (const e of wellEvents("A01")) {
      now += 1250; // 8 events: 10 s for the first well
      progress.apply(e);
    }
    const half = progress.snapshot();
    expect(half.wellsDone).toBe(1);
    expect(half.fraction).toBeCloseTo(0.5);
    expect(half.etaMs).not.toBeNull();
    expect(half.etaMs!).toBeGreaterThan(5_000);
    expect(half.etaMs!).toBeLessThan(15_000);
  });

  it("marks a well failed with the server's reason", () => {
    const progress = new RunProgress("run-1", () => 0);
    progress.apply(event({ axis_id: "A01", phase: "axis_started", status: "started" }));
    const snapshot = progress.apply(
      event({
        axis_id: "A01",
        phase: "axis_error",
        status: "error",
        error: "ValueError: bad pixels",
      }),
    );
    expect(snapshot.wells[0]).toMatchObject({
      well: "A01",
      state: "failed",
      error: "ValueError: bad pixels",
    });
    expect(snapshot.wellsFailed).toBe(1);
  });

  it("marks unfinished wells cancelled when the run is cancelled", () => {
    const progress = new RunProgress("run-1", () => 0);
    progress.apply(event({ phase: "init", status: "started", total_wells: ["A01", "A02"] }));
    for (const e of wellEvents("A01")) progress.apply(e);
    const snapshot = progress.apply(event({ phase: "cancelled", status: "cancelled" }));
    expect(snapshot.wells.map((w) => w.state)).toEqual(["done", "cancelled"]);
  });
});

describe("EtaEstimator", () => {
  it("says nothing before work starts or while too little is done", () => {
    const eta = new EtaEstimator();
    expect(eta.update(0.5, 1000)).toBeNull();
    eta.markStarted(1000);
    expect(eta.update(0.01, 2000)).toBeNull();
  });

  it("extrapolates the rate and counts down between events", () => {
    const eta = new EtaEstimator();
    eta.markStarted(0);
    expect(eta.update(0.25, 10_000)).toBe(30_000);
    expect(eta.remainingAt(15_000)).toBe(25_000);
    expect(eta.update(1, 40_000)).toBe(0);
  });
});

describe("ProgressEventSchema", () => {
  it("refuses an event whose completed count exceeds its total, naming the field", () => {
    const result = ProgressEventSchema.safeParse({
      execution_id: "x",
      phase: "init",
      status: "started",
      percent: 0,
      completed: 3,
      total: 2,
      timestamp: 0,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["completed"]);
  });

  it("refuses a percent outside 0–100 and a missing execution id", () => {
    const base = { phase: "init", status: "started", completed: 0, total: 1, timestamp: 0 };
    expect(
      ProgressEventSchema.safeParse({ ...base, execution_id: "x", percent: 140 }).success,
    ).toBe(false);
    expect(ProgressEventSchema.safeParse({ ...base, percent: 10 }).success).toBe(false);
  });
});
